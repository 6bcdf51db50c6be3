"""Dialog scripts and `closer chat` against a running endpoint: `closer serve --no-verify`, started here.

The server is a separate process on 127.0.0.1 with its own SQLite file; the scripts reach it over HTTP exactly
as Alexa would (unsigned), and their household expectations are checked in the server's file (`--db`).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from closer.devtools.dialog import Conversation, load
from closer.devtools.remote import EndpointError, HttpEndpoint
from closer.devtools.replay import Replay, replaying

ROOT = Path(__file__).resolve().parents[1]
DIALOGS = ROOT / "tests" / "dialogs"
CLOSER = str(Path(sys.executable).parent / "closer")
# The subset played over HTTP: the first meeting, reminders (the server calls back the local Alexa API stand-in)
# and the certification behaviour in every locale.
OVER_HTTP = [c for name in ("opening.yaml", "reminders.yaml", "certification.yaml") for c in load(DIALOGS / name)]


class Server:
    def __init__(self, url: str, db: Path) -> None:
        self.url = url
        self.db = db


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("serve")
    db, log = folder / "households.sqlite3", folder / "serve.log"
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("CLOSER_SKILL_ID", "CLOSER_TABLE")}
    with log.open("w") as output:  # a file, not a pipe: a pipe nobody reads would fill and stall the server
        process = subprocess.Popen([CLOSER, "serve", "--no-verify", "--port", str(port), "--db", str(db)],
                                   stdout=output, stderr=subprocess.STDOUT, env=env, cwd=folder)
    try:
        health = f"http://127.0.0.1:{port}/health"
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, f"closer serve stopped:\n{log.read_text()}"
            try:
                with urllib.request.urlopen(health, timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                assert time.monotonic() < deadline, f"closer serve did not answer:\n{log.read_text()}"
                time.sleep(0.1)
        yield Server(f"http://127.0.0.1:{port}/", db)
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture(scope="module")
def over_http(server: Server) -> Iterator[Replay]:
    with replaying(server.url, server.db) as replay:
        yield replay


@pytest.mark.parametrize("conversation", OVER_HTTP, ids=[f"{c.file.stem}: {c.name}" for c in OVER_HTTP])
def test_dialog_scripts_over_http(over_http: Replay, conversation: Conversation) -> None:
    result = over_http.run(conversation)
    assert result.passed, "\n".join(result.transcript[-8:] + [f"{m.what}: {m.expected} / {m.got}"
                                                               for m in result.misses])
    assert result.unchecked is None  # the server's SQLite file was given, so the household was checked


def run_closer(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([CLOSER, *args], input=stdin, capture_output=True, text=True, timeout=300, cwd=ROOT)


def test_replay_command_against_the_server(server: Server) -> None:
    done = run_closer("replay", "--url", server.url, "--db", str(server.db), str(DIALOGS / "opening.yaml"))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "NOT CHECKED" not in done.stdout
    assert done.stdout.rstrip().endswith(f"{len(load(DIALOGS / 'opening.yaml'))} passed, 0 failed")


def test_without_the_servers_store_household_expectations_are_reported_unchecked(server: Server) -> None:
    done = run_closer("replay", "--url", server.url, str(DIALOGS / "opening.yaml"))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "household expectations NOT CHECKED in 5 conversation(s)" in done.stdout
    assert "pass --db with the server's SQLite file" in done.stdout


def test_a_failing_script_over_http_exits_1(server: Server, tmp_path: Path) -> None:
    script = tmp_path / "wrong.yaml"
    script.write_text("conversations:\n  - name: wrong\n    turns:\n      - open closer together: Goodbye\n")
    done = run_closer("replay", "--url", server.url, str(script))
    assert done.returncode == 1
    assert 'speech: expected to contain "Goodbye"' in done.stdout


def test_chat_talks_to_the_server(server: Server) -> None:
    done = run_closer("chat", "--url", server.url, "--user", "amzn1.ask.account.CHAT-OVER-HTTP",
                      stdin="open closer together\nwe're sam and alex\nstop\n")
    assert done.returncode == 0, done.stderr
    assert "Alexa: Welcome to Closer Together" in done.stdout
    assert "Got it: Sam and Alex" in done.stdout
    assert "(session ended)" in done.stdout


def test_an_endpoint_that_is_down_is_reported_not_raised(tmp_path: Path) -> None:
    closed = f"http://127.0.0.1:{free_port()}/"
    with pytest.raises(EndpointError, match="could not reach"):
        HttpEndpoint(closed, timeout=5)({"request": {}})
    done = run_closer("chat", "--url", closed, stdin="open closer together\n")
    assert done.returncode == 0 and "(no answer: could not reach" in done.stdout
    script = tmp_path / "down.yaml"
    script.write_text("conversations:\n  - name: down\n    turns: [open closer together]\n")
    done = run_closer("replay", "--url", closed, str(script))
    assert done.returncode == 1 and "endpoint: a response" in done.stdout


def test_an_answer_that_is_not_a_skill_response_is_an_endpoint_error(server: Server) -> None:
    health = server.url.rstrip("/") + "/health"  # answers JSON, but only to GET: a POST is refused
    with pytest.raises(EndpointError, match="HTTP 405"):
        HttpEndpoint(health)({"request": {}, "context": {}})
