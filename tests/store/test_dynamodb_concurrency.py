"""Eight Echo devices in one home, all changing the household at once, on DynamoDB Local: nothing is lost.

Each device is a thread with its own store (its own client, as separate Lambda containers would have), its own
session and its own keeper. Each makes 50 changes, every one a finished exercise, through the keeper exactly as
a turn does. Devices lose write races all the time here; the keeper must merge and retry, and a device that gives
up for this turn must write what it has on its next turn. At the end every completion is counted exactly once,
and the history holds exactly the most recent ones.
"""

from __future__ import annotations

import itertools
import random
import threading
from collections import Counter
from datetime import UTC, datetime
from typing import Any

import boto3

from closer.domain.household import HISTORY_LIMIT, Household
from closer.store.base import VersionConflict
from closer.store.dynamodb import DynamoDbStore
from closer.store.keeper import HouseholdKeeper, Outcome

from .store_backends import REGION, START, TTL_DAYS, create_table

DEVICES = 8
CHANGES = 50
USER = "amzn1.ask.account.BUSY-HOUSEHOLD"
EXERCISES = ("active-listening", "small-wins", "appreciation", "safe-space")


class Device(DynamoDbStore):
    """A device's store, counting the write races it loses (the test must have had some)."""

    lost_races = 0
    _count_lock = threading.Lock()

    def save(self, household: Household) -> Household:
        try:
            return super().save(household)
        except VersionConflict:
            with Device._count_lock:
                Device.lost_races += 1
            raise


def test_eight_devices_fifty_changes_each_lose_nothing(dynamodb_endpoint: str) -> None:
    table = create_table(boto3.client("dynamodb", region_name=REGION, endpoint_url=dynamodb_endpoint))
    DynamoDbStore(table, ttl_days=TTL_DAYS, region=REGION, endpoint_url=dynamodb_endpoint).save(
        Household.new(USER, START))
    # Each completion gets a distinct moment, taken after its turn read the household, so the newest completions
    # are the ones the capped history must keep.
    moments = itertools.count(int(START.timestamp()) + 60)
    moment_lock = threading.Lock()
    made: list[int] = []
    outcomes: Counter[Outcome] = Counter()
    errors: list[BaseException] = []
    start_together = threading.Barrier(DEVICES)

    def device(number: int) -> None:
        try:
            store = Device(table, ttl_days=TTL_DAYS, region=REGION, endpoint_url=dynamodb_endpoint)
            keeper = HouseholdKeeper(store, rng=random.Random(number))
            session: dict[str, Any] = {}
            start_together.wait()
            for change in range(CHANGES):
                opened = keeper.open(USER, session, START)
                with moment_lock:
                    at = next(moments)
                    made.append(at)
                now = datetime.fromtimestamp(at, UTC)
                finished = opened.household.complete(EXERCISES[(number + change) % len(EXERCISES)], now)
                outcomes[keeper.close(opened, finished, False, session, now)] += 1
            for _ in range(20):  # later turns that change nothing still write what earlier turns could not
                if "base" not in session:
                    break
                opened = keeper.open(USER, session, START)
                outcomes[keeper.close(opened, opened.household, False, session, START)] += 1
            assert "base" not in session, f"device {number} still holds unsaved progress"
        except BaseException as error:  # noqa: BLE001 - reported by the main thread
            errors.append(error)

    threads = [threading.Thread(target=device, args=(n,)) for n in range(DEVICES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert not errors, errors
    assert Device.lost_races > 0, "the devices never raced: this run proved nothing"
    final = DynamoDbStore(table, ttl_days=TTL_DAYS, region=REGION, endpoint_url=dynamodb_endpoint).load(USER)
    assert final is not None
    assert final.completed == DEVICES * CHANGES == len(made)
    assert [entry.at for entry in final.history] == sorted(made)[-HISTORY_LIMIT:]
    assert outcomes[Outcome.SAVED] >= DEVICES * CHANGES - outcomes[Outcome.SAVE_FAILED]
    assert set(outcomes) <= {Outcome.SAVED, Outcome.SAVE_FAILED}
