"""`closer replay` itself: scripts are read strictly, every kind of expectation can fail, failures say where and
why, and the exit status tells CI. Also `closer chat --explain` and the dialog scripts' pytest plugin."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from closer.devtools.alexa import LocalAlexa
from closer.devtools.alexa_api_standin import running
from closer.devtools.chat import run
from closer.devtools.cli import main
from closer.devtools.dialog import Conversation, ScriptError, load
from closer.devtools.model import InteractionModel
from closer.devtools.replay import Replay, replaying
from closer.devtools.resolver import Resolver

ROOT = Path(__file__).resolve().parents[1]


def script(tmp_path: Path, text: str, name: str = "script.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def one(tmp_path: Path, turns: str, household: str = "", settings: str = "") -> Conversation:
    """A one-conversation script from the indented YAML of its turns (and household expectations)."""
    text = "conversations:\n  - name: the conversation\n" + textwrap.indent(textwrap.dedent(settings), "    ")
    text += "    turns:\n" + textwrap.indent(textwrap.dedent(turns), "      ")
    if household:
        text += "    household:\n" + textwrap.indent(textwrap.dedent(household), "      ")
    return load(script(tmp_path, text))[0]


@pytest.fixture(scope="module")
def replay() -> Iterator[Replay]:
    with replaying() as in_process:
        yield in_process


# -- reading scripts --


def test_yes_and_no_are_words_not_booleans(tmp_path: Path) -> None:
    conversation = one(tmp_path, """\
        - open closer together
        - yes
        - no: no
        - 'on'
        """)
    assert [t.name for t in conversation.turns] == ["open closer together", "yes", "no", "on"]
    assert conversation.turns[2].expect.speech is not None


@pytest.mark.parametrize("text, message", [
    ("conversations:\n  - name: a\n    turns: [hello]\n    speach: x\n", 'unknown key "speach" in a conversation'),
    ("conversations:\n  - name: a\n    turns:\n      - hello:\n          speech: x\n          sesion: open\n",
     'unknown key "sesion"'),
    ("conversations:\n  - name: a\n    turns:\n      - hello: /[unclosed/\n", "bad regular expression"),
    ("conversations:\n  - name: a\n    turns: [hello]\n  - name: a\n    turns: [hello]\n",
     'a second conversation named "a" (the first is on line 2)'),
    ("conversations:\n  - name: a\n    turns:\n      - /later 2 fortnights\n      - hello\n", "/later needs"),
    ("conversations:\n  - name: a\n    turns:\n      - /later 1 day: something\n", "/later sends nothing"),
    ("conversations:\n  - name: a\n    turns:\n      - SetNamesIntent first\n", '"first" should be name=value'),
    ("conversations:\n  - name: a\n    turns:\n      - hello:\n          session: closed\n",
     'session should be "open" or "ended"'),
    ("conversations:\n  - name: a\n    turns: [hello]\n    household:\n      names: [Sam]\n",
     "names should be two names"),
    ("conversations:\n  - name: a\n    at: next tuesday\n    turns: [hello]\n", "at should be an ISO 8601 moment"),
    ("conversations:\n  - name: a\n    turns: [hello]\n  - turns: [hi]\n", 'needs a "name" and its "turns"'),
    ("settings: {}\n", 'the file needs "conversations:"'),
    ("conversations: [\n", "not valid YAML"),
])
def test_a_malformed_script_is_an_error_with_its_line(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ScriptError) as raised:
        load(script(tmp_path, text))
    assert str(raised.value).startswith(str(tmp_path / "script.yaml")) or "script.yaml:" in str(raised.value)
    assert message in str(raised.value)


def test_turn_kinds(tmp_path: Path) -> None:
    turns = one(tmp_path, """\
        - open closer together
        - SetNamesIntent first="mary ann" second=jo
        - AMAZON.YesIntent
        - SessionEndedRequest reason=ERROR
        - Connections.Response status=DENIED
        - /wait
        - /later 3 hours
        """).turns
    assert [t.kind for t in turns] == ["say", "intent", "intent", "request", "request", "wait", "later"]
    assert turns[1].fields == {"first": "mary ann", "second": "jo"}
    assert turns[3].fields == {"reason": "ERROR"}
    assert turns[6].later is not None and turns[6].later.total_seconds() == 3 * 3600


# -- every expectation can fail --

BASE = """\
- open closer together
- we're sam and alex
- start small wins:
{expect}
"""
PASSING = [
    "    speech: Let's celebrate some small wins",
    "    speech: /small wins\\. One of you/",
    "    speech: [nothing like this, LET'S CELEBRATE]",
    "    speech:\n      all: [small wins, Sam, you share first]\n      not: [Bob]",
    "    reprompt: say next",
    "    card: false",
    "    session: open",
    "    directive: false",
    "    intent: StartExerciseIntent",
    "    slots: {exercise: small-wins}",
]
FAILING = [
    ("    speech: Let's celebrate some big wins", 'speech: expected to contain "Let\'s celebrate some big wins"'),
    ("    speech: /^Sam/", "speech: expected to contain /^Sam/"),
    ("    speech: [big wins, huge wins]", 'speech: expected to contain any of "big wins", "huge wins"'),
    ("    speech:\n      not: [small wins]", 'speech: expected not to contain "small wins"'),
    ("    speech:\n      is: Let's celebrate", 'speech: expected exactly "Let\'s celebrate"'),
    ("    speech: false", "speech: expected none"),
    ("    reprompt: false", "reprompt: expected none"),
    ("    reprompt: say stop", 'reprompt: expected to contain "say stop"'),
    ("    card: true", "card: expected one, there is none"),
    ("    card: {title: Small wins}", "card title: expected one, there is none"),
    ("    session: ended", "session: to be ended"),
    ("    directive: Connections.SendRequest", "directive: Connections.SendRequest"),
    ("    intent: ListExercisesIntent", "intent: to be heard as ListExercisesIntent"),
    ("    slots: {exercise: appreciation}", 'slot exercise: "appreciation"'),
]


@pytest.mark.parametrize("expect", PASSING)
def test_expectations_that_hold(tmp_path: Path, replay: Replay, expect: str) -> None:
    result = replay.run(one(tmp_path, BASE.format(expect=textwrap.indent(expect, "  "))))
    assert result.passed, result.misses


@pytest.mark.parametrize("expect, miss", FAILING)
def test_expectations_that_do_not_hold_fail_at_their_turn(tmp_path: Path, replay: Replay, expect: str,
                                                          miss: str) -> None:
    conversation = one(tmp_path, BASE.format(expect=textwrap.indent(expect, "  ")))
    result = replay.run(conversation)
    assert not result.passed
    assert result.failed_turn is conversation.turns[2]
    assert any(f"{m.what}: {m.expected}".startswith(miss) for m in result.misses), result.misses


HOUSEHOLD_TURNS = """\
- open closer together
- we're sam and alex
- start small wins
- next
"""


@pytest.mark.parametrize("expected, holds", [
    ("names: [Sam, Alex]", True), ("names: [Sam, Bob]", False), ("names: false", False),
    ("names asked: true", True), ("names asked: false", False),
    ("progress: small-wins", True), ("progress: appreciation", False), ("progress: false", False),
    ("progress: {exercise: small-wins, step: share, round: 1}", True),
    ("progress: {step: think}", False), ("progress: {round: 2}", False),
    ("history: 0", True), ("history: [small-wins]", False), ("completed: 0", True), ("completed: 1", False),
    ("deleted: false", True), ("deleted: true", False), ("reminder: false", True), ("reminder: '20:00'", False),
])
def test_household_expectations(tmp_path: Path, replay: Replay, expected: str, holds: bool) -> None:
    result = replay.run(one(tmp_path, HOUSEHOLD_TURNS, household=expected + "\n"))
    assert result.passed is holds, result.misses
    if not holds:
        assert result.failed_turn is None and result.misses[0].what.startswith("household")


def test_a_household_expected_after_it_was_deleted(tmp_path: Path, replay: Replay) -> None:
    result = replay.run(one(tmp_path, "- open closer together\n- we're sam and alex\n- delete our data\n- yes\n",
                            household="names: [Sam, Alex]\n"))
    assert [(m.expected, m.got) for m in result.misses] == [("a stored household", "none is stored")]


def test_a_named_user_keeps_the_household_unless_it_is_new(tmp_path: Path, replay: Replay) -> None:
    user = "user: amzn1.ask.account.REPLAY-SAME-COUPLE\n"
    first = one(tmp_path, "- open closer together\n- we're sam and alex\n- stop\n", settings=user)
    again = one(tmp_path, "- open closer together: Welcome back, Sam and Alex\n", settings=user)
    afresh = one(tmp_path, "- open closer together: what are your first names?\n",
                 settings=user + "new household: true\n")
    assert replay.run(first).passed
    assert replay.run(again).passed
    assert replay.run(afresh).passed
    assert not replay.run(again).passed  # the household really was removed


def test_something_said_with_no_session_open_never_reaches_the_skill(tmp_path: Path, replay: Replay) -> None:
    result = replay.run(one(tmp_path, "- start small wins\n"))
    assert not result.passed
    assert "no session is open" in result.misses[0].got


# -- the platform's rules hold for every response, whatever the script expects --


def endpoint_answering(body: dict[str, Any]) -> Any:
    return lambda event: {"version": "1.0", "response": body}


@pytest.mark.parametrize("body, rule", [
    ({"outputSpeech": {"type": "SSML", "ssml": "<speak>Hello <b>there</speak>"}, "shouldEndSession": True},
     "well-formed SSML in the speech"),
    ({"outputSpeech": {"type": "SSML", "ssml": "<speak>What now?</speak>"}, "shouldEndSession": False},
     "a reprompt whenever the session stays open"),
    ({"shouldEndSession": True}, "speech: every answer says something"),
    ({"outputSpeech": {"type": "SSML", "ssml": "<speak>" + "la " * 3000 + "</speak>"}, "shouldEndSession": True},
     "speech under 8000 characters"),
])
def test_response_rules(tmp_path: Path, body: dict[str, Any], rule: str) -> None:
    result = Replay(endpoint_answering(body), None).run(one(tmp_path, "- open closer together\n"))
    assert any(m.what == "response rule" and m.expected == rule for m in result.misses), result.misses


def test_no_speech_may_answer_the_end_of_a_session(tmp_path: Path) -> None:
    speaking = endpoint_answering({"outputSpeech": {"type": "SSML", "ssml": "<speak>Bye!</speak>"},
                                   "reprompt": {"outputSpeech": {"type": "SSML", "ssml": "<speak>Hm?</speak>"}},
                                   "shouldEndSession": False})
    result = Replay(speaking, None).run(one(tmp_path, "- open closer together\n- /wait\n"))
    assert result.failed_turn is not None and result.failed_turn.kind == "wait"
    assert result.misses[0].expected == "no speech in answer to a SessionEndedRequest"


# -- the command --


FAILING_SCRIPT = """\
conversations:
  - name: welcome
    turns:
      - open closer together: Welcome to Closer Together
  - name: wrong name
    turns:
      - open closer together
      - we're sam and alex:
          speech: Sam and Robin
"""


def test_the_command_reports_failures_and_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = script(tmp_path, FAILING_SCRIPT)
    assert main(["replay", str(path)]) == 1
    out = capsys.readouterr().out
    assert f'passed {path}:2  "welcome"' in out
    assert f'FAILED {path}:5  "wrong name"' in out
    assert "  turn 2 (line 8): we're sam and alex" in out
    assert '    speech: expected to contain "Sam and Robin"' in out
    assert '            got: "Got it: Sam and Alex.' in out
    assert "    you> open closer together" in out  # the conversation so far
    assert out.rstrip().endswith("1 passed, 1 failed")


def test_the_command_exits_0_when_all_pass_and_2_on_a_bad_script(tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["replay", str(ROOT / "tests" / "dialogs" / "opening.yaml")]) == 0
    assert capsys.readouterr().out.rstrip().endswith("passed, 0 failed")
    assert main(["replay", str(script(tmp_path, "conversations: [\n"))]) == 2
    assert "not valid YAML" in capsys.readouterr().err
    assert main(["replay", str(tmp_path / "missing.yaml")]) == 2


def test_explain_shows_the_candidates_and_why_the_winner_won(tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    path = script(tmp_path, """\
        conversations:
          - name: explained
            turns:
              - open closer together
              - we're sam and alex
              - boundaries and promises
        """)
    assert main(["replay", "--explain", str(path)]) == 0
    out = capsys.readouterr().out
    assert '(explain) launch phrase "open closer together": a LaunchRequest opens the skill' in out
    assert ('(explain)   23  StartExerciseIntent  "{exercise}"  exercise="boundaries and promises" -> '
            "boundaries-and-promises  (0 literal + 23 slot value)") in out
    assert '(explain)    3  SetNamesIntent  "{first} and {second}"' in out
    assert ("(explain) why: StartExerciseIntent pins down the most characters, 23 against 3 for SetNamesIntent"
            in out)


def test_chat_explain(tmp_path: Path) -> None:
    from closer.config import Settings
    from closer.skill import build_skill

    skill = build_skill(Settings(skill_id=None, db_path=tmp_path / "households.sqlite3"))
    out = io.StringIO()
    with running() as api:
        alexa = LocalAlexa(skill.handle, Resolver(InteractionModel.load()), user_id="amzn1.ask.account.EXPLAINED",
                           api_endpoint=api.url)
        run(alexa, io.StringIO("ask closer together please start gratitude\nwhat is the capital of peru\n"), out,
            interactive=False, explain=True)
    said = out.getvalue()
    assert '(explain) "please" let go: the words without it are understood better' in said
    assert '(explain) launch phrase with a request: "start gratitude" is matched against the samples' in said
    assert "(explain) why: no sample or built-in phrase matches" in said or \
        "(explain) why: every match leaves a custom slot unresolved" in said
    assert "AMAZON.FallbackIntent" in said


# -- the pytest plugin --


def test_each_conversation_is_a_pytest_case_and_a_failure_reads_like_replay(tmp_path: Path) -> None:
    (tmp_path / "conftest.py").write_text(
        "from closer.devtools.pytest_plugin import collect_dialogs\n\n\n"
        "def pytest_collect_file(parent, file_path):\n    return collect_dialogs(parent, file_path)\n")
    script(tmp_path, FAILING_SCRIPT, "dialogs.yaml")
    env = {**os.environ, "PYTHONPATH": str(ROOT / "lambda")}
    done = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", str(tmp_path)],
                          cwd=tmp_path, capture_output=True, text=True, timeout=300, env=env)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "1 failed, 1 passed" in done.stdout
    assert 'speech: expected to contain "Sam and Robin"' in done.stdout
    assert "dialogs.yaml::wrong name" in done.stdout


def test_the_project_scripts_cover_every_intent_and_every_exercise(replay: Replay) -> None:
    from closer.domain.catalogue import load_catalogue

    sent: list[dict[str, Any]] = []

    def recorded(event: dict[str, Any]) -> dict[str, Any]:
        sent.append(event["request"])
        return replay.endpoint(event)

    recording = Replay(recorded, replay.store, api_standin=replay.api_standin)
    conversations = [c for path in sorted((ROOT / "tests" / "dialogs").rglob("*.yaml")) for c in load(path)]
    assert len(conversations) >= 30
    for conversation in conversations:
        assert recording.run(conversation).passed, conversation.name
    intents = {r["intent"]["name"] for r in sent if r["type"] == "IntentRequest"}
    assert {i.name for i in InteractionModel.load().intents} - intents == set()
    started = {slot["resolutions"]["resolutionsPerAuthority"][0]["values"][0]["value"]["id"]
               for r in sent if r["type"] == "IntentRequest" and r["intent"]["name"] == "StartExerciseIntent"
               for slot in [r["intent"]["slots"]["exercise"]]}
    assert set(load_catalogue().exercises) - started == set()
    assert {"LaunchRequest", "SessionEndedRequest", "Connections.Response"} <= {r["type"] for r in sent}
