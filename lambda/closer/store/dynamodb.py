"""The production store: one DynamoDB item per household, keyed by the Alexa `userId`.

The item holds the version as a number beside the record, and every save is a PutItem conditional on the version
it was based on (`attribute_not_exists` for a household never stored), so a device that lost a race gets
`VersionConflict` and the keeper merges, never a silent overwrite. Reads are consistent: the keeper reads once per
session and must see the last turn of the other device. Every save sets `expiresAt` (DynamoDB's TTL attribute) to
`ttl_days` ahead, so a household that stops using the skill is removed by DynamoDB itself; an item past that time
that DynamoDB has not removed yet is treated as gone. "Delete our data" deletes the item at once.

The record is the household's JSON, zlib-compressed in one binary attribute: after a year of daily use the item
is about 0.7 KB, against 2.6 KB with the record as a map and 2.9 KB as a JSON string, so a save costs one write
unit rather than three. `benchmarks/dynamodb_choices.py` measures that, and why this is the low-level client: the
resource layer costs more per call and would wrap every number in a Decimal.

The client is made on first use, once per store (and the skill builds one store per process), with short timeouts
and botocore's standard retry mode at two attempts, so that a failing DynamoDB costs a turn seconds, not Alexa's
whole 8-second budget. Every failure, whatever botocore raises, becomes `StoreUnavailable`.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import zlib
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from ..domain.household import Household
from .base import HouseholdStore, StoreUnavailable, VersionConflict

log = logging.getLogger(__name__)

KEY = "userId"
VERSION = "version"
RECORD = "record"
TTL_ATTRIBUTE = "expiresAt"

CONNECT_TIMEOUT = 0.5  # seconds; DynamoDB answers in milliseconds from the same region
READ_TIMEOUT = 1.0
MAX_ATTEMPTS = 2  # per call, first try included: worst case about 4 s, inside Alexa's 8 s
# Errors that mean the table or its permissions are wrong, not that DynamoDB is busy: worth an error in the logs.
_MISCONFIGURED = {"ResourceNotFoundException", "AccessDeniedException", "ValidationException",
                  "UnrecognizedClientException", "MissingAuthenticationTokenException"}


class DynamoDbStore(HouseholdStore):
    def __init__(self, table: str, *, ttl_days: int, region: str | None = None, endpoint_url: str | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        if ttl_days < 1:
            raise ValueError("ttl_days must be at least one day")
        self.table = table
        self.region = region
        self.endpoint_url = endpoint_url
        self.ttl_seconds = ttl_days * 86_400
        self.clock = clock
        self._client: Any = None
        self._lock = threading.Lock()

    @property
    def client(self) -> Any:
        """The low-level DynamoDB client, made on first use and kept for the life of the store."""
        if self._client is None:
            with self._lock:
                if self._client is None:
                    self._client = self._make_client()
        return self._client

    def _make_client(self) -> Any:
        config = Config(connect_timeout=CONNECT_TIMEOUT, read_timeout=READ_TIMEOUT,
                        retries={"mode": "standard", "total_max_attempts": MAX_ATTEMPTS})
        return boto3.session.Session().client("dynamodb", region_name=self.region,
                                              endpoint_url=self.endpoint_url, config=config)

    def load(self, user_id: str) -> Household | None:
        reply = self._call("GetItem", lambda client: client.get_item(
            TableName=self.table, Key={KEY: {"S": user_id}}, ConsistentRead=True))
        item = reply.get("Item")
        if item is None or _expired(item, self.clock()):
            return None
        try:
            return decode(item)
        except ValueError as err:  # never build on a record we cannot read; never overwrite it either
            raise StoreUnavailable(f"unreadable record: {err}") from err

    def save(self, household: Household) -> Household:
        stored = replace(household, version=household.version + 1)
        now = int(self.clock())
        if household.version == 0:  # no record yet, or one past its time that DynamoDB has not removed yet
            condition: dict[str, Any] = {
                "ConditionExpression": f"attribute_not_exists({KEY}) OR #expires <= :now",
                "ExpressionAttributeNames": {"#expires": TTL_ATTRIBUTE},
                "ExpressionAttributeValues": {":now": {"N": str(now)}}}
        else:
            condition = {
                "ConditionExpression": "#version = :read",
                "ExpressionAttributeNames": {"#version": VERSION},
                "ExpressionAttributeValues": {":read": {"N": str(household.version)}}}
        item = encode(stored, expires_at=now + self.ttl_seconds)
        try:
            self._call("PutItem", lambda client: client.put_item(
                TableName=self.table, Item=item, ReturnValuesOnConditionCheckFailure="ALL_OLD", **condition))
        except _ConditionFailed as failed:
            # botocore retries a write whose answer was lost (a timeout); if the first attempt landed, the retry
            # finds our own item: that is success, and reporting a conflict would make the keeper count it twice.
            current = failed.current or {}
            if current.get(VERSION) == item[VERSION] and current.get(RECORD) == item[RECORD]:
                log.info("an earlier attempt of this save had already been stored")
                return stored
            raise
        return stored

    def delete(self, user_id: str) -> None:
        self._call("DeleteItem", lambda client: client.delete_item(TableName=self.table, Key={KEY: {"S": user_id}}))

    def _call(self, operation: str, request: Callable[[Any], dict[str, Any]]) -> dict[str, Any]:
        try:
            return request(self.client)
        except ClientError as err:
            code = err.response.get("Error", {}).get("Code", "")
            if code == "ConditionalCheckFailedException":
                raise _ConditionFailed(f"{operation}: the stored record moved on", err.response.get("Item")) from err
            if code in _MISCONFIGURED:
                log.error("DynamoDB refused %s on table %s (%s): check the table and its permissions",
                          operation, self.table, code)
            raise StoreUnavailable(f"{operation}: {code or err}") from err
        except BotoCoreError as err:  # timeouts, unreachable endpoint, no credentials or region
            raise StoreUnavailable(f"{operation}: {type(err).__name__}: {err}") from err


class _ConditionFailed(VersionConflict):
    """A conditional write failed; `current` is the item as stored (None when there is none)."""

    def __init__(self, message: str, current: dict[str, Any] | None) -> None:
        super().__init__(message)
        self.current = current


def encode(household: Household, expires_at: int) -> dict[str, Any]:
    """The item for `household` (at its own version), in the low-level client's typed form."""
    record = household.to_dict()
    for kept_beside in ("user_id", "version"):  # already the key and the version attribute
        del record[kept_beside]
    packed = zlib.compress(json.dumps(record, separators=(",", ":")).encode(), 9)
    return {KEY: {"S": household.user_id}, VERSION: {"N": str(household.version)},
            TTL_ATTRIBUTE: {"N": str(expires_at)}, RECORD: {"B": packed}}


def decode(item: Mapping[str, Any]) -> Household:
    """The household an item holds; ValueError when the item is not one this store wrote."""
    try:
        record = json.loads(zlib.decompress(item[RECORD]["B"]))
        if not isinstance(record, dict):
            raise ValueError("the record is not a JSON object")
        record.update(user_id=item[KEY]["S"], version=int(item[VERSION]["N"]))
    except (KeyError, TypeError, ValueError, zlib.error) as err:
        raise ValueError(f"malformed item: {err!r}") from err
    return Household.from_dict(record)


def _expired(item: Mapping[str, Any], now: float) -> bool:
    try:
        return int(item[TTL_ATTRIBUTE]["N"]) <= now
    except (KeyError, TypeError, ValueError):
        return False


def table_definition(table: str) -> dict[str, Any]:
    """The CreateTable request for the table this store expects (tests and local tools; infra must match)."""
    return {"TableName": table, "BillingMode": "PAY_PER_REQUEST",
            "KeySchema": [{"AttributeName": KEY, "KeyType": "HASH"}],
            "AttributeDefinitions": [{"AttributeName": KEY, "AttributeType": "S"}]}


def item_size(item: Mapping[str, Any]) -> int:
    """An item's size in bytes as DynamoDB counts it for capacity units and the 400 KB limit."""
    return sum(len(name.encode()) + _value_size(value) for name, value in item.items())


def _value_size(value: Mapping[str, Any]) -> int:
    (kind, data), = value.items()
    if kind == "S":
        return len(data.encode())
    if kind == "B":
        return len(data)
    if kind == "N":
        digits = data.lstrip("-").replace(".", "").strip("0") or "0"
        return (len(digits) + 1) // 2 + 1
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "L":
        return 3 + sum(1 + _value_size(element) for element in data)
    if kind == "M":
        return 3 + sum(1 + len(name.encode()) + _value_size(element) for name, element in data.items())
    raise ValueError(f"no size rule for attribute type {kind}")
