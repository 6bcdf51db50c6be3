"""`closer replay`: runs dialog scripts against the skill and says, turn by turn, what was expected and what was said.

Each conversation of a script (see `dialog.py` and docs/dialog-scripts.md) is played through a `LocalAlexa`, in
process on a temporary SQLite store by default, or against a running endpoint (`--url`, e.g. `closer serve
--no-verify`). Besides the script's own expectations, every response is held to the platform's rules: well-formed
SSML within Alexa's limits, a reprompt whenever the session stays open, no speech for a `SessionEndedRequest`.
The Alexa service APIs the skill calls back (time zone, reminders) are answered by the local stand-in.
A conversation stops at its first failing turn. Exit status: 0 when all pass, 1 when any fails, 2 when a script
cannot be read.
"""

from __future__ import annotations

import json
import sys
import tempfile
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from ..domain.household import Household
from ..store.base import HouseholdStore
from .alexa import LOCAL_SKILL_ID, Endpoint, LocalAlexa
from .alexa_api_standin import AlexaApiStandIn, running
from .chat import APPROVALS, CONSENT_QUESTION, REFUSALS, describe, readable
from .dialog import Conversation, Expectations, HouseholdCheck, TextCheck, Turn
from .explain import explain
from .model import SKILL_PACKAGE, InteractionModel
from .remote import EndpointError, HttpEndpoint
from .resolver import Resolver

MAX_SPEECH_CHARACTERS = 8000
MAX_RESPONSE_BYTES = 120 * 1024
NOT_REACHED = ('no session is open and this is not a launch phrase ("open closer together", '
               '"ask closer together to ..."), so Alexa would not pass it to the skill')
NO_STORE_OVER_URL = ("the household lives in the server's store: pass --db with the server's SQLite file "
                     "to check it")
TRANSCRIPT_TAIL = 12  # lines of the conversation shown above a failure


@dataclass(frozen=True)
class Miss:
    """One expectation that did not hold: what was checked, what was expected, what there was."""

    what: str
    expected: str
    got: str


@dataclass
class Result:
    conversation: Conversation
    transcript: list[str] = field(default_factory=list)
    misses: list[Miss] = field(default_factory=list)
    failed_turn: Turn | None = None
    unchecked: str | None = None  # why the household expectations could not be checked

    @property
    def passed(self) -> bool:
        return not self.misses


class _Clock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


class Replay:
    """Plays conversations through one endpoint; `store` (when known) is where the skill keeps households."""

    def __init__(self, endpoint: Endpoint, store: HouseholdStore | None, *, api_standin: AlexaApiStandIn | None = None,
                 skill_id: str = LOCAL_SKILL_ID, package: Path = SKILL_PACKAGE,
                 no_store: str = NO_STORE_OVER_URL) -> None:
        self.endpoint = endpoint
        self.store = store
        self.api_standin = api_standin
        self.skill_id = skill_id
        self.package = package
        self.no_store = no_store
        self._resolvers: dict[str, Resolver] = {}

    def resolver(self, locale: str) -> Resolver:
        if locale not in self._resolvers:
            self._resolvers[locale] = Resolver(InteractionModel.load(locale, self.package))
        return self._resolvers[locale]

    def run(self, conversation: Conversation, explained: bool = False) -> Result:
        settings = conversation.settings
        result = Result(conversation)
        user = settings.user or f"amzn1.ask.account.REPLAY-{uuid.uuid4().hex.upper()}"
        clock = _Clock(settings.at or datetime.now(UTC))
        if self.api_standin is not None:  # a new household's account: its own time zone and permission
            self.api_standin.time_zone = settings.time_zone
            self.api_standin.reminders_allowed = settings.reminders_allowed
            self.api_standin.reminders.clear()
            self.api_standin.calls.clear()
            self.api_standin.faults.clear()
        if settings.new_household:
            if self.store is None:
                result.misses.append(Miss("new household", "the stored household removed before the first turn",
                                          f"no store to remove it from ({self.no_store})"))
                return result
            self.store.delete(user)
        resolver = self.resolver(settings.locale)
        alexa = LocalAlexa(self.endpoint, resolver, user_id=user, locale=settings.locale, skill_id=self.skill_id,
                           clock=clock, **({"api_endpoint": self.api_standin.url} if self.api_standin else {}))
        for turn in conversation.turns:
            result.transcript.append(f"you> {turn.written}")
            if turn.kind == "later":
                assert turn.later is not None
                clock.now += turn.later
                continue
            if explained and turn.kind == "say" and alexa.consent is None:
                result.transcript += [f"       (explain) {line}" for line in explain(resolver, turn.name)]
            misses = self._turn(alexa, resolver, turn, result.transcript)
            if misses:
                result.misses, result.failed_turn = misses, turn
                return result
        if conversation.household is not None:
            if self.store is None:
                result.unchecked = self.no_store
            else:
                result.misses = household_misses(conversation.household, self.store.load(user))
        return result

    # -- one turn --

    def _turn(self, alexa: LocalAlexa, resolver: Resolver, turn: Turn, transcript: list[str]) -> list[Miss]:
        misses: list[Miss] = []
        try:
            response, request_type = self._send(alexa, resolver, turn, misses)
        except EndpointError as err:
            return [Miss("endpoint", "a response", str(err))]
        if response is None:
            return misses
        transcript += describe(response)
        if alexa.consent is not None:
            transcript.append(f"Alexa: {CONSENT_QUESTION}")
        misses += rule_misses(request_type, response)
        return misses + response_misses(turn.expect, response, alexa.in_session)

    def _send(self, alexa: LocalAlexa, resolver: Resolver, turn: Turn,
              misses: list[Miss]) -> tuple[dict[str, Any] | None, str]:
        if turn.kind == "say" and alexa.consent is not None:  # the answer to Alexa's permission question
            words = turn.name.lower().strip()
            status = "ACCEPTED" if words in APPROVALS else "DENIED" if words in REFUSALS else "NOT_ANSWERED"
            misses += heard_misses(turn.expect, "Connections.Response", {})
            return self._consent(alexa, status), "Connections.Response"
        if turn.kind == "say":
            heard = resolver.resolve(turn.name)
            misses += heard_misses(turn.expect, heard.intent or ("LaunchRequest" if heard.launch else "nothing"),
                                   {n: f.resolved_id or f.value for n, f in heard.slots.items()})
            response = alexa.say(turn.name)
            if response is None:
                misses.append(Miss("the skill", "to hear it", NOT_REACHED))
            return response, "LaunchRequest" if heard.launch and heard.intent is None else "IntentRequest"
        if turn.kind == "intent":
            return alexa.intent(turn.name, **turn.fields), "IntentRequest"
        if turn.kind == "wait" or turn.name == "SessionEndedRequest":
            if not alexa.in_session:
                misses.append(Miss("the skill", "an open session to end", "no session is open"))
                return None, "SessionEndedRequest"
            reason = turn.fields.get("reason", "EXCEEDED_MAX_REPROMPTS" if turn.kind == "wait" else "USER_INITIATED")
            return alexa.send(nested({**turn.fields, "type": "SessionEndedRequest", "reason": reason})), \
                "SessionEndedRequest"
        request = nested({**turn.fields, "type": turn.name})
        if turn.name == "LaunchRequest":
            alexa.session = None  # a launch always starts a new session
        if turn.name == "Connections.Response" and alexa.consent is not None and set(turn.fields) <= {"status"}:
            return self._consent(alexa, turn.fields.get("status", "ACCEPTED")), turn.name
        return alexa.send(request), turn.name

    def _consent(self, alexa: LocalAlexa, status: str) -> dict[str, Any]:
        if status == "ACCEPTED" and self.api_standin is not None:
            self.api_standin.reminders_allowed = True  # granted: from now on the Reminders API accepts the calls
        return alexa.answer_consent(status)


# -- checks --


def nested(fields: dict[str, str]) -> dict[str, Any]:
    """`payload.status=ACCEPTED` -> {"payload": {"status": "ACCEPTED"}}."""
    result: dict[str, Any] = {}
    for name, value in fields.items():
        *parents, last = name.split(".")
        target = result
        for parent in parents:
            target = target.setdefault(parent, {})
        target[last] = value
    return result


def heard_misses(expect: Expectations, intent: str, slots: dict[str, str]) -> list[Miss]:
    misses = []
    if expect.intent is not None and expect.intent != intent:
        misses.append(Miss("intent", f"to be heard as {expect.intent}", intent))
    for name, value in expect.slots.items():
        if slots.get(name) != value:
            misses.append(Miss(f"slot {name}", f'"{value}"', f'"{slots[name]}"' if name in slots else "no value"))
    return misses


def rule_misses(request_type: str, response: dict[str, Any]) -> list[Miss]:
    """The platform's rules for every response (REFERENCE.md sections 3 and 4)."""
    body = response.get("response")
    if not isinstance(body, dict):
        return [Miss("response rule", "a response object", json.dumps(response)[:200])]
    misses = []
    size = len(json.dumps(response).encode())
    if size > MAX_RESPONSE_BYTES:
        misses.append(Miss("response rule", f"under {MAX_RESPONSE_BYTES} bytes", f"{size} bytes"))
    if request_type == "SessionEndedRequest":
        if body.get("outputSpeech") or body.get("reprompt"):
            misses.append(Miss("response rule", "no speech in answer to a SessionEndedRequest",
                               _said(body) or "a reprompt"))
        return misses
    speech = body.get("outputSpeech")
    if speech is None and not body.get("directives"):
        misses.append(Miss("response rule", "speech: every answer says something", "no outputSpeech"))
    if speech is not None:
        misses += _speech_misses("speech", speech)
    if body.get("shouldEndSession") is False:
        reprompt = (body.get("reprompt") or {}).get("outputSpeech")
        if reprompt is None:
            misses.append(Miss("response rule", "a reprompt whenever the session stays open", "no reprompt"))
        else:
            misses += _speech_misses("reprompt", reprompt)
    return misses


def _speech_misses(what: str, speech: dict[str, Any]) -> list[Miss]:
    if speech.get("type") != "SSML":
        text = speech.get("text")
        return [] if isinstance(text, str) and text.strip() else [Miss("response rule", f"{what} text", "empty")]
    ssml = speech.get("ssml")
    if not isinstance(ssml, str):
        return [Miss("response rule", f"{what} SSML", "none")]
    try:
        root = ET.fromstring(ssml)
    except ET.ParseError as err:
        return [Miss("response rule", f"well-formed SSML in the {what}", f"{err}: {ssml[:200]}")]
    misses = []
    if root.tag != "speak":
        misses.append(Miss("response rule", f"the {what} SSML inside <speak>", f"<{root.tag}>"))
    if len(ssml) > MAX_SPEECH_CHARACTERS:
        misses.append(Miss("response rule", f"{what} under {MAX_SPEECH_CHARACTERS} characters", str(len(ssml))))
    if not readable(ssml):
        misses.append(Miss("response rule", f"the {what} to say something", ssml))
    return misses


def response_misses(expect: Expectations, response: dict[str, Any], session_open: bool) -> list[Miss]:
    body = response.get("response") or {}
    misses = _text_misses("speech", expect.speech, _said(body))
    reprompt = ((body.get("reprompt") or {}).get("outputSpeech")) or None
    misses += _text_misses("reprompt", expect.reprompt, _speech_text(reprompt) if reprompt else None)
    card = body.get("card")
    if expect.card is not None:
        title = str(card.get("title", "")) if card else None
        content = str(card.get("content") or card.get("text") or "") if card else None
        misses += _text_misses("card", expect.card.whole, f"{title}: {content}" if card else None)
        misses += _text_misses("card title", expect.card.title, title)
        misses += _text_misses("card content", expect.card.content, content)
    if expect.session is not None and expect.session != ("open" if session_open else "ended"):
        misses.append(Miss("session", f"to be {expect.session}", "open" if session_open else "ended"))
    if expect.directive is not None:
        types = [str(d.get("type")) for d in body.get("directives") or []]
        if expect.directive is False and types:
            misses.append(Miss("directive", "none", ", ".join(types)))
        elif isinstance(expect.directive, str) and expect.directive not in types:
            misses.append(Miss("directive", expect.directive, ", ".join(types) or "none"))
    return misses


def _text_misses(what: str, check: TextCheck | None, text: str | None) -> list[Miss]:
    if check is None:
        return []
    return [Miss(what, expected, f'"{text}"' if text is not None else "none") for expected in check.misses(text)]


def _said(body: dict[str, Any]) -> str | None:
    speech = body.get("outputSpeech")
    return _speech_text(speech) if speech else None


def _speech_text(speech: dict[str, Any]) -> str:
    return readable(str(speech.get("ssml") or speech.get("text") or ""))


def household_misses(check: HouseholdCheck, household: Household | None) -> list[Miss]:
    """The stored household (a `Household`, or None when there is none) against the script's expectations."""
    expected = check.expected
    what = f"household (line {check.line})"
    if "deleted" in expected and expected["deleted"] != (household is None):
        return [Miss(what, "deleted" if expected["deleted"] else "stored", "stored" if household else "deleted")]
    if household is None:
        return [Miss(what, "a stored household", "none is stored")] if set(expected) - {"deleted"} else []
    misses = []

    def compare(key: str, actual: Any, shown: Callable[[Any], str] = repr) -> None:
        if key in expected and expected[key] != actual:
            misses.append(Miss(f"{what} {key}", shown(expected[key]), shown(actual)))

    compare("names", household.names, lambda v: " and ".join(v) if v else "none")
    compare("names asked", household.names_asked)
    compare("completed", household.completed)
    reminder = getattr(household, "reminder", None)
    compare("reminder", reminder.time if reminder else None, lambda v: v or "none")
    if "history" in expected:
        ids = tuple(c.exercise for c in household.history)
        compare("history", ids if isinstance(expected["history"], tuple) else len(ids),
                lambda v: ", ".join(v) or "empty" if isinstance(v, tuple) else f"{v} entries")
    if "progress" in expected:
        progress = household.progress
        actual = None if progress is None else {"exercise": progress.exercise, "step": progress.step,
                                                "round": progress.round + 1}
        want = expected["progress"]
        if want is None or actual is None:
            compare("progress", actual, lambda v: "none" if v is None else _progress(v))
        else:
            compare("progress", {k: actual[k] for k in want}, _progress)
    return misses


def _progress(value: dict[str, Any]) -> str:
    return ", ".join(f"{k} {v}" for k, v in value.items())


# -- reporting --


def report(result: Result) -> list[str]:
    """The lines that tell a person why a conversation failed: where, what was expected, what was said."""
    conversation = result.conversation
    lines = [f'FAILED {conversation.where}  "{conversation.name}"']
    turn = result.failed_turn
    if turn is not None:
        number = conversation.turns.index(turn) + 1
        lines.append(f"  turn {number} (line {turn.line}): {turn.written}")
    elif conversation.household is not None and result.transcript:
        lines.append("  after the last turn, in the stored household:")
    for miss in result.misses:
        lines.append(f"    {miss.what}: {miss.expected}")
        lines.append(f"    {' ' * len(miss.what)}  got: {miss.got}")
    if result.transcript:
        shown = result.transcript[-TRANSCRIPT_TAIL:]
        lines.append("  the conversation" + (" so far:" if len(shown) == len(result.transcript) else
                                             f" (last {len(shown)} lines):"))
        lines += [f"    {line}" for line in shown]
    return lines


@contextmanager
def replaying(url: str | None = None, db: Path | None = None, skill_id: str = LOCAL_SKILL_ID,
              timeout: float = 10.0, package: Path = SKILL_PACKAGE) -> Iterator[Replay]:
    """A Replay in process (on `db`, or a temporary SQLite file) or against `url` (checking households in `db`)."""
    from ..store.sqlite import SqliteStore

    with running() as api_standin, tempfile.TemporaryDirectory(prefix="closer-replay-") as scratch:
        if url:
            store = SqliteStore(db) if db else None
            yield Replay(HttpEndpoint(url, timeout), store, api_standin=api_standin, skill_id=skill_id, package=package)
            return
        from ..config import Settings
        from ..skill import build_skill

        path = db or Path(scratch) / "households.sqlite3"
        store = SqliteStore(path)
        skill = build_skill(Settings(skill_id=None, db_path=path), store=store)
        yield Replay(skill.handle, store, api_standin=api_standin, skill_id=skill_id, package=package)


def run_files(conversations: list[Conversation], replay: Replay, out: TextIO | None = None,
              transcripts: bool = False, explained: bool = False) -> int:
    """Play every conversation, print what happened; 0 when all passed, 1 otherwise."""
    out = out or sys.stdout
    passed = failed = 0
    unchecked: list[Result] = []
    for conversation in conversations:
        result = replay.run(conversation, explained=explained)
        if result.passed:
            passed += 1
            print(f'passed {conversation.where}  "{conversation.name}"', file=out)
            if transcripts or explained:
                print("\n".join(f"    {line}" for line in result.transcript), file=out)
        else:
            failed += 1
            print("\n".join(report(result)), file=out)
        if result.unchecked:
            unchecked.append(result)
    if unchecked:
        print(f"household expectations NOT CHECKED in {len(unchecked)} conversation(s): {unchecked[0].unchecked}",
              file=out)
    print(f"{passed} passed, {failed} failed", file=out)
    return 1 if failed else 0


def main_replay(files: list[Path], *, url: str | None = None, db: Path | None = None,
                skill_id: str = LOCAL_SKILL_ID, timeout: float = 10.0, transcripts: bool = False,
                explained: bool = False, out: TextIO | None = None) -> int:
    """`closer replay`: 0 when every conversation passed, 1 when one failed, 2 when the scripts cannot be run."""
    out = out or sys.stdout
    from .dialog import ScriptError, load, script_files

    try:
        paths = list(script_files(files))
        conversations = [conversation for path in paths for conversation in load(path)]
    except ScriptError as err:
        print(f"closer replay: {err}", file=sys.stderr)
        return 2
    if not conversations:
        print("closer replay: no dialog scripts (*.yaml) found in " + ", ".join(map(str, files)), file=sys.stderr)
        return 2
    if url and db and not db.is_file():
        print(f"closer replay: --db {db} does not exist; it should be the SQLite file the server at --url uses",
              file=sys.stderr)
        return 2
    try:
        with replaying(url, db, skill_id, timeout) as replay:
            return run_files(conversations, replay, out, transcripts=transcripts, explained=explained)
    except ValueError as err:  # a malformed --url
        print(f"closer replay: {err}", file=sys.stderr)
        return 2
