"""The content catalogue: exercises, the daily prompt bank and the conversation's strings, loaded from TOML.

Loading validates everything (unknown fields, missing or empty text, unknown placeholders, unreachable steps) and
reports every problem at once, so a content change fails a test instead of failing a couple mid-exercise.
"""

from __future__ import annotations

import string
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

CONTENT_DIR = Path(__file__).resolve().parent.parent / "content"
DEFAULT_LOCALE = "en-US"

ROLE_PLACEHOLDERS = frozenset({"speaker", "listener", "partner_one", "partner_two"})
MIN_PROMPTS = 90
MAX_WORDS = 80  # about 30 seconds of speech: a hard ceiling; the style guide aims for 20

# Every conversation line the code asks for, with the placeholders it may use.
STRING_KEYS: Mapping[str, frozenset[str]] = {
    key: frozenset(names)
    for key, names in {
        "welcome_first": (),
        "ask_names_reprompt": (),
        "names_saved": ("names",),
        "names_skipped": (),
        "names_missing": (),
        "recommend": ("exercise", "pitch", "minutes"),
        "recommend_reprompt": ("exercise",),
        "welcome_back": (),
        "welcome_back_named": ("names",),
        "offer_resume": ("exercise", "round", "rounds"),
        "offer_resume_reprompt": ("exercise",),
        "offer_continue": ("exercise",),
        "offer_prompt": (),
        "offer_prompt_reprompt": (),
        "where_you_are": ("exercise", "round", "rounds"),
        "where_you_are_single": ("exercise",),
        "nothing_to_resume": (),
        "prompt_intro": (),
        "prompt_invite": (),
        "prompt_after": (),
        "prompt_oneshot_invite": (),
        "prompt_card_title": (),
        "declined": (),
        "menu": (),
        "menu_reprompt": (),
        "list_exercises": ("count", "exercises"),
        "list_reprompt": (),
        "unknown_exercise": ("exercises",),
        "help": (),
        "help_reprompt": (),
        "fallback": (),
        "fallback_in_exercise": (),
        "stray_answer": (),
        "stop_in_exercise": (),
        "pause_in_exercise": (),
        "goodbye": (),
        "home": (),
        "done_offer_prompt": (),
        "done_menu": (),
        "partner_one": (),
        "partner_two": (),
        "who_goes_first": (),
        "step_next_reprompt": (),
        "step_yes_no_reprompt": (),
        "progress_none": (),
        "progress_one": ("exercise",),
        "progress_many": ("count", "exercises"),
        "progress_total": ("total",),
        "safety": (),
        "safety_card_title": (),
        "delete_confirm": (),
        "delete_reprompt": (),
        "deleted": (),
        "delete_kept": (),
        "delete_failed": (),
        "error_apology": (),
        "error_reprompt": (),
        "save_failed": (),
        "and": (),
        "reminder_what_time": (),
        "reminder_what_time_reprompt": (),
        "reminder_set": ("time",),
        "reminder_changed": ("time",),
        "reminder_permission_intro": (),
        "reminder_permission_denied": (),
        "reminder_permission_not_answered": (),
        "reminder_permission_off": (),
        "reminder_unavailable": (),
        "reminder_none": (),
        "reminder_cancelled": (),
        "reminder_cancel_failed": (),
        "reminder_text": (),
    }.items()
}

_EXERCISE_FIELDS = {"id", "name", "section", "minutes", "pitch", "intro", "help", "rounds", "between_rounds",
                    "closing", "step", "rank"}
_STEP_FIELDS = {"id", "say", "timed", "after", "reprompt", "ask", "on_yes", "on_no", "no_goto", "detour", "goto"}


class CatalogueError(ValueError):
    """The content is invalid; the message lists every problem found."""


Text = tuple[str, ...]  # one or more variants of the same line


@dataclass(frozen=True)
class Step:
    id: str
    say: Text
    timed: int | None = None
    after: Text = ()
    reprompt: Text = ()
    yes_no: bool = False
    on_yes: Text = ()
    on_no: Text = ()
    no_goto: str | None = None
    detour: bool = False
    goto: str | None = None


@dataclass(frozen=True)
class Exercise:
    id: str
    name: str
    section: int
    minutes: int
    pitch: str
    intro: Text
    help: Text
    rounds: int
    between_rounds: Text
    closing: Text
    steps: tuple[Step, ...]
    rank: int = 50  # lower is suggested sooner to a couple who has not tried it yet

    def step(self, step_id: str) -> Step:
        for step in self.steps:
            if step.id == step_id:
                return step
        raise KeyError(step_id)

    def first_step(self) -> Step:
        return next(s for s in self.steps if not s.detour)

    def following(self, step_id: str) -> Step | None:
        """The step after `step_id` in this round (its `goto`, else the next non-detour step), or None."""
        current = self.step(step_id)
        if current.goto:
            return self.step(current.goto)
        index = self.steps.index(current)
        return next((s for s in self.steps[index + 1:] if not s.detour), None)


@dataclass(frozen=True)
class Prompt:
    id: str
    text: str


@dataclass(frozen=True)
class Catalogue:
    exercises: Mapping[str, Exercise]
    prompts: tuple[Prompt, ...]
    strings: Mapping[str, Mapping[str, Text]]  # locale -> key -> variants

    def exercise(self, exercise_id: str) -> Exercise:
        return self.exercises[exercise_id]

    def exercise_named(self, spoken: str) -> Exercise | None:
        """The exercise a couple named in their own words ("active listening", "Active-Listening"), if any."""
        wanted = _plain(spoken)
        return next((e for e in self.exercises.values() if wanted in (_plain(e.id), _plain(e.name))), None)

    def line(self, key: str, locale: str = DEFAULT_LOCALE, variant: int = 0, **values: object) -> str:
        """One conversation line, in the locale's wording where it has its own, with placeholders filled."""
        variants = self.strings.get(locale, {}).get(key) or self.strings[DEFAULT_LOCALE][key]
        return variants[variant % len(variants)].format(**values)


def _plain(words: str) -> str:
    return " ".join(words.lower().replace("-", " ").split())


def pick(text: Text, index: int) -> str:
    return text[index % len(text)]


@cache
def load_catalogue(content_dir: Path = CONTENT_DIR) -> Catalogue:
    """Load and validate all content; raises CatalogueError listing every problem."""
    problems: list[str] = []
    exercises: dict[str, Exercise] = {}
    for path in sorted((content_dir / "exercises").glob("*.toml")):
        exercise = _load_exercise(path, problems)
        if exercise is not None:
            exercises[exercise.id] = exercise
    if not exercises:
        problems.append("no exercises found")
    covered = {e.section for e in exercises.values()}
    for section in range(1, 9):
        if section not in covered:
            problems.append(f"guide section {section} has no exercise")
    prompts = _load_prompts(content_dir / "prompts.toml", problems)
    strings = _load_strings(content_dir / "strings.toml", problems)
    if problems:
        raise CatalogueError("invalid content:\n- " + "\n- ".join(problems))
    return Catalogue(exercises, prompts, strings)


def _read(path: Path, problems: list[str]) -> dict[str, Any] | None:
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except (OSError, tomllib.TOMLDecodeError) as err:
        problems.append(f"{path.name}: {err}")
        return None


def _text(value: Any, where: str, allowed: Iterable[str], problems: list[str], required: bool = True) -> Text:
    if value is None:
        if required:
            problems.append(f"{where}: missing text")
        return ()
    variants = [value] if isinstance(value, str) else value
    if not isinstance(variants, list) or not variants or not all(isinstance(v, str) for v in variants):
        problems.append(f"{where}: must be a text or a non-empty list of texts")
        return ()
    cleaned = tuple(" ".join(v.split()) for v in variants)
    allowed = set(allowed)
    for v in cleaned:
        if not v:
            problems.append(f"{where}: empty text")
            continue
        if len(v.split()) > MAX_WORDS:
            problems.append(f"{where}: {len(v.split())} words; keep it under {MAX_WORDS}")
        if any(c in v for c in "<>&"):
            problems.append(f"{where}: plain text only (no <, > or &)")
        try:
            names = {name for _, name, _, _ in string.Formatter().parse(v) if name is not None}
        except ValueError as err:
            problems.append(f"{where}: {err}")
            continue
        for name in sorted(names - allowed):
            problems.append(f"{where}: unknown placeholder {{{name}}}")
    return cleaned


def _unknown(data: Mapping[str, Any], known: set[str], where: str, problems: list[str]) -> None:
    for key in sorted(set(data) - known):
        problems.append(f"{where}: unknown field '{key}'")


def _int(data: Mapping[str, Any], key: str, lo: int, hi: int, where: str, problems: list[str]) -> int:
    value = data.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or not lo <= value <= hi:
        problems.append(f"{where}: '{key}' must be a whole number from {lo} to {hi}")
        return lo
    return value


def _load_exercise(path: Path, problems: list[str]) -> Exercise | None:
    data = _read(path, problems)
    if data is None:
        return None
    where = path.name
    _unknown(data, _EXERCISE_FIELDS, where, problems)
    exercise_id = data.get("id")
    if exercise_id != path.stem:
        problems.append(f"{where}: id must be '{path.stem}' (the file name)")
    name = data.get("name")
    pitch = data.get("pitch")
    if not isinstance(name, str) or not name.strip():
        problems.append(f"{where}: missing name")
    if not isinstance(pitch, str) or not pitch.strip():
        problems.append(f"{where}: missing pitch")
    rounds = _int(data, "rounds", 1, 12, where, problems)
    roles = ROLE_PLACEHOLDERS
    raw_steps = data.get("step")
    if not isinstance(raw_steps, list) or not raw_steps:
        problems.append(f"{where}: needs at least one [[step]]")
        raw_steps = []
    steps = tuple(_load_step(raw, f"{where} step {i + 1}", problems) for i, raw in enumerate(raw_steps))
    _check_flow(steps, where, problems)
    if rounds > 1 and data.get("between_rounds") is None:
        problems.append(f"{where}: between_rounds is needed when rounds > 1")
    return Exercise(
        id=str(exercise_id),
        name=str(name or ""),
        section=_int(data, "section", 1, 8, where, problems),
        minutes=_int(data, "minutes", 1, 60, where, problems),
        pitch=" ".join(str(pitch or "").split()),
        intro=_text(data.get("intro"), f"{where} intro", roles, problems),
        help=_text(data.get("help"), f"{where} help", roles, problems),
        rounds=rounds,
        between_rounds=_text(data.get("between_rounds"), f"{where} between_rounds", roles, problems, False),
        closing=_text(data.get("closing"), f"{where} closing", roles, problems),
        steps=steps,
        rank=_int(data, "rank", 1, 99, where, problems) if "rank" in data else 50,
    )


def _load_step(raw: Any, where: str, problems: list[str]) -> Step:
    if not isinstance(raw, dict):
        problems.append(f"{where}: must be a table")
        return Step(id="?", say=())
    _unknown(raw, _STEP_FIELDS, where, problems)
    step_id = raw.get("id")
    if not isinstance(step_id, str) or not step_id:
        problems.append(f"{where}: missing id")
        step_id = "?"
    where = f"{where} ({step_id})"
    roles = ROLE_PLACEHOLDERS
    timed = raw.get("timed")
    if timed is not None:
        timed = _int(raw, "timed", 10, 180, where, problems)
        if "after" not in raw:
            problems.append(f"{where}: a timed step needs 'after' (spoken after the chime)")
    elif "after" in raw:
        problems.append(f"{where}: 'after' only goes with 'timed'")
    ask = raw.get("ask")
    if ask not in (None, "yes-no"):
        problems.append(f"{where}: ask must be \"yes-no\"")
    yes_no = ask == "yes-no"
    if yes_no and not raw.get("no_goto"):
        problems.append(f"{where}: a yes-no step needs no_goto")
    if not yes_no:
        for key in ("on_yes", "on_no", "no_goto"):
            if key in raw:
                problems.append(f"{where}: '{key}' only goes with ask = \"yes-no\"")
    if yes_no and timed is not None:
        problems.append(f"{where}: a yes-no step cannot be timed")
    detour = raw.get("detour", False)
    if not isinstance(detour, bool):
        problems.append(f"{where}: detour must be true or false")
    return Step(
        id=step_id,
        say=_text(raw.get("say"), f"{where} say", roles, problems),
        timed=timed,
        after=_text(raw.get("after"), f"{where} after", roles, problems, required=False),
        reprompt=_text(raw.get("reprompt"), f"{where} reprompt", roles, problems, required=False),
        yes_no=yes_no,
        on_yes=_text(raw.get("on_yes"), f"{where} on_yes", roles, problems, required=False),
        on_no=_text(raw.get("on_no"), f"{where} on_no", roles, problems, required=False),
        no_goto=raw.get("no_goto"),
        detour=bool(detour),
        goto=raw.get("goto"),
    )


def _check_flow(steps: tuple[Step, ...], where: str, problems: list[str]) -> None:
    ids = [s.id for s in steps]
    for step_id in sorted({i for i in ids if ids.count(i) > 1}):
        problems.append(f"{where}: step id '{step_id}' is used twice")
    known = set(ids)
    for step in steps:
        for target in (step.no_goto, step.goto):
            if target is not None and target not in known:
                problems.append(f"{where}: step '{step.id}' leads to unknown step '{target}'")
    if not steps or all(s.detour for s in steps):
        problems.append(f"{where}: needs at least one step that is not a detour")
        return
    # Walk every path from the first step; whatever is never visited can never be reached.
    by_id = {s.id: s for s in steps}
    seen: set[str] = set()
    todo = [next(s.id for s in steps if not s.detour)]
    while todo:
        current = todo.pop()
        if current in seen or current not in by_id:
            continue
        seen.add(current)
        step = by_id[current]
        if step.no_goto:
            todo.append(step.no_goto)
        if step.goto:
            todo.append(step.goto)
        else:
            index = ids.index(current)
            following = next((s.id for s in steps[index + 1:] if not s.detour), None)
            if following:
                todo.append(following)
    for step in steps:
        if step.id not in seen:
            problems.append(f"{where}: step '{step.id}' can never be reached")


def _load_prompts(path: Path, problems: list[str]) -> tuple[Prompt, ...]:
    data = _read(path, problems)
    if data is None:
        return ()
    _unknown(data, {"prompt"}, path.name, problems)
    prompts: list[Prompt] = []
    seen_ids: set[str] = set()
    seen_texts: set[str] = set()
    for i, raw in enumerate(data.get("prompt", [])):
        where = f"{path.name} prompt {i + 1}"
        if not isinstance(raw, dict):
            problems.append(f"{where}: must be a table")
            continue
        _unknown(raw, {"id", "text"}, where, problems)
        prompt_id = raw.get("id")
        if not isinstance(prompt_id, str) or not prompt_id:
            problems.append(f"{where}: missing id")
            continue
        if prompt_id in seen_ids:
            problems.append(f"{where}: id '{prompt_id}' is used twice")
        seen_ids.add(prompt_id)
        texts = _text(raw.get("text"), f"{where} ({prompt_id})", (), problems)
        if len(texts) != 1:
            if texts:
                problems.append(f"{where}: a prompt has exactly one text")
            continue
        if texts[0].lower() in seen_texts:
            problems.append(f"{where}: the same text appears twice")
        seen_texts.add(texts[0].lower())
        prompts.append(Prompt(prompt_id, texts[0]))
    if len(prompts) < MIN_PROMPTS:
        problems.append(f"{path.name}: {len(prompts)} prompts; the bank needs at least {MIN_PROMPTS}")
    return tuple(prompts)


def _load_strings(path: Path, problems: list[str]) -> Mapping[str, Mapping[str, Text]]:
    data = _read(path, problems)
    if data is None:
        return {}
    overrides = data.pop("locale", {})
    strings: dict[str, dict[str, Text]] = {DEFAULT_LOCALE: {}}
    for key in sorted(set(STRING_KEYS) - set(data)):
        problems.append(f"{path.name}: missing '{key}'")
    for key, value in data.items():
        if key not in STRING_KEYS:
            problems.append(f"{path.name}: unknown string '{key}'")
            continue
        strings[DEFAULT_LOCALE][key] = _text(value, f"{path.name} {key}", STRING_KEYS[key], problems)
    if not isinstance(overrides, dict):
        problems.append(f"{path.name}: [locale] must hold one table per locale")
        overrides = {}
    for locale, table in overrides.items():
        strings[locale] = {}
        for key, value in table.items():
            if key not in STRING_KEYS:
                problems.append(f"{path.name} locale {locale}: unknown string '{key}'")
                continue
            strings[locale][key] = _text(value, f"{path.name} {locale} {key}", STRING_KEYS[key], problems)
    return strings
