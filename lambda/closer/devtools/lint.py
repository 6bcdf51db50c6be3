"""`closer lint`: the skill package against the certification rules a machine can check (REFERENCE.md section 4).

It reads skill.json and every interaction model in skill-package/, and the skill's own handlers: the invocation
name, the required built-in intents, sample utterances (characters, braces, declared slots, duplicates within and
across intents, no wake word or invocation name inside), custom slot types, the example phrases (each must match
a sample, through the same resolver `closer chat` uses), a model, a privacy policy and a disclaimer for every
published locale, and that every intent has a handler and every handled intent exists in every model.

Each finding names the file and, where there is one, the offending utterance. Errors fail the run (exit 1);
warnings (a placeholder URL, an unused slot type) are reported and do not.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TextIO
from urllib.parse import urlsplit

from .model import SKILL_PACKAGE, InteractionModel
from .resolver import FALLBACK, Resolver, normalise

LAUNCH_WORDS = ("run", "start", "play", "resume", "use", "launch", "ask", "open", "tell", "load", "begin", "enable")
CONNECTING_WORDS = ("to", "from", "in", "using", "with", "about", "for", "that", "by", "if", "and", "whether")
RESERVED_WORDS = ("alexa", "amazon", "echo", "skill", "app")
REQUIRED_BUILT_INS = ("AMAZON.HelpIntent", "AMAZON.StopIntent", "AMAZON.CancelIntent", "AMAZON.NavigateHomeIntent",
                      "AMAZON.FallbackIntent")
SAMPLE_PUNCTUATION = set(" '._-{}")
MAX_EXAMPLE_PHRASES = 3
DISCLAIMER = re.compile(r"\bnot\b[^.]{0,60}\b(?:therapy|counsell?ing|professional|medical)\b"
                        r"|\bdoes not replace\b[^.]{0,40}\bprofessional", re.IGNORECASE)
PLACEHOLDER_HOSTS = re.compile(r"(?:^|\.)(?:example(?:\.com|\.org|\.net)?|localhost|test|invalid)$")
_NO_SUCH_INTENT = "CloserLintNoSuchIntent"


@dataclass(frozen=True)
class Finding:
    level: Literal["error", "warning"]
    file: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.level}: {self.message}"


@dataclass(frozen=True)
class Handled:
    """What the skill's handlers answer: intent name -> handler class, and whether one answers anything at all."""

    intents: dict[str, str]
    catch_all: str | None

    @classmethod
    def of(cls, handlers: Sequence[Any]) -> Handled:
        intents: dict[str, str] = {}
        for handler in handlers:
            for name in getattr(handler, "intents", ()):
                intents.setdefault(name, getattr(handler, "name", type(handler).__name__))
        catch_all = next((type(h).__name__ for h in handlers if _answers_anything(h)), None)
        return cls(intents, catch_all)

    def handler_for(self, intent: str) -> str | None:
        if intent in self.intents:
            return self.intents[intent]
        return self.catch_all if intent == FALLBACK else None


def _answers_anything(handler: Any) -> bool:
    """True for a catch-all: a handler that says yes to an intent no model has."""
    from ask_sdk_core.handler_input import HandlerInput
    from ask_sdk_model import Intent, IntentRequest, RequestEnvelope

    probe = HandlerInput(request_envelope=RequestEnvelope(request=IntentRequest(intent=Intent(name=_NO_SUCH_INTENT))))
    try:
        return bool(handler.can_handle(probe))
    except Exception:  # noqa: BLE001 - a handler that cannot look at a bare request is no catch-all
        return False


def skill_handlers() -> Handled:
    from ..handlers import ALL

    return Handled.of(ALL)


class _Lint:
    def __init__(self, package: Path, handled: Handled) -> None:
        self.package = package
        self.handled = handled
        self.findings: list[Finding] = []

    def shown(self, path: Path) -> str:
        for base in (Path.cwd(), self.package.parent):
            try:
                return str(path.resolve().relative_to(base.resolve()))
            except ValueError:
                continue
        return str(path)

    def error(self, path: Path, message: str) -> None:
        self.findings.append(Finding("error", self.shown(path), message))

    def warn(self, path: Path, message: str) -> None:
        self.findings.append(Finding("warning", self.shown(path), message))

    # -- the whole package --

    def run(self) -> list[Finding]:
        manifest_path = self.package / "skill.json"
        manifest = self.read_json(manifest_path)
        models_dir = self.package / "interactionModels" / "custom"
        models: dict[str, tuple[Path, dict[str, Any]]] = {}
        for path in sorted(models_dir.glob("*.json")):
            data = self.read_json(path)
            if data is not None:
                models[path.stem] = (path, data)
                self.model(path, data)
        if manifest is None:
            return self.findings
        info = _get(manifest, "manifest", "publishingInformation", "locales")
        if not isinstance(info, dict) or not info:
            self.error(manifest_path, "manifest.publishingInformation.locales lists no locale")
            return self.findings
        for locale in sorted(set(models) - set(info)):
            self.warn(models[locale][0], f"a model for {locale}, which publishingInformation.locales does not list")
        privacy = _get(manifest, "manifest", "privacyAndCompliance") or {}
        for locale, published in info.items():
            if locale not in models:
                self.error(manifest_path, f"publishingInformation lists {locale} but there is no "
                                          f"interactionModels/custom/{locale}.json")
            self.locale(manifest_path, locale, published if isinstance(published, dict) else {}, privacy,
                        models.get(locale))
        return self.findings

    def read_json(self, path: Path) -> dict[str, Any] | None:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except OSError as err:
            self.error(path, f"cannot read it: {err.strerror or err}")
            return None
        except ValueError as err:
            self.error(path, f"not valid JSON: {err}")
            return None
        if not isinstance(data, dict):
            self.error(path, "should hold a JSON object")
            return None
        return data

    # -- one interaction model --

    def model(self, path: Path, data: dict[str, Any]) -> None:
        language = _get(data, "interactionModel", "languageModel")
        if not isinstance(language, dict):
            self.error(path, "no interactionModel.languageModel")
            return
        invocation = str(language.get("invocationName", ""))
        self.invocation_name(path, invocation)
        intents = [i for i in language.get("intents") or [] if isinstance(i, dict)]
        types = {str(t.get("name")): t for t in language.get("types") or [] if isinstance(t, dict)}
        names = [str(i.get("name", "")) for i in intents]
        for name in sorted({n for n in names if names.count(n) > 1}):
            self.error(path, f"intent {name} is defined {names.count(name)} times")
        for required in REQUIRED_BUILT_INS:
            if required not in names:
                self.error(path, f"the required built-in intent {required} is missing")
        seen: dict[str, tuple[str, str]] = {}  # normalised sample -> (intent, sample as written)
        used_types: set[str] = set()
        for intent in intents:
            used_types |= self.intent(path, intent, types, normalise(invocation), seen)
        for type_name, slot_type in types.items():
            self.slot_type(path, type_name, slot_type)
            if type_name not in used_types:
                self.warn(path, f"slot type {type_name} is used by no intent")
        self.handlers(path, set(names))

    def invocation_name(self, path: Path, name: str) -> None:
        where = f'invocation name "{name}"'
        if not name:
            self.error(path, "no invocation name")
            return
        if re.search(r"\d", name):
            self.error(path, f"{where} has digits: spell numbers out")
        if name != name.lower():
            self.error(path, f"{where} must be lowercase")
        if re.search(r"[^a-z0-9' .]", name.lower()):
            self.error(path, f"{where} may hold only letters, spaces, apostrophes and periods")
        tokens = name.lower().split()
        if any("." in t and not re.fullmatch(r"[a-z]\.", t) for t in tokens):
            self.error(path, f'{where}: periods only in spaced abbreviations, such as "a. b. c."')
        if any("'" in t and not re.fullmatch(r"[a-z]+'s|[a-z]+s'", t) for t in tokens):
            self.error(path, f"{where}: apostrophes only for possessives")
        words = name.lower().replace(".", " ").split()
        if len(words) < 2:
            self.error(path, f"{where} must have at least two words")
        for group, listed in (("a launch word", LAUNCH_WORDS), ("a connecting word", CONNECTING_WORDS),
                              ("a reserved word", RESERVED_WORDS)):
            for word in words:
                if word in listed:
                    self.error(path, f'{where} contains {group}, "{word}"')

    def intent(self, path: Path, intent: dict[str, Any], types: dict[str, Any], invocation: str,
               seen: dict[str, tuple[str, str]]) -> set[str]:
        name = str(intent.get("name", ""))
        slots = [s for s in intent.get("slots") or [] if isinstance(s, dict)]
        declared = {str(s.get("name")): str(s.get("type")) for s in slots}
        slot_names = [str(s.get("name")) for s in slots]
        for slot in sorted({s for s in slot_names if slot_names.count(s) > 1}):
            self.error(path, f"{name} declares the slot {{{slot}}} twice")
        for slot, slot_type in declared.items():
            if not slot_type.startswith("AMAZON.") and slot_type not in types:
                self.error(path, f"{name} slot {{{slot}}} has the type {slot_type}, which the model does not define")
        samples = [str(s) for s in intent.get("samples") or []]
        if not name.startswith("AMAZON.") and not samples:
            self.error(path, f"custom intent {name} has no sample utterances")
        used: set[str] = set()
        for sample in samples:
            used |= self.sample(path, name, sample, declared, invocation, seen)
        for slot in sorted(set(declared) - used):
            if samples:
                self.warn(path, f"{name} declares the slot {{{slot}}} but no sample uses it")
        return set(declared.values())

    def sample(self, path: Path, intent: str, sample: str, declared: dict[str, str], invocation: str,
               seen: dict[str, tuple[str, str]]) -> set[str]:
        where = f'{intent} sample "{sample}"'
        bad = sorted({c for c in sample if not (c.isalpha() or c in SAMPLE_PUNCTUATION)})
        if bad:
            self.error(path, f"{where} has characters samples may not hold: {' '.join(bad)}"
                             + (" (spell numbers out)" if any(c.isdigit() for c in bad) else ""))
        if not _balanced(sample):
            self.error(path, f"{where} has unbalanced or nested braces")
        used = set(re.findall(r"\{([^{}]*)\}", sample))
        for slot in sorted(used - set(declared)):
            self.error(path, f"{where} uses the slot {{{slot}}}, which {intent} does not declare")
        words = normalise(re.sub(r"\{[^{}]*\}", " ", sample)).split()
        if "alexa" in words:
            self.error(path, f'{where} contains the wake word "alexa"')
        if invocation and f" {invocation} " in f" {' '.join(words)} ":
            self.error(path, f'{where} contains the invocation name "{invocation}"')
        key = " ".join(re.sub(r"\{[^{}]*\}", " {} ", sample.lower()).split())
        if key in seen:
            other_intent, other = seen[key]
            if other_intent == intent:
                self.error(path, f'{where} duplicates "{other}" in the same intent')
            else:
                self.error(path, f'{where} conflicts with {other_intent} sample "{other}"')
        else:
            seen[key] = (intent, sample)
        return used

    def slot_type(self, path: Path, name: str, slot_type: dict[str, Any]) -> None:
        values = [v for v in slot_type.get("values") or [] if isinstance(v, dict)]
        if not values:
            self.error(path, f"slot type {name} has no values")
            return
        spoken: dict[str, str] = {}  # normalised value or synonym -> the value it belongs to
        ids: dict[str, str] = {}
        for value in values:
            words = value.get("name") or {}
            main = str(words.get("value", ""))
            if not main.strip():
                self.error(path, f"slot type {name} has a value with no text")
                continue
            identifier = value.get("id")
            if identifier is not None:
                if str(identifier) in ids:
                    self.error(path, f'slot type {name}: values "{ids[str(identifier)]}" and "{main}" share the '
                                     f'id "{identifier}"')
                ids.setdefault(str(identifier), main)
            for said in (main, *[str(s) for s in words.get("synonyms") or []]):
                key = " ".join(said.lower().split())
                if key in spoken:
                    owner = spoken[key]
                    kind = "value" if said == main else "synonym"
                    self.error(path, f'slot type {name}: the {kind} "{said}" of "{main}" duplicates one of '
                                     f'"{owner}"')
                else:
                    spoken[key] = main

    def handlers(self, path: Path, intents: set[str]) -> None:
        for intent in sorted(intents):
            if self.handled.handler_for(intent) is None:
                only = f" (only the catch-all {self.handled.catch_all} would answer it)" \
                    if self.handled.catch_all else ""
                self.error(path, f"intent {intent} has no handler{only}")
        for intent, handler in sorted(self.handled.intents.items()):
            if intent not in intents:
                self.error(path, f"{handler} handles {intent}, which this model does not define")

    # -- one published locale --

    def locale(self, manifest: Path, locale: str, published: dict[str, Any], privacy: dict[str, Any],
               model: tuple[Path, dict[str, Any]] | None) -> None:
        description = str(published.get("description") or "")
        if not description.strip():
            self.error(manifest, f"{locale}: no description")
        elif not DISCLAIMER.search(description):
            self.error(manifest, f"{locale}: the description needs a disclaimer that the skill is not therapy or "
                                 "professional advice")
        if privacy.get("usesPersonalInfo") is not False:
            url = str(_get(privacy, "locales", locale, "privacyPolicyUrl") or "")
            parts = urlsplit(url)
            if not url:
                self.error(manifest, f"{locale}: no privacyPolicyUrl (the skill stores personal data)")
            elif parts.scheme != "https" or not parts.hostname:
                self.error(manifest, f'{locale}: privacyPolicyUrl "{url}" is not an https URL')
            elif PLACEHOLDER_HOSTS.search(parts.hostname):
                self.warn(manifest, f'{locale}: privacyPolicyUrl "{url}" is a placeholder; publish a real policy '
                                    "before submitting")
        phrases = [str(p) for p in published.get("examplePhrases") or []]
        if not phrases:
            self.error(manifest, f"{locale}: no example phrases")
        if len(phrases) > MAX_EXAMPLE_PHRASES:
            self.error(manifest, f"{locale}: {len(phrases)} example phrases; at most {MAX_EXAMPLE_PHRASES}")
        if model is None:
            return
        try:
            resolver = Resolver(InteractionModel.parse(model[1]))
        except (KeyError, TypeError, AttributeError) as err:
            self.error(model[0], f"cannot be read as an interaction model: {err!r}")
            return
        for number, phrase in enumerate(phrases):
            self.example_phrase(manifest, locale, phrase, resolver, first=number == 0)

    def example_phrase(self, manifest: Path, locale: str, phrase: str, resolver: Resolver, first: bool) -> None:
        where = f'{locale}: example phrase "{phrase}"'
        words = normalise(phrase)
        if first and not words.startswith("alexa "):
            self.error(manifest, f'{where}: the first example phrase starts with the wake word, "Alexa, ..."')
        heard = resolver.resolve(phrase)
        invoked = f" {resolver.invocation} " in f" {words} "
        if invoked and not heard.launch:
            self.error(manifest, f"{where} names the skill but is not a launch phrase Alexa knows "
                                 "(open, ask, tell, launch, start ... the invocation name)")
            return
        if first and not invoked:
            self.error(manifest, f'{where}: the first example phrase names the skill ("{resolver.invocation}")')
            return
        if heard.launch and heard.intent is None:
            return  # "Alexa, open closer together"
        intent = resolver.model.intent(heard.intent or "")
        if heard.intent in (FALLBACK, None) or intent is None or heard.sample not in intent.samples:
            self.error(manifest, f"{where} matches no sample utterance of the model")
            return
        unresolved = [n for n, fill in heard.slots.items() if fill.custom and fill.resolved_id is None]
        if unresolved:
            self.error(manifest, f"{where}: {', '.join(unresolved)} is not a value of its slot type")


def _balanced(sample: str) -> bool:
    depth = 0
    for char in sample:
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth not in (0, 1):
            return False
    return depth == 0


def _get(data: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def lint(package: Path = SKILL_PACKAGE, handled: Handled | None = None) -> list[Finding]:
    """Every finding for the skill package, errors and warnings, in file order."""
    return _Lint(package, handled or skill_handlers()).run()


def print_findings(findings: Iterable[Finding], out: TextIO) -> tuple[int, int]:
    errors = warnings = 0
    for finding in findings:
        print(finding, file=out)
        errors += finding.level == "error"
        warnings += finding.level == "warning"
    return errors, warnings


def main_lint(package: Path | None = None, out: TextIO | None = None) -> int:
    package, out = package or SKILL_PACKAGE, out or sys.stdout
    if not (package / "skill.json").is_file():
        print(f"closer lint: {package} is not a skill package (no skill.json)", file=sys.stderr)
        return 2
    errors, warnings = print_findings(lint(package), out)
    models = len(list((package / "interactionModels" / "custom").glob("*.json")))
    print(f"closer lint: {errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)} "
          f"(skill.json and {models} interaction models)", file=out)
    return 1 if errors else 0
