"""The household record: one per Alexa account, everything the skill remembers about a couple.

It holds progress and the names the couple chose to give, never anything they said in an exercise. Records are
immutable values; a turn produces a new one, and the store writes it only when it differs from what was read.
`merge` reconciles two devices that changed the same household at once.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

SCHEMA = 1
HISTORY_LIMIT = 60  # about two months of daily use; keeps the item small (well under 4 KB)


@dataclass(frozen=True)
class Progress:
    """Where a couple is in an exercise: which round, which step, how many "no"s in this round."""

    exercise: str
    step: str
    round: int = 0
    retries: int = 0


@dataclass(frozen=True)
class Completion:
    """One finished exercise: its id and when (seconds since the epoch)."""

    exercise: str
    at: int


@dataclass(frozen=True)
class PromptRotation:
    """Where the household is in its own shuffled order of the prompt bank."""

    seed: int
    cycle: int = 0
    position: int = -1
    day: str | None = None  # the date (ISO) the prompt at `position` was first heard


@dataclass(frozen=True)
class Reminder:
    """The couple's daily reminder: the Reminders API's id for it, and the local time ("20:00")."""

    id: str
    time: str


@dataclass(frozen=True)
class Household:
    user_id: str
    prompts: PromptRotation
    names: tuple[str, str] | None = None
    names_asked: bool = False
    progress: Progress | None = None
    history: tuple[Completion, ...] = ()
    completed: int = 0  # every exercise ever finished (history keeps only the recent ones)
    preferences: tuple[tuple[str, str], ...] = ()
    time_zone: str | None = None  # the device's, from the Alexa settings API; None until known
    time_zone_checked: int = 0  # when it was last looked up (seconds since the epoch)
    reminder: Reminder | None = None
    reminder_denied_at: int = 0  # when the couple last said no to reminders; not asked again for a week
    version: int = 0  # the stored version this record was read at; 0 = never stored
    created_at: int = 0
    updated_at: int = 0

    @classmethod
    def new(cls, user_id: str, now: datetime, rng: random.Random | None = None) -> Household:
        seed = (rng or random.SystemRandom()).randrange(2**31)
        stamp = int(now.timestamp())
        return cls(user_id=user_id, prompts=PromptRotation(seed=seed), created_at=stamp, updated_at=stamp)

    def complete(self, exercise: str, now: datetime) -> Household:
        entry = Completion(exercise, int(now.timestamp()))
        return replace(self, progress=None, history=(*self.history, entry)[-HISTORY_LIMIT:],
                       completed=self.completed + 1)

    def completions_since(self, since: datetime) -> tuple[Completion, ...]:
        cutoff = int(since.timestamp())
        return tuple(c for c in self.history if c.at >= cutoff)

    def same_content(self, other: Household) -> bool:
        """True when nothing a couple would notice differs (version and timestamps aside)."""
        return replace(self, version=0, updated_at=0) == replace(other, version=0, updated_at=0)

    # -- serialisation: a plain JSON-compatible dict, the same for session attributes and every store --

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "schema": SCHEMA,
            "user_id": self.user_id,
            "prompts": [self.prompts.seed, self.prompts.cycle, self.prompts.position, self.prompts.day],
            "names_asked": self.names_asked,
            "history": [[c.exercise, c.at] for c in self.history],
            "completed": self.completed,
            "version": self.version,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        }
        if self.names:
            data["names"] = list(self.names)
        if self.progress:
            p = self.progress
            data["progress"] = [p.exercise, p.step, p.round, p.retries]
        if self.preferences:
            data["preferences"] = dict(self.preferences)
        if self.time_zone or self.time_zone_checked:
            data["tz"] = [self.time_zone, self.time_zone_checked]
        if self.reminder:
            data["reminder"] = [self.reminder.id, self.reminder.time]
        if self.reminder_denied_at:
            data["reminder_denied_at"] = self.reminder_denied_at
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Household:
        """Rebuild a record; raises ValueError (never a half-built record) when the data is malformed."""
        try:
            seed, cycle, position, day = data["prompts"]
            names = data.get("names")
            progress = data.get("progress")
            zone, checked = data.get("tz") or (None, 0)
            reminder = data.get("reminder")
            return cls(
                user_id=str(data["user_id"]),
                prompts=PromptRotation(int(seed), int(cycle), int(position), None if day is None else str(day)),
                names=(str(names[0]), str(names[1])) if names else None,
                names_asked=bool(data.get("names_asked", False)),
                progress=Progress(str(progress[0]), str(progress[1]), int(progress[2]), int(progress[3]))
                if progress else None,
                history=tuple(Completion(str(e), int(at)) for e, at in data.get("history", [])),
                completed=int(data.get("completed", 0)),
                preferences=tuple(sorted((str(k), str(v)) for k, v in data.get("preferences", {}).items())),
                time_zone=None if zone is None else str(zone),
                time_zone_checked=int(checked),
                reminder=Reminder(str(reminder[0]), str(reminder[1])) if reminder else None,
                reminder_denied_at=int(data.get("reminder_denied_at", 0)),
                version=int(data.get("version", 0)),
                created_at=int(data.get("created_at", 0)),
                updated_at=int(data.get("updated_at", 0)),
            )
        except (KeyError, TypeError, ValueError, IndexError) as err:
            raise ValueError(f"malformed household record: {err!r}") from err


def merge(base: Household, ours: Household, theirs: Household) -> Household:
    """Three-way merge after a lost write race: our changes since `base`, applied on top of `theirs`.

    History entries from both sides are kept (none is ever lost) and the completion counter adds up; for every
    other field our value wins only where we changed it, otherwise the stored (newer) value stays.
    """
    known, stored = set(base.history), set(theirs.history)
    ours_new = [c for c in ours.history if c not in known]
    # A write of ours whose answer was lost may have landed after all: what the store already holds is not
    # counted twice. The counter, not the capped history, carries every other completion.
    already_stored = sum(c in stored for c in ours_new)
    history = tuple(sorted({*theirs.history, *ours_new}, key=lambda c: (c.at, c.exercise)))[-HISTORY_LIMIT:]

    def pick(name: str) -> Any:
        mine = getattr(ours, name)
        return mine if mine != getattr(base, name) else getattr(theirs, name)

    return replace(
        theirs,
        names=pick("names"),
        names_asked=ours.names_asked or theirs.names_asked,
        progress=pick("progress"),
        prompts=pick("prompts"),
        preferences=pick("preferences"),
        time_zone=pick("time_zone"),
        time_zone_checked=pick("time_zone_checked"),
        reminder=pick("reminder"),
        reminder_denied_at=pick("reminder_denied_at"),
        history=history,
        completed=theirs.completed + max(0, ours.completed - base.completed - already_stored),
        updated_at=max(ours.updated_at, theirs.updated_at),
    )


__all__ = ["Completion", "Household", "Progress", "PromptRotation", "Reminder", "merge"]
