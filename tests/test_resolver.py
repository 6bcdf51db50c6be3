"""Text to intent from the interaction model: samples map back, launches are anchored, nonsense falls back."""

from __future__ import annotations

import itertools
import re

import pytest

from closer.devtools.model import InteractionModel
from closer.devtools.resolver import FALLBACK, Resolver

MODEL = InteractionModel.load()
RESOLVER = Resolver(MODEL)


def filled_samples() -> list[tuple[str, str, dict[str, str]]]:
    """Every sample with its slots filled from the slot types (custom) or a plausible value (built-in)."""
    # Built-in slot types: what someone says, and the value Alexa sends for it.
    builtin_values = {
        "AMAZON.FirstName": itertools.cycle([("sam", "sam"), ("alex", "alex"), ("priya", "priya")]),
        "AMAZON.TIME": itertools.cycle([("eight", "08:00"), ("nine thirty pm", "21:30"), ("7 pm", "19:00"),
                                        ("half past six", "06:30")]),
    }
    cases = []
    for intent in MODEL.intents:
        for number, sample in enumerate(intent.samples):
            slots: dict[str, str] = {}
            text = sample
            for name in re.findall(r"\{(\w+)\}", sample):
                slot_type = intent.slots[name]
                if slot_type in MODEL.types:
                    values = MODEL.types[slot_type]
                    value = values[number % len(values)]
                    spoken, slots[name] = value.name, value.id
                else:
                    spoken, slots[name] = next(builtin_values[slot_type])
                text = text.replace("{" + name + "}", spoken, 1)
            cases.append((text, intent.name, slots))
    return cases


def test_the_model_samples_resolve_back_to_their_intent_and_slots() -> None:
    cases = filled_samples()
    right = 0
    for text, intent, slots in cases:
        heard = RESOLVER.resolve(text)
        got = {name: (fill.resolved_id or fill.value) for name, fill in heard.slots.items()}
        right += heard.intent == intent and got == slots
    share = right / len(cases)
    print(f"resolver: {right} of {len(cases)} sample utterances resolved to their intent and slots ({share:.1%})")
    assert share >= 0.95


@pytest.mark.parametrize("text", ["open closer together", "Alexa, open Closer Together", "launch closer together",
                                  "ask closer together"])
def test_launch_phrases(text: str) -> None:
    heard = RESOLVER.resolve(text)
    assert heard.launch and heard.intent is None


@pytest.mark.parametrize("text, intent, slot", [
    ("ask closer together to start active listening", "StartExerciseIntent", "active-listening"),
    ("tell closer together to start the listening exercise", "StartExerciseIntent", "active-listening"),
    ("ask closer together for today's appreciation", "TodaysPromptIntent", None),
    ("ask closer together how are we doing", "ProgressIntent", None),
    ("open closer together and start gratitude", "StartExerciseIntent", "appreciation"),
])
def test_one_shot_launches(text: str, intent: str, slot: str | None) -> None:
    heard = RESOLVER.resolve(text)
    assert heard.launch and heard.intent == intent
    if slot:
        assert heard.slots["exercise"].resolved_id == slot


@pytest.mark.parametrize("text", ["I want to ask closer together something", "let's open the window",
                                  "what is the capital of peru", "blah"])
def test_anything_else_is_not_a_launch_and_nonsense_falls_back(text: str) -> None:
    heard = RESOLVER.resolve(text)
    assert not heard.launch
    if text != "let's open the window":
        assert heard.intent == FALLBACK


@pytest.mark.parametrize("text, intent", [("next", "AMAZON.NextIntent"), ("we're done", "AMAZON.NextIntent"),
                                          ("never mind", "AMAZON.CancelIntent"), ("yes please", "AMAZON.YesIntent"),
                                          ("it didn't", "AMAZON.NoIntent"), ("start over", "AMAZON.StartOverIntent"),
                                          ("I'm scared of my partner", "SafetyIntent")])
def test_everyday_phrases(text: str, intent: str) -> None:
    assert RESOLVER.resolve(text).intent == intent


def test_an_unknown_exercise_still_reaches_the_skill_without_a_match() -> None:
    heard = RESOLVER.resolve("start yoga")
    assert heard.intent == "StartExerciseIntent"
    assert heard.slots["exercise"].resolved_id is None and heard.slots["exercise"].value == "yoga"
