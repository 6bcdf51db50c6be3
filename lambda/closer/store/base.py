"""The store contract every persistence adapter follows.

A store keeps one record per Alexa account. `save` is conditional on the version the record was read at, so a
write that lost a race with another device raises `VersionConflict` instead of silently overwriting; the keeper
then merges and retries. Anything that stops the store from answering (throttling, timeouts, an unreachable
endpoint, a locked file) raises `StoreUnavailable`, which the skill turns into a spoken apology, never a crash.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

from ..domain.household import Household


class VersionConflict(Exception):
    """The stored record is not at the version this write was based on."""


class StoreUnavailable(Exception):
    """The store could not be reached or refused to answer in time."""


class HouseholdStore(ABC):
    @abstractmethod
    def load(self, user_id: str) -> Household | None:
        """The stored record (its `version` set to the stored version), or None if there is none."""

    @abstractmethod
    def save(self, household: Household) -> Household:
        """Write `household` if the stored version still equals `household.version` (0: no record yet).

        Returns the record as stored, with its new version. Raises VersionConflict when the condition fails.
        """

    @abstractmethod
    def delete(self, user_id: str) -> None:
        """Remove the record for good (a no-op when there is none)."""
