"""Dialog scripts: conversations with the skill written down as YAML, each turn with what Alexa should answer.

The format is described in docs/dialog-scripts.md. Loading checks the whole file (unknown keys, malformed turns,
bad regular expressions, duplicate names) so a typo is an error at load time, never an expectation that quietly
cannot fail. Scalars are read as YAML 1.2 reads them: `yes`, `no` and `on` are words a couple says, not booleans.
Line numbers are kept, so every failure points at its line in the script.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

import yaml

TurnKind = Literal["say", "intent", "request", "wait", "later"]
TURN_KEYS = ("speech", "reprompt", "card", "session", "directive", "intent", "slots")
TEXT_KEYS = ("any", "all", "not", "is")
CARD_KEYS = ("title", "content")
SETTING_KEYS = ("locale", "user", "at", "new household", "time zone", "reminders")
CONVERSATION_KEYS = ("name", *SETTING_KEYS, "turns", "household")
HOUSEHOLD_KEYS = ("names", "names asked", "progress", "history", "completed", "deleted", "reminder")
PROGRESS_KEYS = ("exercise", "step", "round")
LATER_UNITS = {"second": "seconds", "minute": "minutes", "hour": "hours", "day": "days", "week": "weeks"}
INTENT_TURN = re.compile(r"(?:AMAZON\.)?[A-Z][A-Za-z0-9_]*Intent")
REQUEST_TURN = re.compile(r"[A-Z][A-Za-z]*(?:\.[A-Z][A-Za-z]*)*(?:Request|\.[A-Z][A-Za-z]*)")


class ScriptError(Exception):
    """A dialog script that cannot be read as written; the message starts with file:line."""


# -- what a turn expects --


@dataclass(frozen=True)
class Pattern:
    """One expected piece of text: a partial text (case and spacing ignored) or a /regular expression/."""

    written: str
    regex: re.Pattern[str]

    def found_in(self, text: str) -> bool:
        return self.regex.search(text) is not None

    def __str__(self) -> str:
        return self.written if self.written.startswith("/") else f'"{self.written}"'


@dataclass(frozen=True)
class TextCheck:
    """What a text Alexa gives (speech, reprompt, card) must be: absent, present, or what it contains."""

    all_of: tuple[Pattern, ...] = ()
    any_of: tuple[Pattern, ...] = ()
    none_of: tuple[Pattern, ...] = ()
    exactly: str | None = None
    absent: bool = False
    present: bool = False

    def misses(self, text: str | None) -> list[str]:
        """What is wrong with `text` (None: there is none), each as "expected ..."."""
        if self.absent:
            return [] if not text else ["expected none"]
        if text is None:
            return ["expected one, there is none"]
        wrong = [f"expected to contain {p}" for p in self.all_of if not p.found_in(text)]
        if self.any_of and not any(p.found_in(text) for p in self.any_of):
            wrong.append("expected to contain any of " + ", ".join(map(str, self.any_of)))
        wrong += [f"expected not to contain {p}" for p in self.none_of if p.found_in(text)]
        if self.exactly is not None and " ".join(text.split()) != " ".join(self.exactly.split()):
            wrong.append(f'expected exactly "{self.exactly}"')
        return wrong


@dataclass(frozen=True)
class CardCheck:
    whole: TextCheck | None = None  # matched against "title: content"
    title: TextCheck | None = None
    content: TextCheck | None = None


@dataclass(frozen=True)
class Expectations:
    speech: TextCheck | None = None
    reprompt: TextCheck | None = None
    card: CardCheck | None = None
    session: Literal["open", "ended"] | None = None
    directive: str | bool | None = None  # a directive type that must be sent, or False for none at all
    intent: str | None = None  # what the utterance resolved to: an intent name, or LaunchRequest
    slots: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Turn:
    line: int
    written: str
    kind: TurnKind
    name: str = ""  # the intent or request type; the utterance for "say"
    fields: dict[str, str] = field(default_factory=dict)  # slots, or fields of a raw request ("payload.status")
    later: timedelta | None = None
    expect: Expectations = field(default_factory=Expectations)


# -- what the household should look like afterwards --


@dataclass(frozen=True)
class HouseholdCheck:
    line: int
    expected: dict[str, Any]  # key (HOUSEHOLD_KEYS) -> expected value, already validated


# -- a conversation --


@dataclass(frozen=True)
class Settings:
    locale: str = "en-US"
    user: str | None = None
    at: datetime | None = None
    new_household: bool = False
    time_zone: str = "UTC"
    reminders_allowed: bool = False


@dataclass(frozen=True)
class Conversation:
    file: Path
    line: int
    name: str
    settings: Settings
    turns: tuple[Turn, ...]
    household: HouseholdCheck | None = None

    @property
    def where(self) -> str:
        return f"{_shown(self.file)}:{self.line}"


def load(path: Path) -> list[Conversation]:
    """The conversations in one script file, checked; raises ScriptError naming the file and line."""
    try:
        root = yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    except yaml.YAMLError as err:
        raise ScriptError(f"{_shown(path)}: not valid YAML: {err}") from err
    except OSError as err:
        raise ScriptError(f"{_shown(path)}: cannot read it: {err}") from err
    reader = _Reader(path)
    if root is None:
        raise ScriptError(f"{_shown(path)}: the file is empty; it should hold conversations")
    defaults = Settings()
    items: yaml.Node = root
    if isinstance(root, yaml.MappingNode):
        top = reader.mapping(root, ("settings", "conversations"), "the file")
        if "conversations" not in top:
            raise reader.error(root, 'the file needs "conversations:", a list of conversations')
        if "settings" in top:
            defaults = reader.settings(top["settings"], defaults,
                                       reader.mapping(top["settings"], SETTING_KEYS, "settings"))
        items = top["conversations"]
    conversations = [reader.conversation(node, defaults) for node in reader.sequence(items, "conversations")]
    seen: dict[str, int] = {}
    for conversation in conversations:
        if conversation.name in seen:
            raise ScriptError(f"{_shown(path)}:{conversation.line}: a second conversation named "
                              f'"{conversation.name}" (the first is on line {seen[conversation.name]})')
        seen[conversation.name] = conversation.line
    if not conversations:
        raise reader.error(items, "no conversations in this file")
    return conversations


def script_files(paths: list[Path]) -> Iterator[Path]:
    """The script files named, with folders standing for the *.yaml and *.yml files in them."""
    for path in paths:
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())
        else:
            yield path


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


class _Reader:
    """Walks the YAML node tree (not the loaded data), so it knows every line and reads scalars as YAML 1.2."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def error(self, node: yaml.Node, message: str) -> ScriptError:
        return ScriptError(f"{_shown(self.path)}:{node.start_mark.line + 1}: {message}")

    # -- shapes --

    def mapping(self, node: yaml.Node, allowed: tuple[str, ...], what: str) -> dict[str, yaml.Node]:
        if not isinstance(node, yaml.MappingNode):
            raise self.error(node, f"{what} should be a mapping of {', '.join(allowed)}")
        result: dict[str, yaml.Node] = {}
        for key_node, value in node.value:
            key = self.text(key_node, f"a key of {what}")
            if key not in allowed:
                raise self.error(key_node, f'unknown key "{key}" in {what} (known: {", ".join(allowed)})')
            if key in result:
                raise self.error(key_node, f'"{key}" twice in {what}')
            result[key] = value
        return result

    def sequence(self, node: yaml.Node, what: str) -> list[yaml.Node]:
        if not isinstance(node, yaml.SequenceNode):
            raise self.error(node, f"{what} should be a list")
        return list(node.value)

    def scalar(self, node: yaml.Node, what: str) -> str | bool | None:
        if not isinstance(node, yaml.ScalarNode):
            raise self.error(node, f"{what} should be a single value")
        value = str(node.value)
        if node.style is None and value.lower() in ("true", "false"):
            return value.lower() == "true"
        if node.style is None and value in ("", "~", "null", "Null", "NULL"):
            return None
        return value

    def text(self, node: yaml.Node, what: str) -> str:
        value = self.scalar(node, what)
        if not isinstance(value, str) or not value.strip():
            raise self.error(node, f"{what} should be text")
        return value.strip()

    def whole(self, node: yaml.Node, what: str) -> int:
        value = self.scalar(node, what)
        if not isinstance(value, str) or not value.strip().isdigit():
            raise self.error(node, f"{what} should be a whole number")
        return int(value)

    def flag(self, node: yaml.Node, what: str) -> bool:
        value = self.scalar(node, what)
        if not isinstance(value, bool):
            raise self.error(node, f"{what} should be true or false")
        return value

    # -- conversations --

    def settings(self, node: yaml.Node, base: Settings, found: dict[str, yaml.Node]) -> Settings:
        values: dict[str, Any] = {}
        if "locale" in found:
            values["locale"] = self.text(found["locale"], "locale")
        if "user" in found:
            values["user"] = self.text(found["user"], "user")
        if "at" in found:
            stamp = self.text(found["at"], "at")
            try:
                moment = datetime.fromisoformat(stamp)
            except ValueError as err:
                raise self.error(found["at"], f"at should be an ISO 8601 moment, not {stamp!r}") from err
            values["at"] = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        if "new household" in found:
            values["new_household"] = self.flag(found["new household"], "new household")
        if "time zone" in found:
            values["time_zone"] = self.text(found["time zone"], "time zone")
        if "reminders" in found:
            allowed = self.text(found["reminders"], "reminders")
            if allowed not in ("allowed", "not allowed"):
                raise self.error(found["reminders"], 'reminders should be "allowed" or "not allowed"')
            values["reminders_allowed"] = allowed == "allowed"
        return replace(base, **values)

    def conversation(self, node: yaml.Node, defaults: Settings) -> Conversation:
        found = self.mapping(node, CONVERSATION_KEYS, "a conversation")
        if "name" not in found or "turns" not in found:
            raise self.error(node, 'a conversation needs a "name" and its "turns"')
        settings = self.settings(node, defaults, found)
        turns = tuple(self.turn(t) for t in self.sequence(found["turns"], "turns"))
        if not any(t.kind not in ("later",) for t in turns):
            raise self.error(found["turns"], "a conversation needs at least one turn that talks to the skill")
        household = self.household(found["household"]) if "household" in found else None
        return Conversation(self.path, node.start_mark.line + 1, self.text(found["name"], "name"), settings, turns,
                            household)

    # -- turns --

    def turn(self, node: yaml.Node) -> Turn:
        if isinstance(node, yaml.ScalarNode):
            return self.action(node, self.text(node, "a turn"), Expectations())
        if isinstance(node, yaml.MappingNode) and len(node.value) == 1:
            key_node, value = node.value[0]
            return self.action(key_node, self.text(key_node, "a turn"), self.expectations(value))
        raise self.error(node, "a turn is what the user says, alone or as `what is said: what Alexa answers`")

    def action(self, node: yaml.Node, written: str, expect: Expectations) -> Turn:
        line = node.start_mark.line + 1
        if written.startswith("/"):
            command, _, rest = written.partition(" ")
            if command == "/wait" and not rest:
                return Turn(line, written, "wait", expect=expect)
            if command == "/later":
                if expect != Expectations():
                    raise self.error(node, "/later sends nothing, so it can expect nothing")
                return Turn(line, written, "later", later=self.duration(node, rest))
            raise self.error(node, f'unknown command "{written}" (known: /wait, /later <number> <unit>)')
        first, _, rest = written.partition(" ")
        if INTENT_TURN.fullmatch(first) or REQUEST_TURN.fullmatch(first):
            kind: TurnKind = "intent" if INTENT_TURN.fullmatch(first) else "request"
            if kind == "request" and (expect.intent or expect.slots):
                raise self.error(node, "intent and slots expectations are for what the user says")
            return Turn(line, written, kind, first, self.assignments(node, rest), expect=expect)
        return Turn(line, written, "say", written, expect=expect)

    def assignments(self, node: yaml.Node, rest: str) -> dict[str, str]:
        try:
            words = shlex.split(rest)
        except ValueError as err:
            raise self.error(node, f"cannot read {rest!r}: {err}") from err
        fields: dict[str, str] = {}
        for word in words:
            name, equals, value = word.partition("=")
            if not equals or not re.fullmatch(r"[A-Za-z_][\w.]*", name):
                raise self.error(node, f'"{word}" should be name=value (quote values with spaces: name="a b")')
            fields[name] = value
        return fields

    def duration(self, node: yaml.Node, text: str) -> timedelta:
        match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([a-z]+?)s?", text.strip())
        if not match or match.group(2) not in LATER_UNITS:
            raise self.error(node, f'/later needs a number and a unit ({", ".join(LATER_UNITS)}), not "{text}"')
        return timedelta(**{LATER_UNITS[match.group(2)]: float(match.group(1))})

    def expectations(self, node: yaml.Node) -> Expectations:
        if isinstance(node, yaml.ScalarNode) and self.scalar(node, "") is None:
            return Expectations()
        keys = self._keys(node)
        if not isinstance(node, yaml.MappingNode) or (keys & set(TEXT_KEYS) and not keys & set(TURN_KEYS)):
            return Expectations(speech=self.text_check(node, "speech"))  # the shorthand: what Alexa says
        found = self.mapping(node, TURN_KEYS, "a turn's expectations")
        session = None
        if "session" in found:
            session = self.text(found["session"], "session")
            if session not in ("open", "ended"):
                raise self.error(found["session"], 'session should be "open" or "ended"')
        directive: str | bool | None = None
        if "directive" in found:
            value = self.scalar(found["directive"], "directive")
            if value is True or value is None:
                raise self.error(found["directive"], "directive should be a directive type, or false for none")
            directive = value
        slots = {}
        if "slots" in found:
            if not isinstance(found["slots"], yaml.MappingNode):
                raise self.error(found["slots"], "slots should be a mapping of slot name: value")
            slots = {k: self.text(v, f"slot {k}") for k, v in self.mapping(
                found["slots"], tuple(self._keys(found["slots"])), "slots").items()}
        return Expectations(
            speech=self.text_check(found["speech"], "speech") if "speech" in found else None,
            reprompt=self.text_check(found["reprompt"], "reprompt") if "reprompt" in found else None,
            card=self.card_check(found["card"]) if "card" in found else None,
            session="open" if session == "open" else "ended" if session else None,
            directive=directive,
            intent=self.text(found["intent"], "intent") if "intent" in found else None,
            slots=slots)

    def _keys(self, node: yaml.Node) -> set[str]:
        if not isinstance(node, yaml.MappingNode):
            return set()
        return {str(k.value) for k, _ in node.value}

    def text_check(self, node: yaml.Node, what: str) -> TextCheck:
        if isinstance(node, yaml.ScalarNode):
            value = self.scalar(node, what)
            if value is None or value is False:
                return TextCheck(absent=True)
            if value is True:
                return TextCheck(present=True)
            return TextCheck(all_of=(self.pattern(node, value),))
        if isinstance(node, yaml.SequenceNode):
            return TextCheck(any_of=self.patterns(node, what))
        found = self.mapping(node, TEXT_KEYS, what)
        return TextCheck(all_of=self.patterns(found["all"], what) if "all" in found else (),
                         any_of=self.patterns(found["any"], what) if "any" in found else (),
                         none_of=self.patterns(found["not"], what) if "not" in found else (),
                         exactly=self.text(found["is"], f"{what} is") if "is" in found else None)

    def card_check(self, node: yaml.Node) -> CardCheck:
        keys = self._keys(node)
        if keys and keys <= set(CARD_KEYS):
            found = self.mapping(node, CARD_KEYS, "card")
            return CardCheck(title=self.text_check(found["title"], "card title") if "title" in found else None,
                             content=self.text_check(found["content"], "card content") if "content" in found
                             else None)
        return CardCheck(whole=self.text_check(node, "card"))

    def patterns(self, node: yaml.Node, what: str) -> tuple[Pattern, ...]:
        nodes = self.sequence(node, what) if isinstance(node, yaml.SequenceNode) else [node]
        return tuple(self.pattern(n, self.text(n, what)) for n in nodes)

    def pattern(self, node: yaml.Node, written: str) -> Pattern:
        regex = re.fullmatch(r"/(.+)/([ims]*)", written, re.DOTALL)
        if regex:
            flags = 0
            for letter in regex.group(2):
                flags |= {"i": re.IGNORECASE, "m": re.MULTILINE, "s": re.DOTALL}[letter]
            try:
                return Pattern(written, re.compile(regex.group(1), flags))
            except re.error as err:
                raise self.error(node, f"bad regular expression {written}: {err}") from err
        words = [re.escape(word) for word in written.split()]
        return Pattern(written, re.compile(r"\s+".join(words), re.IGNORECASE))

    # -- the household --

    def household(self, node: yaml.Node) -> HouseholdCheck:
        found = self.mapping(node, HOUSEHOLD_KEYS, "household")
        expected: dict[str, Any] = {}
        for key, value in found.items():
            if key == "names":
                if isinstance(value, yaml.SequenceNode):
                    names = tuple(self.text(n, "a name") for n in value.value)
                    if len(names) != 2:
                        raise self.error(value, "names should be two names, or false")
                    expected[key] = names
                elif self.scalar(value, "names") is False:
                    expected[key] = None
                else:
                    raise self.error(value, "names should be two names, or false")
            elif key in ("names asked", "deleted"):
                expected[key] = self.flag(value, key)
            elif key == "completed":
                expected[key] = self.whole(value, key)
            elif key == "history":
                if isinstance(value, yaml.SequenceNode):
                    expected[key] = tuple(self.text(n, "an exercise id") for n in value.value)
                else:
                    expected[key] = self.whole(value, "history (a count, or a list of exercise ids)")
            elif key == "reminder":
                expected[key] = None if self.scalar(value, key) is False else self.text(value, "reminder")
            elif key == "progress":
                expected[key] = self.progress(value)
        return HouseholdCheck(node.start_mark.line + 1, expected)

    def progress(self, node: yaml.Node) -> dict[str, str | int] | None:
        if isinstance(node, yaml.ScalarNode):
            value = self.scalar(node, "progress")
            if value is False:
                return None
            return {"exercise": self.text(node, "progress (an exercise id, a mapping, or false)")}
        found = self.mapping(node, PROGRESS_KEYS, "progress")
        expected: dict[str, str | int] = {k: self.text(v, k) for k, v in found.items() if k != "round"}
        if "round" in found:
            expected["round"] = self.whole(found["round"], "round")
        return expected
