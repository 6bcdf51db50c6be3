"""The DynamoDB store beyond the contract: how it fails, how it retries, and how it makes its client.

Whatever DynamoDB or the network does, the store raises `StoreUnavailable` (or `VersionConflict` for a lost race),
never a botocore error. Injected faults (moto) cover every error kind; the real engine and real sockets cover the
retry, the timeouts and the unreachable endpoint.
"""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

import boto3
import pytest
from botocore.exceptions import EndpointConnectionError, ReadTimeoutError
from botocore.httpsession import URLLib3Session
from moto import mock_aws

from closer.domain.household import Household
from closer.store.base import StoreUnavailable, VersionConflict
from closer.store.dynamodb import MAX_ATTEMPTS, DynamoDbStore
from closer.store.keeper import HouseholdKeeper, Outcome

from .faults import FAULTS, AttemptFaults, CallFaults, error_response
from .store_backends import REGION, START, TTL_DAYS, create_table

USER = "amzn1.ask.account.STORE-TESTS"


def fresh() -> Household:
    return Household.new(USER, START)


@pytest.fixture(scope="module")
def mocked() -> Iterator[tuple[DynamoDbStore, CallFaults]]:
    """One moto table for the module; each test injects its own faults into the store's client."""
    with mock_aws():
        table = create_table(boto3.client("dynamodb", region_name=REGION))
        store = DynamoDbStore(table, ttl_days=TTL_DAYS, region=REGION)
        yield store, CallFaults(store.client)


def local_store(endpoint: str) -> DynamoDbStore:
    return DynamoDbStore(create_table(boto3.client("dynamodb", region_name=REGION, endpoint_url=endpoint)),
                         ttl_days=TTL_DAYS, region=REGION, endpoint_url=endpoint)


CALLS: dict[str, tuple[str, Callable[[DynamoDbStore], object]]] = {
    "load": ("GetItem", lambda store: store.load(USER)),
    "save": ("PutItem", lambda store: store.save(fresh())),
    "delete": ("DeleteItem", lambda store: store.delete(USER)),
}


@pytest.mark.parametrize("fault", sorted(FAULTS))
@pytest.mark.parametrize("call", sorted(CALLS))
def test_every_dynamodb_failure_becomes_store_unavailable(mocked: tuple[DynamoDbStore, CallFaults], call: str,
                                                         fault: str) -> None:
    store, faults = mocked
    store.delete(USER)
    operation, make_call = CALLS[call]
    faults.fail_next(operation, fault)

    with pytest.raises(StoreUnavailable):
        make_call(store)

    assert faults.failed[-1][1:] == (operation, fault)
    assert store.load(USER) is None  # the failed save wrote nothing
    store.save(fresh())  # and the store works again once the fault clears
    assert store.load(USER) is not None


def test_a_missing_table_is_unavailable_and_logged_as_a_configuration_error(
        dynamodb_endpoint: str, caplog: pytest.LogCaptureFixture) -> None:
    store = DynamoDbStore("no-such-table", ttl_days=TTL_DAYS, region=REGION, endpoint_url=dynamodb_endpoint)

    with caplog.at_level(logging.ERROR, logger="closer.store.dynamodb"), pytest.raises(StoreUnavailable):
        store.load(USER)

    assert "ResourceNotFoundException" in caplog.text and "no-such-table" in caplog.text


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def test_an_unreachable_endpoint_is_unavailable() -> None:
    store = DynamoDbStore("households", ttl_days=TTL_DAYS, region=REGION,
                          endpoint_url=f"http://127.0.0.1:{closed_port()}")

    with pytest.raises(StoreUnavailable) as raised:
        store.load(USER)

    assert isinstance(raised.value.__cause__, EndpointConnectionError)


class Stall:
    """A server that accepts connections and reads requests but never answers: DynamoDB gone quiet."""

    def __init__(self) -> None:
        self.server = socket.socket()
        self.server.bind(("127.0.0.1", 0))
        self.server.listen()
        self.url = f"http://127.0.0.1:{self.server.getsockname()[1]}"
        self.requests = 0
        self.held: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self.server.accept()
            except OSError:
                return
            self.held.append(connection)
            if connection.recv(65536):
                self.requests += 1

    def close(self) -> None:
        for connection in self.held:
            connection.close()
        self.server.close()


def test_a_stalled_endpoint_times_out_after_the_configured_attempts() -> None:
    stall = Stall()
    store = DynamoDbStore("households", ttl_days=TTL_DAYS, region=REGION, endpoint_url=stall.url)
    try:
        with pytest.raises(StoreUnavailable) as raised:
            store.save(fresh())
    finally:
        stall.close()

    assert isinstance(raised.value.__cause__, ReadTimeoutError)
    assert stall.requests == MAX_ATTEMPTS


def test_one_throttled_attempt_is_retried_and_the_save_lands(dynamodb_endpoint: str) -> None:
    store = local_store(dynamodb_endpoint)
    throttle = AttemptFaults(store.client, "PutItem", 1,
                             lambda request: error_response(400, "ThrottlingException", request.url))

    stored = store.save(fresh())

    assert throttle.attempts == 2
    loaded = store.load(USER)
    assert loaded is not None and loaded.version == stored.version == 1


def land_then_lose_the_answer(request: Any) -> None:
    """The write reaches DynamoDB, but its answer never comes back."""
    URLLib3Session().send(request)
    raise ReadTimeoutError(endpoint_url=request.url)


def test_a_retried_write_whose_first_attempt_landed_is_a_success_not_a_conflict(dynamodb_endpoint: str) -> None:
    store = local_store(dynamodb_endpoint)
    keeper = HouseholdKeeper(store)
    store.save(fresh())
    session: dict[str, Any] = {}
    opened = keeper.open(USER, session, START)
    lost = AttemptFaults(store.client, "PutItem", 1, land_then_lose_the_answer)

    outcome = keeper.close(opened, opened.household.complete("small-wins", START), False, session, START)

    assert lost.attempts == 2
    assert outcome is Outcome.SAVED
    loaded = store.load(USER)
    assert loaded is not None
    assert loaded.completed == 1 and len(loaded.history) == 1  # counted once, not merged in twice
    assert loaded.version == 2


def test_another_devices_write_at_the_version_we_aimed_for_is_still_a_conflict(dynamodb_endpoint: str) -> None:
    store = local_store(dynamodb_endpoint)
    first = store.save(fresh())
    store.save(replace(first, names=("Sam", "Alex")))  # now at version 2, which our write would also make

    with pytest.raises(VersionConflict):
        store.save(replace(first, names=("Kim", "Lee")))


def test_the_client_is_made_on_first_use_once_with_short_timeouts_and_standard_retries() -> None:
    store = DynamoDbStore("households", ttl_days=TTL_DAYS, region=REGION, endpoint_url="http://127.0.0.1:9")
    assert store._client is None

    client = store.client

    assert store.client is client
    config = client.meta.config
    assert config.retries == {"mode": "standard", "total_max_attempts": MAX_ATTEMPTS}
    assert config.connect_timeout <= 1 and config.read_timeout <= 1
    assert client.meta.region_name == REGION and client.meta.endpoint_url == "http://127.0.0.1:9"


def test_the_read_is_consistent_so_a_session_sees_the_other_devices_last_turn(
        mocked: tuple[DynamoDbStore, CallFaults]) -> None:
    """Neither moto nor DynamoDB Local is ever stale, so the request itself is checked."""
    store, _ = mocked
    sent: list[dict[str, Any]] = []

    def record(params: dict[str, Any], **_: Any) -> None:
        sent.append(dict(params))

    store.client.meta.events.register("provide-client-params.dynamodb.GetItem", record)
    try:
        store.load(USER)
    finally:
        store.client.meta.events.unregister("provide-client-params.dynamodb.GetItem", record)

    assert sent and all(params.get("ConsistentRead") is True for params in sent)
