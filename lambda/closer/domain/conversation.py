"""The conversation: what the skill says and remembers for each thing a couple can ask.

One `Conversation` serves one request. It starts from the household record and the session's short-term state,
answers one act (launch, start an exercise, yes, next, ...) with a `Say`, and leaves the updated record and
session state behind for the caller to store. It does no I/O; exercises are delegated to the engine.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from .catalogue import Catalogue, Exercise
from .engine import Engine, Event, Outcome, Partners
from .household import Household, Reminder
from .prompts import todays_prompt
from .reminders import (
    PERMISSION_SCOPE,
    ReminderTime,
    ServiceFailure,
    consent_token,
    may_ask_permission,
    reminder_request,
    reminder_time,
    time_from_token,
)
from .speech import Card, Chime, Consent, Pause, Say, Segment

PROMPT_QUIET_SECONDS = 120


@dataclass
class Session:
    """Short-term state that lives in the Alexa session attributes and ends with the session."""

    pending: str | None = None  # what a yes or no answers: "names", "resume", "prompt", "delete", "start:<id>"
    exercising: bool = False  # an exercise is running in this session, so next/yes/no go to the engine
    turn: int = 0  # rotates the variants of repeated lines
    last: Say | None = None  # for "repeat" outside an exercise

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"turn": self.turn, "exercising": self.exercising}
        if self.pending:
            data["pending"] = self.pending
        if self.last:
            data["last"] = self.last.to_json()
        return data

    @classmethod
    def from_json(cls, data: Any) -> Session:
        if not isinstance(data, dict):
            return cls()
        pending = data.get("pending")
        last = data.get("last")
        return cls(pending=pending if isinstance(pending, str) else None,
                   exercising=bool(data.get("exercising", False)),
                   turn=int(data["turn"]) if isinstance(data.get("turn"), int) else 0,
                   last=Say.from_json(last) if isinstance(last, dict) else None)


class Conversation:
    def __init__(self, catalogue: Catalogue, household: Household, session: Session, now: datetime,
                 locale: str, one_shot: bool = False, today: date | None = None) -> None:
        self.catalogue = catalogue
        self.locale = locale
        self.now = now
        self.today = today or now.date()  # the household's local date
        self.one_shot = one_shot  # the session was opened by this very request ("ask closer together to ...")
        self.session = session
        self.pending, session.pending = session.pending, None  # an answer clears the question by default
        self.household = self._without_stale_progress(household)
        self.forget = False  # set when the couple confirmed "delete our data"
        self.engine = Engine(catalogue, locale)

    # -- opening --

    def launch(self) -> Say:
        h = self.household
        if not h.names_asked:
            self.household = replace(h, names_asked=True)
            self.session.pending = "names"
            return self._reply(Say.ask(self._line("welcome_first"), reprompt=self._line("ask_names_reprompt")))
        greeting = self._line("welcome_back_named", names=self._names()) if h.names else self._line("welcome_back")
        if h.progress:
            exercise = self.catalogue.exercise(h.progress.exercise)
            self.session.pending = "resume"
            return self._reply(Say.ask(
                greeting, self._line("offer_resume", exercise=exercise.name, round=h.progress.round + 1,
                                     rounds=exercise.rounds),
                reprompt=self._line("offer_resume_reprompt", exercise=exercise.name)))
        if not self._heard_prompt_today():
            self.session.pending = "prompt"
            return self._reply(Say.ask(greeting, self._line("offer_prompt"),
                                       reprompt=self._line("offer_prompt_reprompt")))
        return self._reply(self._recommend(greeting))

    def set_names(self, first: str | None, second: str | None) -> Say:
        named = self.catalogue.exercise_named(f"{first} {self._line('and')} {second}")
        if named:  # "boundaries and promises" sounds like two names to Alexa
            return self.start_exercise(named.id)
        if not first or not second:
            self.session.pending = "names"
            return self._reply(Say.ask(self._line("names_missing"), reprompt=self._line("ask_names_reprompt")))
        self.household = replace(self.household, names=(_tidy_name(first), _tidy_name(second)),
                                 names_asked=True)
        saved = self._line("names_saved", names=self._names())
        if self._in_exercise():
            return self._exercise(Event.REPEAT, lead=saved)
        return self._reply(self._recommend(saved))

    # -- exercises --

    def start_exercise(self, exercise_id: str | None) -> Say:
        if exercise_id is None or exercise_id not in self.catalogue.exercises:
            return self._reply(Say.ask(self._line("unknown_exercise", exercises=self._exercise_names()),
                                       reprompt=self._line("list_reprompt")))
        self.session.exercising = True
        return self._play(self.engine.start(exercise_id, self._partners()))

    def resume(self) -> Say:
        progress = self.household.progress
        if progress is None:
            return self._reply(self._recommend(self._line("nothing_to_resume")))
        self.session.exercising = True
        return self._play(self.engine.resume(progress, self._partners()))

    def list_exercises(self) -> Say:
        self.session.exercising = False  # a step aside: "next" picks the exercise up again, yes/no do not
        return self._reply(Say.ask(
            self._line("list_exercises", count=len(self.catalogue.exercises), exercises=self._exercise_names()),
            reprompt=self._line("list_reprompt")))

    # -- the small words: yes, no, next, repeat, start over --

    def yes(self) -> Say:
        pending = self.pending
        if pending == "resume":
            return self.resume()
        if pending == "prompt":
            return self.todays_prompt()
        if pending == "delete":
            self.forget = True
            return self._reply(Say.tell(self._line("deleted")))
        if pending and pending.startswith("start:"):
            return self.start_exercise(pending.removeprefix("start:"))
        if pending == "names":
            return self.set_names(None, None)
        if self._in_exercise():
            return self._exercise(Event.YES)
        return self._reply(self._menu(self._line("stray_answer")))

    def no(self) -> Say:
        pending = self.pending
        if pending == "resume":
            if not self._heard_prompt_today():
                self.session.pending = "prompt"
                return self._reply(Say.ask(self._line("declined"), self._line("offer_prompt"),
                                           reprompt=self._line("offer_prompt_reprompt")))
            return self._reply(self._menu(self._line("declined")))
        if pending == "delete":
            return self._reply(self._menu(self._line("delete_kept")))
        if pending == "names":
            self.household = replace(self.household, names=None, names_asked=True)
            return self._reply(self._recommend(self._line("names_skipped")))
        if pending == "prompt":
            return self._reply(self._recommend(self._line("declined")))
        if pending:
            return self._reply(self._menu(self._line("declined")))
        if self._in_exercise():
            return self._exercise(Event.NO)
        return self._reply(self._menu(self._line("stray_answer")))

    def next(self) -> Say:
        if self.pending == "names":
            return self.no()
        if self.pending in ("resume", "prompt") or (self.pending or "").startswith("start:"):
            return self.yes()
        if self._in_exercise():
            return self._exercise(Event.NEXT)
        if self.household.progress:
            return self.resume()
        return self._reply(self._menu())

    def repeat(self) -> Say:
        self.session.pending = self.pending  # repeating keeps the question open
        if self._in_exercise():
            return self._exercise(Event.REPEAT)
        if self.session.last:
            return self._reply(self.session.last)
        return self._reply(self._menu())

    def start_over(self) -> Say:
        if self.household.progress:
            self.session.exercising = True
            return self._exercise(Event.START_OVER)
        return self._reply(self._menu())

    # -- ways out --

    def help(self) -> Say:
        if self._in_exercise():
            return self._exercise(Event.HELP)
        return self._reply(Say.ask(self._line("help"), reprompt=self._line("help_reprompt")))

    def pause(self) -> Say:
        if self.household.progress:
            self.session.exercising = False
            return self._reply(Say.tell(self._line("pause_in_exercise")))
        return self._reply(Say.tell(self._line("goodbye")))

    def stop(self) -> Say:
        if self._in_exercise():
            self.session.exercising = False
            return self._reply(Say.tell(self._line("stop_in_exercise")))
        return self._reply(Say.tell(self._line("goodbye")))

    def home(self) -> Say:
        self.session.exercising = False
        return self._reply(self._menu(self._line("home")))

    def fallback(self) -> Say:
        if self._in_exercise():
            self.session.pending = self.pending
            progress = self.household.progress
            assert progress is not None
            step = self.engine.handle(progress, Event.HELP, self._partners()).reprompt
            return self._reply(Say.ask(self._line("fallback_in_exercise"), step, reprompt=step))
        return self._reply(Say.ask(self._line("fallback"), reprompt=self._line("menu_reprompt")))

    def session_ended(self) -> Say:
        self.session.exercising = False
        return Say.nothing()

    # -- the daily prompt, progress, safety, deleting --

    def todays_prompt(self) -> Say:
        self.household, prompt = todays_prompt(self.household, self.catalogue, self.today)
        card = Card(self._line("prompt_card_title"), prompt.text)
        if self.one_shot:
            return self._reply(Say.tell(self._line("prompt_intro"), prompt.text,
                                        self._line("prompt_oneshot_invite"), card=card))
        lead: list[Segment] = [self._line("prompt_intro"), prompt.text, self._line("prompt_invite"),
                               Pause(PROMPT_QUIET_SECONDS), Chime(), self._line("prompt_after")]
        return self._reply(self._recommend(lead, card=card))

    def progress(self) -> Say:
        week = self.household.completions_since(self.now - timedelta(days=7))
        if not week:
            summary = self._line("progress_none")
        elif len(week) == 1:
            summary = self._line("progress_one", exercise=self.catalogue.exercise(week[0].exercise).name)
        else:
            distinct = list(dict.fromkeys(self.catalogue.exercise(c.exercise).name for c in week
                                          if c.exercise in self.catalogue.exercises))
            summary = self._line("progress_many", count=len(week), exercises=self._join(distinct))
        total = self.household.completed
        lead = [summary] + ([self._line("progress_total", total=total)] if total > len(week) else [])
        return self._reply(self._recommend(lead))

    def safety(self) -> Say:
        self.household = replace(self.household, progress=None)
        self.session.exercising = False
        text = self._line("safety")
        return self._reply(Say.tell(text, card=Card(self._line("safety_card_title"), text)))

    def delete_data(self) -> Say:
        self.session.pending = "delete"
        return self._reply(Say.ask(self._line("delete_confirm"), reprompt=self._line("delete_reprompt")))

    # -- the daily reminder (the handler makes the Reminders API call between these steps) --

    def plan_reminder(self, time_value: str | None, part: str | None) -> ReminderTime | Say:
        """The time to set the reminder for, or what to say instead (no time heard, no time zone known)."""
        time = reminder_time(time_value, part)
        if time is None:
            self.session.pending = None
            return self._reply(Say.ask(self._line("reminder_what_time"),
                                       reprompt=self._line("reminder_what_time_reprompt")))
        if self.household.time_zone is None:  # a reminder at the wrong hour would be worse than none
            return self._after_reminder(self._line("reminder_unavailable"))
        return time

    def reminder_request(self, time: ReminderTime) -> dict[str, Any]:
        assert self.household.time_zone is not None
        return reminder_request(time, self.household.time_zone, self.locale, self._line("reminder_text"), self.now)

    def reminder_outcome(self, time: ReminderTime, result: str | ServiceFailure) -> Say:
        """What to say once the Reminders API answered with the reminder's id, or failed."""
        if isinstance(result, str):
            key = "reminder_changed" if self.household.reminder else "reminder_set"
            self.household = replace(self.household, reminder=Reminder(result, time.text))
            return self._after_reminder(self._line(key, time=time.spoken))
        if result is ServiceFailure.NO_PERMISSION:
            if not may_ask_permission(self.household, self.now):
                return self._after_reminder(self._line("reminder_permission_off"))
            return self._reply(Say.ask_consent(self._line("reminder_permission_intro"),
                                               consent=Consent(PERMISSION_SCOPE, consent_token(time))))
        return self._after_reminder(self._line("reminder_unavailable"))

    def permission_answer(self, status: str | None, token: str | None) -> ReminderTime | Say:
        """Alexa's answer to the permission request: the time to set the reminder for, or what to say."""
        time = time_from_token(token)
        if status == "ACCEPTED" and time is not None:
            return time
        if status == "DENIED":
            self.household = replace(self.household, reminder_denied_at=int(self.now.timestamp()))
            return self._after_reminder(self._line("reminder_permission_denied"))
        return self._after_reminder(self._line("reminder_permission_not_answered"))

    def reminder_to_cancel(self) -> str | Say:
        """The id of the reminder to delete, or what to say when there is none."""
        if self.household.reminder is None:
            return self._after_reminder(self._line("reminder_none"))
        return self.household.reminder.id

    def reminder_cancelled(self, failure: ServiceFailure | None) -> Say:
        if failure is not None:
            return self._after_reminder(self._line("reminder_cancel_failed"))
        self.household = replace(self.household, reminder=None)
        return self._after_reminder(self._line("reminder_cancelled"))

    def _after_reminder(self, lead: str) -> Say:
        return self._reply(Say.tell(lead) if self.one_shot else self._menu(lead))

    def error(self) -> Say:
        return self._reply(Say.ask(self._line("error_apology"), reprompt=self._line("error_reprompt")))

    # -- helpers --

    def _exercise(self, event: Event, lead: str = "") -> Say:
        progress = self.household.progress
        assert progress is not None
        outcome = self.engine.handle(progress, event, self._partners())
        return self._play(outcome, lead)

    def _play(self, outcome: Outcome, lead: str = "") -> Say:
        if not outcome.finished:
            self.household = replace(self.household, progress=outcome.progress)
            return self._reply(Say.ask(lead, outcome.speech, reprompt=outcome.reprompt))
        self.household = self.household.complete(self.household.progress.exercise if self.household.progress
                                                 else "", self.now)
        self.session.exercising = False
        if not self._heard_prompt_today():
            self.session.pending = "prompt"
            return self._reply(Say.ask(lead, outcome.speech, self._line("done_offer_prompt"),
                                       reprompt=self._line("offer_prompt_reprompt")))
        return self._reply(Say.ask(lead, outcome.speech, self._line("done_menu"),
                                   reprompt=self._line("menu_reprompt")))

    def _recommend(self, lead: Segment | Sequence[Segment], card: Card | None = None) -> Say:
        """End with a question that moves on: carry on with the exercise they stepped out of, or a suggestion."""
        if self._in_exercise():
            assert self.household.progress is not None
            current = self.catalogue.exercise(self.household.progress.exercise)
            self.session.exercising = False
            self.session.pending = "resume"
            return Say.ask(lead, self._line("offer_continue", exercise=current.name),
                           reprompt=self._line("offer_resume_reprompt", exercise=current.name), card=card)
        exercise = self._suggestion()
        self.session.pending = f"start:{exercise.id}"
        return Say.ask(lead, self._line("recommend", exercise=exercise.name, pitch=exercise.pitch,
                                        minutes=exercise.minutes),
                       reprompt=self._line("recommend_reprompt", exercise=exercise.name), card=card)

    def _suggestion(self) -> Exercise:
        """The exercise least recently done (never-done ones first, by rank), so a couple meets them all."""
        last_done = {c.exercise: c.at for c in self.household.history}
        return min(self.catalogue.exercises.values(),
                   key=lambda e: (last_done.get(e.id, 0), e.rank, e.section, e.id))

    def _menu(self, lead: str = "") -> Say:
        return Say.ask(lead, self._line("menu"), reprompt=self._line("menu_reprompt"))

    def _reply(self, say: Say) -> Say:
        self.session.turn += 1
        if not say.end_session:
            self.session.last = say
        return say

    def _in_exercise(self) -> bool:
        return self.session.exercising and self.household.progress is not None

    def _heard_prompt_today(self) -> bool:
        return self.household.prompts.day == self.today.isoformat()

    def _partners(self) -> Partners:
        return Partners.of(self.household, self.catalogue, self.locale)

    def _names(self) -> str:
        partners = self._partners()
        return self._join([partners.one, partners.two])

    def _exercise_names(self) -> str:
        return self._join([e.name for e in self.catalogue.exercises.values()])

    def _join(self, items: list[str]) -> str:
        if len(items) <= 1:
            return "".join(items)
        return f"{', '.join(items[:-1])} {self._line('and')} {items[-1]}"

    def _line(self, key: str, **values: object) -> str:
        return self.catalogue.line(key, self.locale, variant=self.session.turn, **values)

    def _without_stale_progress(self, household: Household) -> Household:
        """Drop progress that points at an exercise or step the content no longer has."""
        progress = household.progress
        if progress is None:
            return household
        exercise = self.catalogue.exercises.get(progress.exercise)
        if exercise is None or progress.step not in {s.id for s in exercise.steps} \
                or progress.round >= exercise.rounds:
            return replace(household, progress=None)
        return household


def _tidy_name(name: str) -> str:
    return " ".join(part.capitalize() for part in name.split())[:40]
