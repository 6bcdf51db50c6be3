"""The engines a household record can live in, behind one `Backend` face, for the store tests.

SQLite (the embedded default), moto (DynamoDB mocked in-process, fast) and DynamoDB Local (Amazon's own engine).
Every DynamoDB table is made fresh, with TTL on, so no test sees another's records.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3

from closer.store.base import HouseholdStore
from closer.store.dynamodb import KEY, RECORD, TTL_ATTRIBUTE, DynamoDbStore, item_size, table_definition
from closer.store.sqlite import SqliteStore

REGION = "eu-west-1"
TTL_DAYS = 548
START = datetime(2025, 3, 1, 19, 30, tzinfo=UTC)


class Clock:
    """A settable clock for the store (seconds since the epoch)."""

    def __init__(self, now: datetime = START) -> None:
        self.now = now.timestamp()

    def __call__(self) -> float:
        return self.now


def create_table(client: Any) -> str:
    name = f"households-{uuid.uuid4().hex[:12]}"
    client.create_table(**table_definition(name))
    client.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 0.05, "MaxAttempts": 100})
    client.update_time_to_live(TableName=name,
                               TimeToLiveSpecification={"Enabled": True, "AttributeName": TTL_ATTRIBUTE})
    return name


@dataclass
class Backend:
    """A store under test, and a look behind it at what it actually wrote."""

    name: str
    store: HouseholdStore
    clock: Clock
    raw: Callable[[str], dict[str, Any] | None]  # the stored item (DynamoDB's typed form) or row
    size: Callable[[dict[str, Any]], int]  # bytes, as the engine counts them
    corrupt: Callable[[str], None]  # store something under that user that is not a household record

    @property
    def dynamodb(self) -> bool:
        return isinstance(self.store, DynamoDbStore)


def dynamodb_backend(name: str, endpoint: str | None) -> Backend:
    clock = Clock()
    client = boto3.client("dynamodb", region_name=REGION, endpoint_url=endpoint)
    table = create_table(client)
    store = DynamoDbStore(table, ttl_days=TTL_DAYS, region=REGION, endpoint_url=endpoint, clock=clock)

    def raw(user_id: str) -> dict[str, Any] | None:
        item: dict[str, Any] | None = client.get_item(TableName=table, Key={KEY: {"S": user_id}},
                                                      ConsistentRead=True).get("Item")
        return item

    def corrupt(user_id: str) -> None:
        client.put_item(TableName=table, Item={KEY: {"S": user_id}, "version": {"N": "3"},
                                               RECORD: {"B": b"not a compressed record"}})

    return Backend(name, store, clock, raw, item_size, corrupt)


def sqlite_backend(path: Path) -> Backend:
    store = SqliteStore(path)

    def raw(user_id: str) -> dict[str, Any] | None:
        with sqlite3.connect(path) as db:
            row = db.execute("SELECT version, record FROM households WHERE user_id = ?", (user_id,)).fetchone()
        return None if row is None else {"version": row[0], "record": row[1]}

    def corrupt(user_id: str) -> None:
        with sqlite3.connect(path) as db:
            db.execute("INSERT INTO households (user_id, version, record) VALUES (?, 3, ?)",
                       (user_id, json.dumps({"prompts": "not a rotation"})))

    return Backend("sqlite", store, Clock(), raw, lambda row: len(str(row["record"]).encode()), corrupt)
