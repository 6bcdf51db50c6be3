"""The keeper owns the household record for a request: it reads it once per session and writes it once per turn.

The record travels in the session attributes after the first read, so the store is read once per session, and
written only when the turn changed something, conditional on the version read. A lost race is merged and
retried a bounded number of times. A store that fails never breaks a turn: the session carries on from its own
copy and the next successful save writes it. If even the first read failed, this session never writes, so a
record we could not see is never overwritten.
"""

from __future__ import annotations

import logging
import random
import time
from dataclasses import dataclass, replace
from datetime import datetime
from enum import Enum
from typing import Any

from ..domain.household import Household, merge
from .base import HouseholdStore, StoreUnavailable, VersionConflict

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
BACKOFF_SECONDS = 0.01  # doubled after each lost race, with jitter, so devices stop colliding


class Outcome(Enum):
    UNCHANGED = "unchanged"
    SAVED = "saved"
    DELETED = "deleted"
    SAVE_FAILED = "save_failed"
    DELETE_FAILED = "delete_failed"


@dataclass(frozen=True)
class Opened:
    """The record as this turn starts, and what is known to be stored (`base`, the three-way merge's base)."""

    household: Household
    base: Household
    writable: bool = True


class HouseholdKeeper:
    def __init__(self, store: HouseholdStore, rng: random.Random | None = None) -> None:
        self.store = store
        self.rng = rng or random.Random()

    def open(self, user_id: str, session: dict[str, Any], now: datetime) -> Opened:
        """The household for this turn: from the session if it has it, else from the store (once per session)."""
        carried = session.get("household")
        if isinstance(carried, dict):
            try:
                household = Household.from_dict(carried)
                base = Household.from_dict(session["base"]) if isinstance(session.get("base"), dict) \
                    else household
                if household.user_id == user_id:
                    return Opened(household, base, writable=session.get("writable", True) is not False)
            except ValueError:
                log.warning("session carried a malformed household; reading the store instead")
        try:
            stored = self.store.load(user_id)
        except StoreUnavailable as err:
            log.warning("store unavailable on first read, this session will not write: %s", err)
            fresh = Household.new(user_id, now, self.rng)
            return Opened(fresh, fresh, writable=False)
        household = stored or Household.new(user_id, now, self.rng)
        return Opened(household, household)

    def close(self, opened: Opened, household: Household, forget: bool, session: dict[str, Any],
              now: datetime) -> Outcome:
        """Store what the turn changed and leave the session attributes ready for the next turn."""
        if forget:
            try:
                self.store.delete(household.user_id)
            except StoreUnavailable as err:
                log.warning("delete failed: %s", err)
                self._carry(session, household, opened.base, opened.writable)
                return Outcome.DELETE_FAILED
            for key in ("household", "base", "writable"):
                session.pop(key, None)
            return Outcome.DELETED
        if not opened.writable or household.same_content(opened.base):
            self._carry(session, household, opened.base, opened.writable)
            return Outcome.UNCHANGED
        try:
            stored = self._save(opened.base, replace(household, updated_at=int(now.timestamp())))
        except StoreUnavailable as err:
            log.warning("save failed, the session keeps the progress for the next try: %s", err)
            self._carry(session, household, opened.base, True)
            return Outcome.SAVE_FAILED
        self._carry(session, stored, stored, True)
        return Outcome.SAVED

    def _save(self, base: Household, ours: Household) -> Household:
        attempt = replace(ours, version=base.version)
        for tries in range(MAX_ATTEMPTS):
            try:
                return self.store.save(attempt)
            except VersionConflict:
                time.sleep(self.rng.uniform(0, BACKOFF_SECONDS * 2**tries))
                theirs = self.store.load(ours.user_id)
                if theirs is None:  # another device deleted the household: start again from what we have
                    theirs = replace(Household.new(ours.user_id, datetime.fromtimestamp(ours.created_at)),
                                     prompts=base.prompts)
                attempt = replace(merge(base, ours, theirs), version=theirs.version)
                base, ours = theirs, attempt
        raise StoreUnavailable(f"gave up after {MAX_ATTEMPTS} conflicting writes")

    @staticmethod
    def _carry(session: dict[str, Any], household: Household, base: Household, writable: bool) -> None:
        session["household"] = household.to_dict()
        if household.same_content(base) and household.version == base.version:
            session.pop("base", None)
        else:
            session["base"] = base.to_dict()
        if writable:
            session.pop("writable", None)
        else:
            session["writable"] = False
