"""The exercise engine with plain values: whose turn it is, the reflect loop, rounds, repeat, help, start over."""

from __future__ import annotations

import pytest

from closer.domain.catalogue import load_catalogue
from closer.domain.engine import Engine, Event, Outcome, Partners
from closer.domain.household import Progress
from closer.domain.speech import Chime, Pause

CATALOGUE = load_catalogue()
ENGINE = Engine(CATALOGUE, "en-US")
SAM_AND_ALEX = Partners("Sam", "Alex", named=True)


def words(outcome: Outcome) -> str:
    return " ".join(s for s in outcome.speech if isinstance(s, str))


def play(exercise_id: str, answers: list[Event], partners: Partners = SAM_AND_ALEX) -> list[Outcome]:
    outcomes = [ENGINE.start(exercise_id, partners)]
    for event in answers:
        assert outcomes[-1].progress is not None
        outcomes.append(ENGINE.handle(outcomes[-1].progress, event, partners))
    return outcomes


def test_roles_swap_between_rounds() -> None:
    outcomes = play("active-listening", [Event.NEXT, Event.NEXT, Event.NEXT, Event.YES, Event.NEXT])
    assert "Sam, you hold the floor" in words(outcomes[0])
    assert "Alex holds the floor, and Sam listens" in words(outcomes[-1])
    assert outcomes[-1].progress == Progress("active-listening", "choose", round=1)


def test_a_floor_turn_is_quiet_then_chimes_then_invites_next() -> None:
    floor = play("active-listening", [Event.NEXT])[-1]
    kinds = [type(s) for s in floor.speech]
    assert kinds == [str, Pause, Chime, str]
    assert floor.speech[1] == Pause(60)


def test_no_loops_back_until_the_speaker_feels_heard() -> None:
    outcomes = play("active-listening", [Event.NEXT, Event.NEXT, Event.NEXT, Event.NO, Event.NEXT, Event.NO,
                                         Event.NEXT, Event.YES])
    steps = [o.progress.step for o in outcomes if o.progress]
    assert steps == ["choose", "floor", "reflect", "check", "clarify", "check", "clarify", "check", "empathy"]
    assert outcomes[4].progress is not None and outcomes[4].progress.retries == 1


def test_repeat_help_and_start_over_keep_or_reset_the_place() -> None:
    floor = play("active-listening", [Event.NEXT])[-1]
    assert floor.progress is not None
    again = ENGINE.handle(floor.progress, Event.REPEAT, SAM_AND_ALEX)
    assert again == floor
    helped = ENGINE.handle(floor.progress, Event.HELP, SAM_AND_ALEX)
    assert helped.progress == floor.progress and "Sam holds the floor" in words(helped)
    restarted = ENGINE.handle(floor.progress, Event.START_OVER, SAM_AND_ALEX)
    assert restarted.progress == Progress("active-listening", "choose")


def test_no_on_a_plain_step_waits_kindly() -> None:
    choose = play("active-listening", [])[-1]
    assert choose.progress is not None
    waited = ENGINE.handle(choose.progress, Event.NO, SAM_AND_ALEX)
    assert waited.progress == choose.progress and "next" in words(waited)


def test_unnamed_partners_are_told_who_goes_first() -> None:
    partners = Partners("partner one", "partner two", named=False)
    first = ENGINE.start("appreciation", partners)
    assert "Partner one goes first" in words(first)
    assert "partner one" in words(first).lower()


def finish_from(progress: Progress, exercise_id: str) -> Outcome:
    """Follow the cooperative path (yes to questions, next otherwise) to the end."""
    exercise = CATALOGUE.exercise(exercise_id)
    outcome = ENGINE.handle(progress, Event.REPEAT, SAM_AND_ALEX)
    for _ in range(200):
        if outcome.progress is None:
            return outcome
        event = Event.YES if exercise.step(outcome.progress.step).yes_no else Event.NEXT
        outcome = ENGINE.handle(outcome.progress, event, SAM_AND_ALEX)
    raise AssertionError(f"{exercise_id} never finished from {progress}")


@pytest.mark.parametrize("exercise_id", sorted(CATALOGUE.exercises))
def test_every_step_is_reachable_and_every_state_can_finish(exercise_id: str) -> None:
    exercise = CATALOGUE.exercise(exercise_id)
    start = ENGINE.start(exercise_id, SAM_AND_ALEX).progress
    assert start is not None
    seen: set[tuple[str, int]] = set()
    todo = [start]
    while todo:  # every answer the couple could give, from every place they could be
        progress = todo.pop()
        if (progress.step, progress.round) in seen:
            continue
        seen.add((progress.step, progress.round))
        for event in (Event.NEXT, Event.YES, Event.NO):
            outcome = ENGINE.handle(progress, event, SAM_AND_ALEX)
            assert outcome.speech and (outcome.reprompt or outcome.finished)
            if outcome.progress is not None:
                todo.append(outcome.progress)
        assert exercise.closing[0] in words(finish_from(progress, exercise_id))
    assert {step for step, _ in seen} == {s.id for s in exercise.steps}
    assert {round_index for _, round_index in seen} == set(range(exercise.rounds))
