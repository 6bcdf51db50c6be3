"""Text to intent, from the skill's own interaction model: how `closer chat` understands what you type.

Each sample utterance becomes an anchored pattern with a capture per slot. Custom slot values resolve against the
slot type's values and synonyms (with an entity-resolution result, as Alexa sends); built-in slot types take
what was said. Built-in intents also answer to their usual phrases. The match with the most characters pinned
down (literal words plus resolved custom values) wins; when nothing matches, AMAZON.FallbackIntent does.
Launch phrases are recognised only at the start: "open closer together", "ask closer together to ...".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .model import InteractionModel

# The phrases people use for built-in intents (Alexa's own models know many more).
BUILT_IN_PHRASES: dict[str, tuple[str, ...]] = {
    "AMAZON.HelpIntent": ("help", "help me", "help please", "what can i say", "what can i do", "how does this work",
                          "what do i do", "i'm confused"),
    "AMAZON.StopIntent": ("stop", "quit", "exit", "goodbye", "bye", "shut up", "that's enough", "stop it",
                          "we're finished for now", "end", "off"),
    "AMAZON.CancelIntent": ("cancel", "never mind", "nevermind", "forget it", "cancel that"),
    "AMAZON.NavigateHomeIntent": ("go home", "home", "main menu", "go back to the start", "back to the start"),
    "AMAZON.PauseIntent": ("pause", "hold on", "wait", "pause please", "pause it", "give us a minute"),
    "AMAZON.ResumeIntent": ("resume", "unpause", "resume please"),
    "AMAZON.NextIntent": ("next", "next one", "next please", "skip ahead"),
    "AMAZON.RepeatIntent": ("repeat", "repeat that", "say that again", "come again", "pardon", "what did you say",
                            "repeat please", "can you repeat that"),
    "AMAZON.StartOverIntent": ("start over", "restart", "start again", "begin again", "from the beginning",
                               "start from the beginning", "start over please"),
    "AMAZON.YesIntent": ("yes", "yeah", "yep", "yup", "sure", "ok", "okay", "yes please", "sounds good", "of course",
                         "absolutely", "let's do it", "alright", "all right", "please do", "go ahead", "correct",
                         "that's right", "it did", "yes it did", "definitely", "why not"),
    "AMAZON.NoIntent": ("no", "nope", "nah", "no thanks", "no thank you", "not now", "not really", "it didn't",
                        "no it didn't", "not quite", "not today", "no way"),
}
LAUNCH_VERBS = ("open", "launch", "start", "begin", "load", "play", "run", "use", "enable")
ONE_SHOT_VERBS = ("ask", "tell")
CONNECTING_WORDS = ("to", "for", "about", "that", "whether", "if", "and", "from", "using", "with", "by", "in")
FALLBACK = "AMAZON.FallbackIntent"


@dataclass(frozen=True)
class SlotFill:
    value: str
    type: str
    resolved_id: str | None = None  # for custom types: the matched value's id, or None for no match
    resolved_name: str | None = None
    custom: bool = False


@dataclass(frozen=True)
class Resolution:
    """What Alexa would send: a launch, an intent (with slots), or both for a one-shot request."""

    launch: bool
    intent: str | None
    slots: dict[str, SlotFill] = field(default_factory=dict)
    score: int = 0
    sample: str | None = None  # the sample (or built-in phrase) that won, for --explain style output


@dataclass(frozen=True)
class _Pattern:
    intent: str
    sample: str
    regex: re.Pattern[str]
    literal: int
    slots: tuple[str, ...]


def normalise(text: str) -> str:
    text = text.lower().replace("’", "'")
    text = re.sub(r"[^a-z0-9' ]+", " ", text)
    return " ".join(text.split())


class Resolver:
    def __init__(self, model: InteractionModel) -> None:
        self.model = model
        self.invocation = normalise(model.invocation_name)
        self._patterns: list[_Pattern] = []
        names = {i.name for i in model.intents}
        for intent in model.intents:
            samples = list(intent.samples) + list(BUILT_IN_PHRASES.get(intent.name, ()))
            for sample in samples:
                self._patterns.append(self._compile(intent.name, sample, tuple(intent.slots)))
        self._has_fallback = FALLBACK in names
        self._values: dict[str, dict[str, tuple[str, str]]] = {
            type_name: {normalise(s): (v.id, v.name) for v in values for s in (v.name, *v.synonyms)}
            for type_name, values in model.types.items()}

    @staticmethod
    def _compile(intent: str, sample: str, declared: tuple[str, ...]) -> _Pattern:
        parts = re.split(r"(\{\w+\})", sample)
        regex, literal, slots = "", 0, []
        for part in parts:
            match = re.fullmatch(r"\{(\w+)\}", part)
            if match:
                slots.append(match.group(1))
                regex += f"(?P<{match.group(1)}>.+?)"
            elif part:
                words = normalise(part)
                literal += len(words)
                if words:
                    lead = " " if part[:1].isspace() else ""
                    trail = " " if part[-1:].isspace() else ""
                    regex += re.escape(lead + words + trail)
        regex = re.sub(r"(\\ )+", " ", regex).replace(" ", r"\s+")
        return _Pattern(intent, sample, re.compile(rf"^\s*{regex.strip()}\s*$"), literal, tuple(slots))

    def resolve(self, text: str) -> Resolution:
        """Resolve what someone says to Alexa (with or without "Alexa," in front)."""
        words = normalise(text)
        words = re.sub(r"^alexa\s+", "", words)
        inv = re.escape(self.invocation)
        if re.fullmatch(rf"(?:{'|'.join(LAUNCH_VERBS + ONE_SHOT_VERBS)})\s+{inv}", words):
            return Resolution(launch=True, intent=None, sample=words)
        connecting = "|".join(CONNECTING_WORDS)
        one_shot = re.fullmatch(rf"(?:{'|'.join(ONE_SHOT_VERBS)})\s+{inv}\s+(?:(?:{connecting})\s+)?(.+)", words) \
            or re.fullmatch(rf"(?:{'|'.join(LAUNCH_VERBS)})\s+{inv}\s+and\s+(.+)", words)
        if one_shot:
            inner = self.match(one_shot.group(1))
            if inner.intent == FALLBACK:  # the connecting word may belong to the request ("ask ... for today's prompt")
                rest = words.split(self.invocation, 1)[1].strip()
                inner = self.match(rest)
            return Resolution(True, inner.intent, inner.slots, inner.score, inner.sample)
        return self.match(words)

    def match(self, words: str) -> Resolution:
        """The best intent for an utterance inside a session (no launch phrase)."""
        words = normalise(words)
        best: Resolution | None = None
        for pattern in self._patterns:
            found = pattern.regex.fullmatch(words)
            if not found:
                continue
            candidate = self._fill(pattern, found)
            if candidate is None or candidate.score == 0:  # a bare {slot} that resolved nothing pins nothing down
                continue
            if best is None or candidate.score > best.score:
                best = candidate
        if best is None:
            return Resolution(False, FALLBACK if self._has_fallback else None)
        return best

    def candidates(self, words: str) -> list[Resolution]:
        """Every intent that matches, best first: what `--explain` shows."""
        words = normalise(words)
        found = [self._fill(p, m) for p in self._patterns if (m := p.regex.fullmatch(words))]
        return sorted((c for c in found if c is not None), key=lambda c: -c.score)

    def _fill(self, pattern: _Pattern, found: re.Match[str]) -> Resolution | None:
        intent = self.model.intent(pattern.intent)
        slot_types = intent.slots if intent else {}
        slots: dict[str, SlotFill] = {}
        score = pattern.literal
        for name in pattern.slots:
            value = found.group(name).strip()
            slot_type = slot_types.get(name, "")
            if slot_type in self._values:
                hit = self._values[slot_type].get(value)
                slots[name] = SlotFill(value, slot_type, hit[0] if hit else None, hit[1] if hit else None, True)
                score += len(value) if hit else 0
            else:
                if slot_type == "AMAZON.FirstName" and not re.fullmatch(r"[a-z']+(?: [a-z']+)?", value):
                    return None
                slots[name] = SlotFill(value, slot_type)
        return Resolution(False, pattern.intent, slots, score, pattern.sample)
