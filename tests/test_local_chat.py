"""`make run` and `closer chat`: a newcomer's first conversation, typed or piped, on the embedded store."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from closer.domain.catalogue import load_catalogue
from closer.domain.engine import Engine, Event, Partners

ROOT = Path(__file__).resolve().parents[1]
CATALOGUE = load_catalogue()


def cooperative_answers(exercise_id: str) -> list[str]:
    """What a couple says to go through an exercise once: next at each step, yes at each question."""
    engine = Engine(CATALOGUE, "en-US")
    exercise = CATALOGUE.exercise(exercise_id)
    partners = Partners("Sam", "Alex", named=True)
    outcome = engine.start(exercise_id, partners)
    answers = []
    while outcome.progress is not None:
        question = exercise.step(outcome.progress.step).yes_no
        answers.append("yes" if question else "next")
        outcome = engine.handle(outcome.progress, Event.YES if question else Event.NEXT, partners)
    return answers


def make_run(lines: list[str], db: Path) -> str:
    result = subprocess.run(["make", "-s", "run"], cwd=ROOT, input="\n".join(lines) + "\n", text=True,
                            capture_output=True, timeout=300, env={**os.environ, "CLOSER_DB": str(db)})
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    return result.stdout


def test_make_run_completes_active_listening_from_launch_to_closing(tmp_path: Path) -> None:
    out = make_run(["open closer together", "we're Sam and Alex", "yes",
                    *cooperative_answers("active-listening"), "no", "stop"], tmp_path / "h.sqlite3")
    assert "Welcome to Closer Together" in out
    assert "Sam, you hold the floor first" in out and "Alex holds the floor" in out
    assert "[quiet 60 s] [chime]" in out and "(reprompt)" in out
    assert CATALOGUE.exercise("active-listening").closing[0] in out
    assert out.rstrip().endswith("(session ended)")


def test_make_run_completes_appreciation_and_remembers_the_couple(tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite3"
    make_run(["open closer together", "we're Sam and Alex", "stop"], db)
    out = make_run(["ask closer together to start appreciation", *cooperative_answers("appreciation"), "stop"],
                   db)
    assert "Sam" in out and "Alex, now reply warmly" in out
    assert CATALOGUE.exercise("appreciation").closing[0] in out
    out = make_run(["open closer together", "how are we doing"], db)
    assert "This week you did appreciation together" in out


@pytest.mark.parametrize("typed, expected", [
    ("next", "the skill is not open"),
    ("/wait", "nothing is listening"),
])
def test_chat_explains_when_nothing_is_listening(tmp_path: Path, typed: str, expected: str) -> None:
    result = subprocess.run([str(ROOT / ".venv" / "bin" / "closer"), "chat", "--db", str(tmp_path / "h.db")],
                            input=typed + "\n", text=True, capture_output=True, timeout=60)
    assert result.returncode == 0 and expected in result.stdout


def test_chat_waiting_in_silence_ends_the_session_and_keeps_the_place(tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite3"
    chat = [str(ROOT / ".venv" / "bin" / "closer"), "chat", "--db", str(db)]
    lines = "ask closer together to start small wins\nnext\n/wait\nnext\nask closer together to continue\n"
    out = subprocess.run(chat, input=lines, text=True, capture_output=True, timeout=60).stdout
    assert "Alexa reprompts once, then closes the session" in out
    assert "the skill is not open" in out
    assert "Let's pick up small wins" in out
