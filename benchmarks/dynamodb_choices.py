"""The measurements behind two choices in `closer/store/dynamodb.py`: the low-level client, and the item format.

1. boto3's low-level client or its resource layer: the time to make one in a fresh process (a Lambda cold start
   pays it on the first turn), and the client-side time per GetItem and PutItem with the network taken out (each
   request is answered in-process by a canned reply, so only botocore's and boto3's own work is timed).
2. How the record is stored, for a household after a year of daily use (history full, longest names, an
   exercise in progress): one JSON string, a DynamoDB map, or zlib-compressed JSON in one binary attribute.
   Sizes are DynamoDB's own accounting; a write costs one unit per KB, a consistent read one unit per 4 KB.

    python benchmarks/dynamodb_choices.py
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lambda"))
for name, value in {"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench",
                    "AWS_EC2_METADATA_DISABLED": "true"}.items():
    os.environ.setdefault(name, value)

import boto3  # noqa: E402
from boto3.dynamodb.types import TypeSerializer  # noqa: E402
from botocore.awsrequest import AWSResponse  # noqa: E402

from closer.domain.household import Household, Progress, PromptRotation  # noqa: E402
from closer.store.dynamodb import KEY, RECORD, TTL_ATTRIBUTE, VERSION, encode, item_size  # noqa: E402

REGION = "eu-west-1"
USER = "amzn1.ask.account." + "AGX4" * 52  # real account ids run to about 220 characters
MAKE = {
    "client": "import boto3; boto3.session.Session().client('dynamodb', region_name='eu-west-1')",
    "resource": "import boto3; boto3.session.Session().resource('dynamodb', region_name='eu-west-1').Table('t')",
}


def cold_starts(runs: int = 9) -> dict[str, float]:
    """Seconds for a fresh Python to import boto3 and make the client or the resource's table, beyond starting
    Python at all: the fastest of `runs` (the two kinds take turns, so machine noise falls on both alike)."""
    best = {kind: math.inf for kind in (*MAKE, "python")}
    for _ in range(runs):
        for kind, code in (*MAKE.items(), ("python", "pass")):
            started = time.perf_counter()
            subprocess.run([sys.executable, "-c", code], check=True)
            best[kind] = min(best[kind], time.perf_counter() - started)
    return {kind: best[kind] - best["python"] for kind in MAKE}


class _Body:
    def __init__(self, data: bytes) -> None:
        self.data = data

    def stream(self, **_: Any) -> Any:
        yield self.data


def canned(item: dict[str, Any]) -> Any:
    """A before-send hook that answers every request at once, as DynamoDB would, without the network."""
    get_body = json.dumps({"Item": {name: _jsonable(value) for name, value in item.items()}}).encode()

    def answer(request: Any, **_: Any) -> AWSResponse:
        target = request.headers.get("X-Amz-Target", b"")
        body = get_body if b"GetItem" in (target if isinstance(target, bytes) else target.encode()) else b"{}"
        return AWSResponse(request.url, 200, {"x-amzn-RequestId": "canned"}, _Body(body))
    return answer


def _jsonable(value: dict[str, Any]) -> dict[str, Any]:
    (kind, data), = value.items()
    if kind == "B":
        import base64
        return {"B": base64.b64encode(data).decode()}
    return value


def per_call(kind: str, household: Household, calls: int = 1500) -> tuple[float, float]:
    """Client-side microseconds per GetItem and per PutItem."""
    item = encode(household, expires_at=2_000_000_000)
    session = boto3.session.Session()
    if kind == "client":
        client = session.client("dynamodb", region_name=REGION)
        client.meta.events.register("before-send.dynamodb", canned(item))

        def get() -> Any:
            return client.get_item(TableName="t", Key={KEY: {"S": USER}}, ConsistentRead=True)

        def put() -> Any:
            return client.put_item(TableName="t", Item=item, ConditionExpression="#v = :v",
                                   ExpressionAttributeNames={"#v": VERSION},
                                   ExpressionAttributeValues={":v": {"N": "7"}})
    else:
        table = session.resource("dynamodb", region_name=REGION).Table("t")
        table.meta.client.meta.events.register("before-send.dynamodb", canned(item))
        plain = {KEY: USER, VERSION: household.version, TTL_ATTRIBUTE: 2_000_000_000, RECORD: item[RECORD]["B"]}

        def get() -> Any:
            return table.get_item(Key={KEY: USER}, ConsistentRead=True)

        def put() -> Any:
            return table.put_item(Item=plain, ConditionExpression="#v = :v",
                                  ExpressionAttributeNames={"#v": VERSION}, ExpressionAttributeValues={":v": 7})
    results = []
    for call in (get, put):
        for _ in range(50):  # warm up
            call()
        started = time.perf_counter()
        for _ in range(calls):
            call()
        results.append((time.perf_counter() - started) / calls * 1e6)
    return results[0], results[1]


def a_year_of_daily_use() -> Household:
    start = datetime(2025, 1, 1, 19, 30, tzinfo=UTC)
    household = replace(Household.new(USER, start), names=("W" * 40, "M" * 40), names_asked=True,
                        prompts=PromptRotation(seed=2**31 - 1, cycle=3, position=41, day="2025-12-31"))
    for day in range(365):
        household = household.complete("boundaries-and-promises", start + timedelta(days=day, minutes=day % 90))
    return replace(household, progress=Progress("boundaries-and-promises", "reflect-and-promise", 1, 2),
                   version=1234, updated_at=int((start + timedelta(days=365)).timestamp()))


def formats(household: Household) -> dict[str, dict[str, Any]]:
    beside = {KEY: {"S": household.user_id}, VERSION: {"N": str(household.version)},
              TTL_ATTRIBUTE: {"N": "2000000000"}}
    record = household.to_dict()
    for kept_beside in ("user_id", "version"):  # as the store does, whatever the format
        del record[kept_beside]
    return {
        "JSON string (S)": {**beside, RECORD: {"S": json.dumps(record, separators=(",", ":"))}},
        "map (M)": {**beside, RECORD: TypeSerializer().serialize(record)},
        "zlib JSON (B), chosen": encode(household, expires_at=2_000_000_000),
    }


def main() -> None:
    print("1. boto3 client or resource")
    household = a_year_of_daily_use()
    print(f"  {'':<10}{'cold start (s)':>16}{'GetItem (us)':>14}{'PutItem (us)':>14}")
    starts = cold_starts()
    for kind in ("client", "resource"):
        get, put = per_call(kind, household)
        print(f"  {kind:<10}{starts[kind]:>16.3f}{get:>14.0f}{put:>14.0f}")
    print("\n2. the record after a year of daily use")
    print(f"  {'':<24}{'item bytes':>11}{'WCU/save':>10}{'RCU/read':>10}")
    for label, item in formats(household).items():
        size = item_size(item)
        print(f"  {label:<24}{size:>11}{math.ceil(size / 1024):>10}{math.ceil(size / 4096):>10}")


if __name__ == "__main__":
    main()
