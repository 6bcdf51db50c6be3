"""Conversations through the real Lambda entry point that need Python: every exercise in the catalogue (a new
content file is covered without a new script), and what only shows across turns or days (the same prompt all day,
the whole bank before a repeat, the card matching the speech, counts). The conversations that read best as
scripts are in tests/dialogs/*.yaml."""

from __future__ import annotations

import pytest

from closer.domain.catalogue import load_catalogue
from conftest import Clock, Couple

CATALOGUE = load_catalogue()


def finish_exercise(couple: Couple, limit: int = 80) -> str:
    """Answer each step as a cooperative couple would (yes to questions, next otherwise) until the closing."""
    for _ in range(limit):
        if couple.stored() and couple.stored().get("progress") is None and "history" in couple.stored() \
                and _just_finished(couple):
            return couple.speech
        couple.say("yes" if "yes or no" in couple.reprompt.lower() else "next")
    raise AssertionError(f"exercise did not finish; last said: {couple.speech}")


def _just_finished(couple: Couple) -> bool:
    return any(pick in couple.speech for e in CATALOGUE.exercises.values() for pick in e.closing)


@pytest.mark.parametrize("exercise_id", sorted(CATALOGUE.exercises))
def test_every_exercise_runs_to_its_closing(named_couple: Couple, exercise_id: str) -> None:
    exercise = CATALOGUE.exercise(exercise_id)
    couple = named_couple
    said = couple.say(f"ask closer together to start {exercise.name}")
    assert exercise.intro[0].split(".")[0] in said
    closing = finish_exercise(couple)
    assert exercise.closing[0] in closing
    assert [entry[0] for entry in couple.stored()["history"]] == [exercise_id]


def test_todays_prompt_is_the_same_all_day_and_new_tomorrow(couple: Couple, clock: Clock) -> None:
    said = couple.say("ask closer together for today's appreciation")
    assert not couple.session_open  # one-shot: answer and close, no waiting microphone
    prompt = couple.card["content"]
    assert couple.card["title"] == "Today's appreciation prompt"
    assert prompt in said and "answering each other aloud" in said
    clock.advance(hours=3)
    couple.say("ask closer together for today's prompt")
    assert couple.card["content"] == prompt
    clock.advance(days=1)
    couple.say("ask closer together for today's prompt")
    assert couple.card["content"] != prompt


def test_no_prompt_repeats_until_the_whole_bank_is_heard(couple: Couple, clock: Clock) -> None:
    heard = []
    for _ in range(len(CATALOGUE.prompts)):
        couple.say("ask closer together for today's appreciation")
        heard.append(couple.card["content"])
        clock.advance(days=1)
    assert sorted(heard) == sorted(p.text for p in CATALOGUE.prompts)
    couple.say("ask closer together for today's appreciation")
    assert couple.card["content"] != heard[-1]  # a new cycle never starts with yesterday's prompt


def test_prompt_inside_a_session_holds_a_quiet_while_they_answer(named_couple: Couple) -> None:
    couple = named_couple
    said = couple.say("open closer together")
    assert "Today's appreciation prompt is ready" in said
    said = couple.say("yes")
    assert "[quiet 120 s] [chime]" in said and couple.session_open
    assert couple.card is not None and couple.card["content"] in said


def test_progress_is_warm_and_never_scolds(named_couple: Couple, clock: Clock) -> None:
    couple = named_couple
    couple.say("open closer together")
    said = couple.say("how are we doing")
    assert "that's okay" in said
    for word in ("missed", "streak", "should have", "behind"):
        assert word not in said.lower()
    couple.say("start active listening")
    finish_exercise(couple)
    couple.say("start small wins")
    finish_exercise(couple)
    assert "This week you did 2 exercises together, including active listening and small wins" in \
        couple.say("how are we doing")
    clock.advance(days=9)
    said = couple.say("ask closer together how are we doing")
    assert "that's okay" in said and "2 in all" in said


def test_a_question_asked_mid_exercise_offers_to_carry_on_not_something_else(named_couple: Couple) -> None:
    couple = named_couple
    couple.say("ask closer together to start small wins")
    couple.say("next")
    step = couple.stored()["progress"][1]
    said = couple.say("how are we doing")
    assert said.endswith("Shall we carry on with small wins?")
    assert couple.say("repeat") == said  # repeat repeats what was just said, not the step
    said = couple.say("yes")
    assert "Let's pick up small wins" in said and couple.stored()["progress"][1] == step
    said = couple.say("today's prompt")
    assert "Shall we carry on with small wins?" in said
    assert "Let's pick up small wins" in couple.say("next")
