"""The exercise engine: a pure state machine, `(progress, event) -> (new progress, what to say)`.

It plays the floor: names whose turn it is, holds quiet timed turns that end with a chime, runs the
reflect-and-confirm loop ("did that capture it?" - a "no" sends the couple round again), swaps roles between
rounds and closes. It knows nothing of Alexa or storage; all words come from the catalogue.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import Enum

from .catalogue import Catalogue, Exercise, Step, Text, pick
from .household import Household, Progress
from .speech import Chime, Pause, Segment


class Event(Enum):
    NEXT = "next"
    YES = "yes"
    NO = "no"
    REPEAT = "repeat"
    START_OVER = "start_over"
    HELP = "help"


@dataclass(frozen=True)
class Partners:
    """How to address the couple: the names they gave, or "partner one" and "partner two"."""

    one: str
    two: str
    named: bool

    @classmethod
    def of(cls, household: Household, catalogue: Catalogue, locale: str) -> Partners:
        if household.names:
            return cls(household.names[0], household.names[1], named=True)
        return cls(catalogue.line("partner_one", locale), catalogue.line("partner_two", locale), named=False)

    def roles(self, round_index: int) -> dict[str, str]:
        speaker, listener = (self.one, self.two) if round_index % 2 == 0 else (self.two, self.one)
        return {"speaker": speaker, "listener": listener, "partner_one": self.one, "partner_two": self.two}


@dataclass(frozen=True)
class Outcome:
    """What a turn of the exercise produced. `progress` is None once the exercise is finished."""

    progress: Progress | None
    speech: tuple[Segment, ...]
    reprompt: tuple[Segment, ...]

    @property
    def finished(self) -> bool:
        return self.progress is None


class Engine:
    def __init__(self, catalogue: Catalogue, locale: str) -> None:
        self.catalogue = catalogue
        self.locale = locale

    def start(self, exercise_id: str, partners: Partners) -> Outcome:
        exercise = self.catalogue.exercise(exercise_id)
        first = exercise.first_step()
        progress = Progress(exercise.id, first.id)
        lead: list[str] = [self._fill(exercise.intro, 0, partners)]
        if not partners.named:
            lead.append(self.catalogue.line("who_goes_first", self.locale))
        return self._enter(exercise, first, progress, partners, lead)

    def resume(self, progress: Progress, partners: Partners) -> Outcome:
        exercise = self.catalogue.exercise(progress.exercise)
        if exercise.rounds > 1:
            where = self.catalogue.line("where_you_are", self.locale, exercise=exercise.name,
                                        round=progress.round + 1, rounds=exercise.rounds)
        else:
            where = self.catalogue.line("where_you_are_single", self.locale, exercise=exercise.name)
        return self._enter(exercise, exercise.step(progress.step), progress, partners, [where])

    def handle(self, progress: Progress, event: Event, partners: Partners) -> Outcome:
        exercise = self.catalogue.exercise(progress.exercise)
        step = exercise.step(progress.step)
        if event is Event.START_OVER:
            return self.start(exercise.id, partners)
        if event is Event.REPEAT:
            return self._enter(exercise, step, progress, partners, [])
        if event is Event.HELP:
            return Outcome(progress, (self._fill(exercise.help, progress.round, partners),),
                           self._reprompt(step, progress, partners))
        if step.yes_no and event is Event.NO:
            assert step.no_goto is not None  # the catalogue guarantees it
            said = self._fill(step.on_no, progress.round, partners, variant=progress.retries)
            moved = replace(progress, step=step.no_goto, retries=progress.retries + 1)
            return self._enter(exercise, exercise.step(step.no_goto), moved, partners, [said])
        if event is Event.NO:
            # "No" to "say next when you're ready" means "not yet": wait kindly.
            reprompt = self._reprompt(step, progress, partners)
            return Outcome(progress, reprompt, reprompt)
        lead = [self._fill(step.on_yes, progress.round, partners, variant=progress.round + progress.retries)] \
            if step.yes_no and event is Event.YES else []
        return self._advance(exercise, step, progress, partners, lead)

    def _advance(self, exercise: Exercise, step: Step, progress: Progress, partners: Partners,
                 lead: list[str]) -> Outcome:
        following = exercise.following(step.id)
        if following is not None:
            return self._enter(exercise, following, replace(progress, step=following.id), partners, lead)
        next_round = progress.round + 1
        if next_round < exercise.rounds:
            lead.append(self._fill(exercise.between_rounds, next_round, partners, variant=next_round - 1))
            first = exercise.first_step()
            return self._enter(exercise, first, Progress(exercise.id, first.id, next_round), partners, lead)
        lead.append(self._fill(exercise.closing, progress.round, partners))
        return Outcome(None, tuple(s for s in lead if s), ())

    def _enter(self, exercise: Exercise, step: Step, progress: Progress, partners: Partners,
               lead: list[str]) -> Outcome:
        speech: list[Segment] = [s for s in lead if s]
        speech.append(self._fill(step.say, progress.round, partners))
        if step.timed:
            speech += [Pause(step.timed), Chime(), self._fill(step.after, progress.round, partners)]
        return Outcome(progress, tuple(speech), self._reprompt(step, progress, partners))

    def _reprompt(self, step: Step, progress: Progress, partners: Partners) -> tuple[Segment, ...]:
        if step.reprompt:
            return (self._fill(step.reprompt, progress.round, partners),)
        key = "step_yes_no_reprompt" if step.yes_no else "step_next_reprompt"
        return (self.catalogue.line(key, self.locale, variant=progress.round + progress.retries),)

    @staticmethod
    def _fill(text: Text, round_index: int, partners: Partners, variant: int | None = None) -> str:
        """One variant of `text` (by round unless `variant` says otherwise), addressed to this round's roles."""
        if not text:
            return ""
        chosen = pick(text, round_index if variant is None else variant)
        return chosen.format(**partners.roles(round_index))
