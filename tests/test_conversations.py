"""Scripted conversations through the real Lambda entry point, read as the couple would hear them."""

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


def test_first_launch_welcomes_with_disclaimer_asks_names_and_recommends(couple: Couple) -> None:
    said = couple.say("open closer together")
    assert "not therapy" in said
    assert "first names" in said
    assert couple.session_open
    said = couple.say("we're sam and alex")
    assert "Sam and Alex" in said
    assert "active listening" in said and "Shall we" in said
    assert couple.stored()["names"] == ["Sam", "Alex"]


def test_names_can_be_skipped_and_partners_are_numbered(couple: Couple) -> None:
    couple.say("open closer together")
    assert "partner one and partner two" in couple.say("skip")
    said = couple.say("yes")
    assert "Partner one goes first" in said
    assert "partner one, you hold the floor" in said.lower()
    assert couple.stored()["names_asked"] is True and "names" not in couple.stored()


def test_active_listening_plays_the_floor_from_start_to_closing(named_couple: Couple) -> None:
    couple = named_couple
    couple.say("open closer together")
    said = couple.say("start active listening")
    assert "Sam, you hold the floor first" in said
    assert "[quiet 15 s] [chime]" in said
    said = couple.say("next")
    assert said.startswith("Sam, the floor is yours") and "[quiet 60 s] [chime]" in said
    assert "Alexa, next" in said  # they may cut the quiet short
    assert couple.say("next").startswith("Alex, in your own words, tell Sam what you heard")
    assert couple.say("next") == "Sam, did that capture it? Yes or no?"
    said = couple.say("no")  # the speaker clarifies, the listener tries again
    assert "Sam, tell Alex the part that was missed" in said
    assert couple.say("next") == "Sam, did that capture it? Yes or no?"
    said = couple.say("yes")
    assert "Alex, finish with one line of understanding" in said
    said = couple.say("next")
    assert "swap: Alex holds the floor, and Sam listens" in said
    assert couple.stored()["progress"][2] == 1  # round two
    closing = finish_exercise(couple)
    assert "You each held the floor" in closing
    assert "today's appreciation prompt" in closing  # the way on, never a dead end
    record = couple.stored()
    assert record["progress"] is None if "progress" in record else True
    assert [entry[0] for entry in record["history"]] == ["active-listening"]
    assert record["completed"] == 1


@pytest.mark.parametrize("exercise_id", sorted(CATALOGUE.exercises))
def test_every_exercise_runs_to_its_closing(named_couple: Couple, exercise_id: str) -> None:
    exercise = CATALOGUE.exercise(exercise_id)
    couple = named_couple
    said = couple.say(f"ask closer together to start {exercise.name}")
    assert exercise.intro[0].split(".")[0] in said
    closing = finish_exercise(couple)
    assert exercise.closing[0] in closing
    assert [entry[0] for entry in couple.stored()["history"]] == [exercise_id]


def test_appreciation_always_includes_the_warm_reply(named_couple: Couple) -> None:
    couple = named_couple
    couple.say("ask closer together to start appreciation")
    heard = [couple.speech]
    for _ in range(40):
        if not couple.session_open or "today's appreciation prompt too" in couple.speech:
            break
        heard.append(couple.say("yes" if "yes or no" in couple.reprompt.lower() else "next"))
    script = " ".join(heard)
    assert "I appreciated when you" in script
    # Each of them receives an appreciation and answers it warmly: the reply step is never skipped.
    assert "Alex, now reply warmly" in script
    assert "Sam, receive it out loud" in script


def test_stop_half_way_then_pick_up_in_a_new_session(named_couple: Couple, clock: Clock) -> None:
    couple = named_couple
    couple.say("open closer together")
    couple.say("start active listening")
    couple.say("next")
    couple.say("next")
    said = couple.say("stop")
    assert "saved your place" in said and not couple.session_open
    assert couple.stored()["progress"][:2] == ["active-listening", "reflect"]

    clock.advance(hours=20)
    said = couple.say("open closer together")
    assert "Welcome back, Sam and Alex" in said or "Hello again, Sam and Alex" in said
    assert "partway through active listening, on round 1 of 2" in said
    said = couple.say("yes")
    assert "You're on round 1 of 2" in said
    assert "Alex, in your own words" in said  # the very step they left
    assert "You each held the floor" in finish_exercise(couple)


def test_continue_in_one_breath_and_after_a_timed_out_session(named_couple: Couple) -> None:
    couple = named_couple
    couple.say("ask closer together to start small wins")
    couple.say("next")
    step = couple.stored()["progress"][1]
    couple.end("EXCEEDED_MAX_REPROMPTS")  # they talked past the microphone: the place is kept
    said = couple.say("ask closer together to continue")
    assert "Let's pick up small wins" in said
    assert couple.stored()["progress"][1] == step


def test_help_repeat_start_over_and_pause_inside_an_exercise(named_couple: Couple) -> None:
    couple = named_couple
    couple.say("ask closer together to start active listening")
    couple.say("next")
    floor = couple.speech
    assert "Sam holds the floor and Alex listens" in couple.say("help")
    assert couple.session_open and couple.reprompt
    assert couple.say("repeat") == floor
    assert couple.say("say that again") == floor
    said = couple.say("start over")
    assert said.startswith("Let's practise listening") and couple.stored()["progress"][1] == "choose"
    couple.say("next")
    said = couple.say("pause")
    assert "Paused" in said and not couple.session_open
    assert "Sam, the floor is yours" in couple.say("ask closer together to continue")


def test_going_home_keeps_the_exercise_for_later(named_couple: Couple) -> None:
    couple = named_couple
    couple.say("ask closer together to start appreciation")
    said = couple.say("go home")
    assert "back to the start" in said and couple.session_open
    assert couple.stored()["progress"][0] == "appreciation"
    assert "Let's pick up appreciation" in couple.say("continue")


def test_what_it_does_not_understand_gets_a_way_forward(named_couple: Couple) -> None:
    couple = named_couple
    couple.say("open closer together")
    said = couple.say("what is the capital of peru")
    assert "didn't get that" in said or "not sure" in said
    assert couple.session_open and couple.reprompt
    couple.say("start active listening")
    said = couple.say("purple elephants dancing")
    assert "You can say next, repeat, help, or stop" in said
    assert couple.stored()["progress"][1] == "choose"  # nothing moved


@pytest.mark.parametrize("locale, number", [("en-US", "1-800-799-7233"), ("en-GB", "0808 2000 247"),
                                            ("en-AU", "1800 737 732"), ("en-IN", "181"), ("en-CA", "911")])
def test_safety_stops_any_exercise_and_gives_help(clock: Clock, locale: str, number: str) -> None:
    couple = Couple(clock, locale=locale)
    couple.say("ask closer together to start active listening")
    said = couple.say("I'm scared of my partner")
    assert number in said and "emergency" in said.lower() or "call 999" in said or "triple zero" in said \
        or "call 112" in said
    assert not couple.session_open
    assert couple.card is not None and number in couple.card["content"]
    assert "progress" not in couple.stored()
    if locale == "en-US":
        assert "text START to 88788" in said


def test_delete_our_data_asks_first_then_really_deletes(named_couple: Couple) -> None:
    couple = named_couple
    couple.say("open closer together")
    assert "can't be undone" in couple.say("delete our data")
    assert "kept everything" in couple.say("no")
    assert couple.stored() is not None
    couple.say("delete our data")
    said = couple.say("yes")
    assert "deleted your names and all your progress" in said and not couple.session_open
    assert couple.stored() is None
    assert "first names" in couple.say("open closer together")  # a brand new household


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


def test_list_and_choose_an_exercise_by_a_synonym(named_couple: Couple) -> None:
    couple = named_couple
    couple.say("open closer together")
    said = couple.say("what exercises are there")
    assert "There are 10 exercises" in said and "question ladder" in said
    said = couple.say("let's do gratitude")
    assert couple.stored()["progress"][0] == "appreciation"
    assert "Sam" in said


def test_boundaries_and_promises_is_not_mistaken_for_two_names(named_couple: Couple) -> None:
    couple = named_couple
    couple.say("open closer together")
    couple.intent("SetNamesIntent", first="boundaries", second="promises")
    assert couple.stored()["progress"][0] == "boundaries-and-promises"
    assert couple.stored()["names"] == ["Sam", "Alex"]
