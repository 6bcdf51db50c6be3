"""Text to intent, from the skill's own interaction model: how `closer chat` understands what you type.

Each sample utterance becomes an anchored pattern with a capture per slot. Custom slot values resolve against the
slot type's values and synonyms (with an entity-resolution result, as Alexa sends); built-in slot types take
what was said. Built-in intents also answer to their usual phrases. The match with the most characters pinned
down (literal words plus resolved custom values) wins; when nothing matches, AMAZON.FallbackIntent does.
Launch phrases are recognised only at the start: "open closer together", "ask closer together to ...".
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace

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
    words: str = ""  # what was matched against the samples: the utterance without any launch phrase
    literal: int = 0  # the part of `score` pinned down by the sample's own words (the rest: resolved slot values)


@dataclass(frozen=True)
class _Pattern:
    intent: str
    sample: str
    regex: re.Pattern[str]
    literal: int
    slots: tuple[str, ...]


NUMBER_WORDS = {word: number for number, word in enumerate((
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
    "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty"))}
NUMBER_WORDS |= {"thirty": 30, "forty": 40, "fifty": 50}
TIME_WORDS = {"noon": "12:00", "midday": "12:00", "midnight": "00:00", "morning": "MO", "afternoon": "AF",
              "evening": "EV", "night": "NI", "tonight": "NI"}


def spoken_time(words: str) -> str | None:
    """An AMAZON.TIME value ("20:00", or "EV" for "evening") for what was said, as Alexa would send it."""
    words = normalise(words).replace("o'clock", "").replace("a m", "am").replace("p m", "pm")
    words = " ".join(words.split())
    if words in TIME_WORDS:
        return TIME_WORDS[words]
    meridiem = None
    for suffix in ("am", "pm", "in the morning", "in the evening", "at night", "in the afternoon"):
        if words.endswith(" " + suffix) or words.endswith(suffix) and suffix in ("am", "pm"):
            meridiem = "am" if suffix in ("am", "in the morning") else "pm"
            words = words[: -len(suffix)].strip()
            break
    past = re.fullmatch(r"(half|quarter) past (.+)", words)
    numbers = _numbers(past.group(2) if past else words)
    if numbers is None or not 1 <= len(numbers) <= 2:
        return None
    hour, minute = numbers[0], (numbers[1] if len(numbers) == 2 else 0)
    if past:
        if len(numbers) != 1:
            return None
        minute = 30 if past.group(1) == "half" else 15
    if hour > 23 or minute > 59 or (meridiem and not 1 <= hour <= 12):
        return None
    if meridiem == "pm" and hour < 12:
        hour += 12
    if meridiem == "am" and hour == 12:
        hour = 0
    return f"{hour:02d}:{minute:02d}"


def _numbers(words: str) -> list[int] | None:
    """ "8 30", "eight thirty", "eight forty five", "20 00" -> [8, 30], [8, 45], [20, 0]."""
    values: list[int] = []
    for token in words.split():
        if token.isdigit():
            values.append(int(token))
        elif token in NUMBER_WORDS:
            value = NUMBER_WORDS[token]
            if values and value < 10 and values[-1] >= 20 and values[-1] % 10 == 0 and len(values) > 1:
                values[-1] += value  # "forty five" after the hour
            else:
                values.append(value)
        else:
            return None
    return values or None


# Spoken in full or contracted, the same words: both samples and utterances take the contracted form, so "let us
# do gratitude" finds the sample "let's do {exercise}" (speech recognition writes either).
CONTRACTIONS = {"let us": "let's", "we are": "we're", "i am": "i'm", "it is": "it's", "what is": "what's",
                "that is": "that's", "we would": "we'd", "i would": "i'd", "we will": "we'll", "do not": "don't",
                "did not": "didn't", "you are": "you're", "how is": "how's", "my name is": "my name's"}
_CONTRACTION = re.compile(r"\b(" + "|".join(sorted(CONTRACTIONS, key=len, reverse=True)) + r")\b")


def normalise(text: str) -> str:
    text = text.lower().replace("’", "'")
    text = re.sub(r"[^a-z0-9' ]+", " ", text)
    return _CONTRACTION.sub(lambda m: CONTRACTIONS[m.group(1)], " ".join(text.split()))


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
        """Resolve what someone says to Alexa (with or without "Alexa," in front).

        A "please" at either end is let go when the words without it are understood better ("open closer together
        please" opens the skill; "start small wins please" finds small wins), as Alexa's own language model does.
        """
        return self._understood(re.sub(r"^alexa\s+", "", normalise(text)), self._resolve)

    @staticmethod
    def _understood(words: str, resolve: Callable[[str], Resolution]) -> Resolution:
        """`resolve(words)`, unless the words without a "please" at either end are understood better."""
        heard = resolve(words)
        polite = re.fullmatch(r"(?:please\s+)?(.+?)(?:\s+please)?", words)
        if polite and polite.group(1) != words:
            plain = resolve(polite.group(1))
            if (plain.launch, plain.score) > (heard.launch, heard.score) and plain.intent != FALLBACK:
                return plain
        return heard

    def _resolve(self, words: str) -> Resolution:
        inv = re.escape(self.invocation)
        if re.fullmatch(rf"(?:{'|'.join(LAUNCH_VERBS + ONE_SHOT_VERBS)})\s+{inv}", words):
            return Resolution(launch=True, intent=None, sample=words)
        connecting = "|".join(CONNECTING_WORDS)
        one_shot = re.fullmatch(rf"(?:{'|'.join(ONE_SHOT_VERBS)})\s+{inv}\s+(?:(?:{connecting})\s+)?(.+)", words) \
            or re.fullmatch(rf"(?:{'|'.join(LAUNCH_VERBS)})\s+{inv}\s+and\s+(.+)", words)
        if one_shot:
            inner = self._understood(one_shot.group(1), self.match)
            if inner.intent == FALLBACK:  # the connecting word may belong to the request ("ask ... for today's prompt")
                rest = words.split(self.invocation, 1)[1].strip()
                inner = self.match(rest)
            return replace(inner, launch=True)
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
            return Resolution(False, FALLBACK if self._has_fallback else None, words=words)
        return replace(best, words=words)

    def candidates(self, words: str) -> list[Resolution]:
        """Every intent that matches, best first: what `--explain` shows."""
        words = normalise(words)
        found = [self._fill(p, m) for p in self._patterns if (m := p.regex.fullmatch(words))]
        # sorted() is stable: equal scores keep the model's order, the same tie-break as match()
        return sorted((replace(c, words=words) for c in found if c is not None), key=lambda c: -c.score)

    def slot_fill(self, intent: str, slot: str, value: str) -> SlotFill:
        """The slot as Alexa sends it for `value`: entity-resolved against the model for custom slot types."""
        declared = self.model.intent(intent)
        slot_type = declared.slots.get(slot, "") if declared else ""
        if slot_type in self._values:
            hit = self._values[slot_type].get(normalise(value))
            return SlotFill(value, slot_type, hit[0] if hit else None, hit[1] if hit else None, custom=True)
        return SlotFill(value, slot_type)

    def _fill(self, pattern: _Pattern, found: re.Match[str]) -> Resolution | None:
        intent = self.model.intent(pattern.intent)
        slot_types = intent.slots if intent else {}
        slots: dict[str, SlotFill] = {}
        score = pattern.literal
        for name in pattern.slots:
            value = found.group(name).strip()
            slot_type = slot_types.get(name, "")
            if slot_type in self._values:
                slots[name] = self.slot_fill(pattern.intent, name, value)
                score += len(value) if slots[name].resolved_id else 0
            elif slot_type == "AMAZON.TIME":
                time = spoken_time(value)
                if time is None:
                    return None
                slots[name] = SlotFill(time, slot_type)
                score += len(value)
            else:
                if slot_type == "AMAZON.FirstName" and not re.fullmatch(r"[a-z']+(?: [a-z']+)?", value):
                    return None
                slots[name] = SlotFill(value, slot_type)
        return Resolution(False, pattern.intent, slots, score, pattern.sample, literal=pattern.literal)
