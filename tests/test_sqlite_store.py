"""The embedded store and the keeper: conditional saves, lost races detected and merged, deletes that delete."""

from __future__ import annotations

import random
import threading
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from closer.domain.household import Household, Progress
from closer.store.base import VersionConflict
from closer.store.keeper import HouseholdKeeper, Outcome
from closer.store.sqlite import SqliteStore

NOW = datetime(2026, 11, 27, 19, 0, tzinfo=UTC)


@pytest.fixture
def store(tmp_path: Path) -> SqliteStore:
    return SqliteStore(tmp_path / "households.sqlite3")


def test_create_load_save_delete(store: SqliteStore) -> None:
    assert store.load("u1") is None
    created = store.save(Household.new("u1", NOW))
    assert created.version == 1 and store.load("u1") == created
    named = store.save(replace(created, names=("Sam", "Alex")))
    assert named.version == 2 and store.load("u1").names == ("Sam", "Alex")
    store.delete("u1")
    assert store.load("u1") is None
    store.delete("u1")  # deleting nothing is fine


def test_a_write_that_lost_the_race_is_detected(store: SqliteStore) -> None:
    first = store.save(Household.new("u1", NOW))
    store.save(replace(first, names=("Sam", "Alex")))
    with pytest.raises(VersionConflict):
        store.save(replace(first, names=("Someone", "Else")))
    with pytest.raises(VersionConflict):
        store.save(Household.new("u1", NOW))  # a second "first" record
    assert store.load("u1").names == ("Sam", "Alex")


def test_the_keeper_reads_once_per_session_and_writes_only_changes(tmp_path: Path) -> None:
    inner = SqliteStore(tmp_path / "h.sqlite3")
    calls: list[str] = []

    class Counting(SqliteStore):
        def load(self, user_id: str) -> Household | None:
            calls.append("load")
            return inner.load(user_id)

        def save(self, household: Household) -> Household:
            calls.append("save")
            return inner.save(household)

    keeper = HouseholdKeeper(Counting(tmp_path / "unused.sqlite3"))
    session: dict[str, Any] = {}
    opened = keeper.open("u1", session, NOW)
    assert keeper.close(opened, replace(opened.household, names_asked=True), False, session, NOW) is Outcome.SAVED
    for _ in range(3):
        opened = keeper.open("u1", session, NOW)
        assert keeper.close(opened, opened.household, False, session, NOW) is Outcome.UNCHANGED
    assert calls == ["load", "save"]


def test_two_devices_finishing_at_once_both_count(store: SqliteStore) -> None:
    keeper = HouseholdKeeper(store)
    device_a: dict[str, Any] = {}
    device_b: dict[str, Any] = {}
    opened = keeper.open("u1", device_a, NOW)
    keeper.close(opened, replace(opened.household, names=("Sam", "Alex")), False, device_a, NOW)
    a = keeper.open("u1", device_a, NOW)
    b = keeper.open("u1", device_b, NOW)
    keeper.close(a, a.household.complete("appreciation", NOW), False, device_a, NOW)
    later = NOW + timedelta(seconds=5)
    done_b = replace(b.household.complete("small-wins", later), progress=Progress("active-listening", "choose"))
    assert keeper.close(b, done_b, False, device_b, later) is Outcome.SAVED
    stored = store.load("u1")
    assert [c.exercise for c in stored.history] == ["appreciation", "small-wins"]
    assert stored.completed == 2 and stored.names == ("Sam", "Alex")
    assert stored.progress == Progress("active-listening", "choose")


def test_many_threads_never_lose_a_completion(store: SqliteStore) -> None:
    keeper = HouseholdKeeper(store, random.Random(3))
    opened = keeper.open("u1", {}, NOW)
    keeper.close(opened, opened.household, False, {}, NOW)
    keeper.close(opened, replace(opened.household, names_asked=True), False, {}, NOW)

    def device(number: int) -> None:
        session: dict[str, Any] = {}
        for turn in range(10):
            at = NOW + timedelta(seconds=number * 100 + turn)
            current = keeper.open("u1", session, at)
            outcome = keeper.close(current, current.household.complete("small-wins", at), False, session, at)
            assert outcome is Outcome.SAVED

    threads = [threading.Thread(target=device, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    stored = store.load("u1")
    assert stored.completed == 40 and len(stored.history) == 40
