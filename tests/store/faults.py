"""Faults for a DynamoDB client: make chosen calls fail the way DynamoDB and the network fail.

`CallFaults` hooks the client's `before-call` event, which fires once per API call, above botocore's retries: a
fault injected there is what the store sees when every attempt failed (a throttle or a 500 still there after the
retry, a timeout). It also records the calls, so a test can make each call position of a conversation fail in
turn. `AttemptFaults` hooks `before-send`, once per HTTP attempt, to check what botocore's retries do.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from botocore.awsrequest import AWSResponse
from botocore.exceptions import ConnectTimeoutError, EndpointConnectionError, ReadTimeoutError


class _Body:
    def __init__(self, data: bytes) -> None:
        self.data = data

    def stream(self, **_: Any) -> Any:
        yield self.data


def error_response(status: int, code: str, url: str = "https://dynamodb.local/") -> AWSResponse:
    body = f'{{"__type":"com.amazonaws.dynamodb.v20120810#{code}","message":"injected {code}"}}'.encode()
    return AWSResponse(url, status, {"x-amzn-RequestId": "injected", "Content-Type": "application/x-amz-json-1.0"},
                       _Body(body))


def _error(status: int, code: str) -> Callable[[str], tuple[AWSResponse, dict[str, Any]]]:
    def fail(operation: str) -> tuple[AWSResponse, dict[str, Any]]:
        parsed = {"Error": {"Code": code, "Message": f"injected {code} on {operation}"},
                  "ResponseMetadata": {"HTTPStatusCode": status, "RequestId": "injected"}}
        return error_response(status, code), parsed
    return fail


def _raise(error: type[Exception]) -> Callable[[str], Any]:
    def fail(operation: str) -> Any:
        raise error(endpoint_url=f"https://dynamodb.local/#{operation}")
    return fail


# What the store sees once botocore has given up.
FAULTS: dict[str, Callable[[str], Any]] = {
    "throttle": _error(400, "ThrottlingException"),
    "capacity": _error(400, "ProvisionedThroughputExceededException"),
    "server-error": _error(500, "InternalServerError"),
    "unavailable": _error(503, "ServiceUnavailable"),
    "timeout": _raise(ReadTimeoutError),
    "connect-timeout": _raise(ConnectTimeoutError),
    "unreachable": _raise(EndpointConnectionError),
}


class CallFaults:
    """Records every API call of a client; fails the calls chosen by position or by operation."""

    def __init__(self, client: Any) -> None:
        self.calls: list[str] = []
        self.at_position: dict[int, str] = {}  # call position (counted from the first call) -> fault
        self.next_of: dict[str, str] = {}  # operation -> fault for its next call
        self.failed: list[tuple[int, str, str]] = []  # (position, operation, fault)
        client.meta.events.register("before-call.dynamodb", self._before_call)

    def fail_at(self, position: int, fault: str) -> None:
        self.at_position[position] = fault

    def fail_next(self, operation: str, fault: str) -> None:
        self.next_of[operation] = fault

    def _before_call(self, model: Any, **_: Any) -> Any:
        position = len(self.calls)
        self.calls.append(model.name)
        fault = self.at_position.pop(position, None) or self.next_of.pop(model.name, None)
        if fault is None:
            return None
        self.failed.append((position, model.name, fault))
        return FAULTS[fault](model.name)


class AttemptFaults:
    """Answers the next `count` HTTP attempts of `operation` with `answer` (a response, or raises) instead."""

    def __init__(self, client: Any, operation: str, count: int, answer: Callable[[Any], AWSResponse | None]) -> None:
        self.operation = operation
        self.remaining = count
        self.answer = answer
        self.attempts = 0
        client.meta.events.register_first(f"before-send.dynamodb.{operation}", self._before_send)

    def _before_send(self, request: Any, **_: Any) -> AWSResponse | None:
        self.attempts += 1
        if self.remaining == 0:
            return None
        self.remaining -= 1
        return self.answer(request)
