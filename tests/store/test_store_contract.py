"""The store contract, checked on every engine a household can live in: SQLite, moto and DynamoDB Local.

Each store must create, load, save conditionally on the version read, refuse a stale write, delete, and keep a
year of daily use small. The DynamoDB stores must also set the TTL attribute on every save.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from closer.domain.household import HISTORY_LIMIT, Household, Progress
from closer.store.base import StoreUnavailable, VersionConflict
from closer.store.keeper import HouseholdKeeper, Outcome

from .store_backends import START, TTL_DAYS, Backend

USER = "amzn1.ask.account." + "AGX4" * 52  # real account ids run to about 220 characters
LONGEST_EXERCISE = "boundaries-and-promises"


def fresh(user_id: str = USER) -> Household:
    return Household.new(user_id, START)


def test_a_household_never_stored_loads_as_none(backend: Backend) -> None:
    assert backend.store.load(USER) is None


def test_the_first_save_creates_the_record_at_version_one(backend: Backend) -> None:
    household = replace(fresh(), names=("Sam", "Alex"), names_asked=True)

    stored = backend.store.save(household)

    assert stored.version == 1
    loaded = backend.store.load(USER)
    assert loaded is not None
    assert loaded.to_dict() == stored.to_dict()


def test_a_save_at_the_version_read_moves_the_record_on(backend: Backend) -> None:
    first = backend.store.save(fresh())
    changed = replace(first, progress=Progress("small-wins", "share", 1, 0)).complete("appreciation", START)

    second = backend.store.save(changed)

    assert second.version == 2
    loaded = backend.store.load(USER)
    assert loaded is not None
    assert loaded.to_dict() == second.to_dict()
    assert loaded.completed == 1


def test_a_save_from_a_stale_version_is_a_conflict_and_changes_nothing(backend: Backend) -> None:
    read_by_both = backend.store.save(fresh())
    kitchen = backend.store.save(read_by_both.complete("small-wins", START))

    with pytest.raises(VersionConflict):
        backend.store.save(replace(read_by_both, names=("Sam", "Alex")))

    loaded = backend.store.load(USER)
    assert loaded is not None
    assert loaded.to_dict() == kitchen.to_dict()


def test_creating_a_record_that_already_exists_is_a_conflict(backend: Backend) -> None:
    backend.store.save(replace(fresh(), names=("Sam", "Alex")))

    with pytest.raises(VersionConflict):
        backend.store.save(fresh())

    loaded = backend.store.load(USER)
    assert loaded is not None and loaded.names == ("Sam", "Alex")


def test_delete_removes_the_record_at_once_and_is_a_no_op_when_there_is_none(backend: Backend) -> None:
    backend.store.save(fresh())
    backend.store.save(fresh("amzn1.ask.account.NEIGHBOURS"))

    backend.store.delete(USER)
    backend.store.delete(USER)

    assert backend.store.load(USER) is None
    assert backend.raw(USER) is None
    assert backend.store.load("amzn1.ask.account.NEIGHBOURS") is not None
    assert backend.store.save(fresh()).version == 1  # the household can start again


def test_a_record_the_store_cannot_read_is_unavailable_never_overwritten(backend: Backend) -> None:
    backend.corrupt(USER)
    before = backend.raw(USER)

    with pytest.raises(StoreUnavailable):
        backend.store.load(USER)
    with pytest.raises(VersionConflict):
        backend.store.save(fresh())

    assert backend.raw(USER) == before


def test_a_year_of_daily_use_stays_under_4_kb(backend: Backend) -> None:
    """365 sessions through the keeper, each finishing the longest-named exercise, with the longest names."""
    keeper = HouseholdKeeper(backend.store)
    for day in range(365):
        now = START + timedelta(days=day, minutes=day % 90)
        session: dict[str, object] = {}
        opened = keeper.open(USER, session, now)
        household = replace(opened.household, names=("W" * 40, "M" * 40), names_asked=True,
                            progress=Progress(LONGEST_EXERCISE, "reflect-and-promise", 3, 2))
        if day < 364:  # the last day stops mid-exercise, so the record carries progress too
            household = household.complete(LONGEST_EXERCISE, now)
        assert keeper.close(opened, household, False, session, now) is Outcome.SAVED

    stored = backend.raw(USER)
    assert stored is not None
    year = backend.store.load(USER)
    assert year is not None
    assert year.completed == 364 and len(year.history) == HISTORY_LIMIT and year.progress is not None
    assert backend.size(stored) < 4096
    if backend.dynamodb:  # compressed, one write unit per save
        assert backend.size(stored) <= 1024


def test_every_save_sets_the_ttl_attribute_ahead_of_that_save(dynamo_backend: Backend) -> None:
    backend = dynamo_backend
    first = backend.store.save(fresh())
    stored = backend.raw(USER)
    assert stored is not None
    assert int(stored["expiresAt"]["N"]) == int(backend.clock.now) + TTL_DAYS * 86_400

    backend.clock.now += 30 * 86_400
    backend.store.save(first.complete("small-wins", START + timedelta(days=30)))

    stored = backend.raw(USER)
    assert stored is not None
    assert int(stored["expiresAt"]["N"]) == int(backend.clock.now) + TTL_DAYS * 86_400


def test_a_record_past_its_ttl_is_gone_even_before_dynamodb_removes_it(dynamo_backend: Backend) -> None:
    backend = dynamo_backend
    backend.store.save(replace(fresh(), names=("Sam", "Alex")))
    backend.clock.now += TTL_DAYS * 86_400 + 1

    assert backend.store.load(USER) is None
    again = backend.store.save(fresh())  # a new start replaces the expired item, as if DynamoDB had removed it

    assert again.version == 1
    loaded = backend.store.load(USER)
    assert loaded is not None and loaded.names is None
