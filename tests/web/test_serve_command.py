"""`closer serve` as an operator runs it: a separate process that starts, answers on its port, and refuses to
start in a way that would leave requests unverified by accident."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from closer.devtools.alexa_api_standin import AlexaApiStandIn

from .alexa_signing import SKILL_ID, Client, alexa_event

CLOSER = [sys.executable, "-c", "import sys; from closer.devtools.cli import main; sys.exit(main())", "serve"]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _environment(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "CLOSER_SKILL_ID"}
    env["CLOSER_DB"] = str(tmp_path / "households.sqlite3")
    return env


@contextmanager
def closer_serve(tmp_path: Path, *options: str) -> Iterator[tuple[Client, Path]]:
    """Start `closer serve` on a free port; yields a client once /health answers, and the file its log goes to."""
    port = _free_port()
    log = tmp_path / "serve.log"
    with log.open("wb") as sink:
        process = subprocess.Popen([*CLOSER, "--port", str(port), *options], env=_environment(tmp_path),
                                   stdout=sink, stderr=subprocess.STDOUT)
    client = Client(port)
    try:
        for _ in range(300):  # a bounded wait for start-up, not a timing check
            if process.poll() is not None:
                pytest.fail(f"closer serve exited with {process.returncode}:\n{log.read_text()}")
            try:
                if client.request("GET", "/health").status == 200:
                    break
            except OSError:
                time.sleep(0.05)
        else:
            pytest.fail(f"closer serve never answered:\n{log.read_text()}")
        yield client, log
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_serve_verifies_by_default(tmp_path: Path) -> None:
    with closer_serve(tmp_path, "--skill-id", SKILL_ID) as (client, log):
        reply = client.post(json.dumps(alexa_event()).encode(), {"Content-Type": "application/json"})
    assert (reply.status, reply.json()) == (400, {"error": "SignatureCertChainUrl header is missing"})
    assert "VERIFICATION IS OFF" not in log.read_text()


def test_serve_without_verification_answers_unsigned_requests_and_warns_on_start(
        tmp_path: Path, alexa_api: AlexaApiStandIn) -> None:
    with closer_serve(tmp_path, "--no-verify", "--path", "/alexa") as (client, log):
        event = alexa_event(api_endpoint=alexa_api.url)
        reply = client.request("POST", "/alexa", json.dumps(event).encode(),
                               {"Content-Type": "application/json"})
    assert reply.status == 200
    assert "Welcome to Closer Together" in reply.json()["response"]["outputSpeech"]["ssml"]
    assert "WARNING closer.web: REQUEST VERIFICATION IS OFF" in log.read_text()


@pytest.mark.parametrize(("options", "complaint"), [
    ((), "needs the skill id"),
    (("--no-verify", "--path", "/health"), "must start with / and differ from /health"),
    (("--no-verify", "--path", "alexa"), "must start with /"),
])
def test_serve_refuses_to_start_misconfigured(tmp_path: Path, options: tuple[str, ...], complaint: str) -> None:
    finished = subprocess.run([*CLOSER, "--port", str(_free_port()), *options], env=_environment(tmp_path),
                              capture_output=True, text=True, timeout=60)
    assert finished.returncode == 2
    assert complaint in finished.stderr
    assert "Traceback" not in finished.stderr
