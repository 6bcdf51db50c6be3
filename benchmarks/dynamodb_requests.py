"""How many DynamoDB requests a 20-turn exercise session costs: this skill's store versus the SDK samples' way.

Both skills run the same conversation code, the same scripted session (a returning couple does active listening
from the start to the second round's end, with a repeat, a help and a "no" along the way, then starts safe space
and stops), in the same process, against the same engine. They differ only in how the household is kept:

- ours: `DynamoDbStore` through the keeper: one consistent read when the session opens, then one conditional
  write for each turn that changed something;
- baseline: the SDK's `DynamoDbAdapter`, as the samples use it: the persistent attributes read (a consistent
  GetItem) on every request and saved (a blind PutItem) on every response.

Requests are counted with botocore's event hooks on each skill's own client, so nothing else is counted. Read and
write units are what DynamoDB would charge for those requests, from the sizes of the items read and written.

    python benchmarks/dynamodb_requests.py                     # against moto, in-process
    python benchmarks/dynamodb_requests.py --endpoint URL      # against DynamoDB Local (or any endpoint)
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

REGION = "eu-west-1"
for name, value in {"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench", "AWS_DEFAULT_REGION": REGION,
                    "AWS_EC2_METADATA_DISABLED": "true"}.items():
    os.environ.setdefault(name, value)  # the SDK adapter builds a boto3 resource when it is imported
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lambda"))

import boto3  # noqa: E402
from ask_sdk_core.skill_builder import CustomSkillBuilder  # noqa: E402
from ask_sdk_dynamodb.adapter import DynamoDbAdapter  # noqa: E402
from ask_sdk_model import RequestEnvelope  # noqa: E402
from ask_sdk_model.context import Context  # noqa: E402
from ask_sdk_model.interfaces.system import SystemState  # noqa: E402
from ask_sdk_model.user import User  # noqa: E402

from closer import handlers  # noqa: E402
from closer.config import Settings  # noqa: E402
from closer.devtools.alexa import LocalAlexa  # noqa: E402
from closer.devtools.alexa_api_standin import running  # noqa: E402
from closer.devtools.model import InteractionModel  # noqa: E402
from closer.devtools.resolver import Resolver  # noqa: E402
from closer.domain.catalogue import load_catalogue  # noqa: E402
from closer.domain.household import Household, PromptRotation  # noqa: E402
from closer.handlers.errors import Apologise  # noqa: E402
from closer.skill import Skill, build_skill  # noqa: E402
from closer.store.dynamodb import DynamoDbStore, item_size, table_definition  # noqa: E402
from closer.store.keeper import HouseholdKeeper, Opened, Outcome  # noqa: E402
from closer.turn import CloseTurn, OpenTurn  # noqa: E402

SESSION = ("open closer together", "start active listening", "next", "next", "repeat", "next", "yes", "next", "help",
           "next", "next", "next", "no", "next", "yes", "next", "no", "yes", "next", "stop")
USER = "amzn1.ask.account.BENCHMARK-HOUSEHOLD"
EVENING = datetime(2025, 3, 1, 19, 30, tzinfo=UTC)


@dataclass
class Tally:
    """DynamoDB requests one skill made, and the capacity units DynamoDB would charge for them."""

    requests: Counter[str] = field(default_factory=Counter)
    read_units: float = 0.0
    write_units: int = 0

    def watch(self, client: Any) -> None:
        client.meta.events.register("before-call.dynamodb", self._before_call)
        # last: the request as sent, after boto3's resource layer turned Python values into typed attributes
        client.meta.events.register("before-parameter-build.dynamodb", self._before_build)
        # first: boto3's resource layer turns the typed answer into Python values on the same event
        client.meta.events.register_first("after-call.dynamodb", self._after_call)

    def _before_call(self, model: Any, **_: Any) -> None:
        self.requests[model.name] += 1

    def _before_build(self, model: Any, params: dict[str, Any], **_: Any) -> None:
        if model.name == "PutItem":  # one unit per KB written, at least one
            self.write_units += math.ceil(item_size(params["Item"]) / 1024)

    def _after_call(self, model: Any, parsed: dict[str, Any], **_: Any) -> None:
        if model.name == "GetItem":  # a consistent read: one unit per 4 KB, at least one
            self.read_units += max(1, math.ceil(item_size(parsed.get("Item") or {}) / 4096))

    @property
    def total(self) -> int:
        return sum(self.requests.values())


class SdkSampleKeeper(HouseholdKeeper):
    """The household kept as the SDK samples keep persistent attributes: read every request, written every turn."""

    def __init__(self, adapter: DynamoDbAdapter) -> None:
        super().__init__(store=None)  # type: ignore[arg-type]  # the adapter is the store here
        self.adapter = adapter

    @staticmethod
    def _envelope(user_id: str) -> RequestEnvelope:
        return RequestEnvelope(context=Context(system=SystemState(user=User(user_id=user_id))))

    def open(self, user_id: str, session: dict[str, Any], now: datetime) -> Opened:
        attributes = self.adapter.get_attributes(self._envelope(user_id))
        household = Household.from_dict(attributes) if attributes else Household.new(user_id, now, self.rng)
        return Opened(household, household)

    def close(self, opened: Opened, household: Household, forget: bool, session: dict[str, Any],
              now: datetime) -> Outcome:
        if forget:
            self.adapter.delete_attributes(self._envelope(household.user_id))
            return Outcome.DELETED
        self.adapter.save_attributes(self._envelope(household.user_id), household.to_dict())
        return Outcome.SAVED


def sdk_sample_skill(adapter: DynamoDbAdapter) -> Skill:
    """`build_skill`'s wiring, with the samples' persistence in place of the keeper."""
    catalogue = load_catalogue()
    keeper = SdkSampleKeeper(adapter)
    builder = CustomSkillBuilder(persistence_adapter=adapter)
    for handler in handlers.ALL:
        builder.add_request_handler(handler)
    builder.add_global_request_interceptor(OpenTurn(keeper, catalogue))
    builder.add_global_response_interceptor(CloseTurn(keeper, catalogue))
    builder.add_exception_handler(Apologise(catalogue))
    return Skill(builder.create(), catalogue)


def returning_couple(days: int) -> Household:
    """Sam and Alex, who have finished an exercise on each of the last `days` days."""
    began = EVENING - timedelta(days=days + 1)
    household = replace(Household.new(USER, began), names=("Sam", "Alex"), names_asked=True,
                        prompts=PromptRotation(seed=12345))
    for day in range(days):
        household = household.complete("boundaries-and-promises", began + timedelta(days=day + 1))
    return household


def converse(skill: Skill, api_url: str) -> list[str]:
    moment = [EVENING]

    def clock() -> datetime:
        moment[0] += timedelta(seconds=20)
        return moment[0]

    alexa = LocalAlexa(skill.handle, Resolver(InteractionModel.load()), user_id=USER, clock=clock,
                       api_endpoint=api_url)
    said = []
    for line in SESSION:
        response = alexa.say(line)
        if response is None:
            raise SystemExit(f"the session ended before {line!r}")
        said.append(response["response"]["outputSpeech"]["ssml"])
    return said


def measure(endpoint: str | None, days: int) -> tuple[Tally, Tally]:
    client = boto3.client("dynamodb", region_name=REGION, endpoint_url=endpoint)
    ours_table, sample_table = "closer-bench-ours", "closer-bench-sdk-sample"
    for table in (ours_table, sample_table):
        if table in client.list_tables()["TableNames"]:
            client.delete_table(TableName=table)
    client.create_table(**table_definition(ours_table))
    client.create_table(TableName=sample_table, BillingMode="PAY_PER_REQUEST",
                        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}])

    store = DynamoDbStore(ours_table, ttl_days=548, region=REGION, endpoint_url=endpoint)
    store.save(returning_couple(days))
    adapter = DynamoDbAdapter(sample_table, dynamodb_resource=boto3.resource("dynamodb", region_name=REGION,
                                                                            endpoint_url=endpoint))
    adapter.save_attributes(SdkSampleKeeper._envelope(USER), returning_couple(days).to_dict())

    ours, sample = Tally(), Tally()
    ours.watch(store.client)
    sample.watch(adapter.dynamodb.meta.client)
    with running() as api:
        ours_said = converse(build_skill(Settings(None, Path("unused.sqlite3")), store), api.url)
        sample_said = converse(sdk_sample_skill(adapter), api.url)
    if ours_said != sample_said:
        raise SystemExit("the two skills did not have the same conversation: the comparison would mean nothing")
    return ours, sample


def report(endpoint: str | None) -> str:
    def row(label: str, tally: Tally) -> str:
        return (f"  {label:<34}{tally.total:>9}{tally.requests['GetItem']:>9}{tally.requests['PutItem']:>9}"
                f"{tally.read_units:>7g}{tally.write_units:>7}")

    lines = [f"DynamoDB requests for one {len(SESSION)}-turn exercise session "
             f"({'DynamoDB at ' + endpoint if endpoint else 'moto'})",
             f"  {'':<34}{'requests':>9}{'GetItem':>9}{'PutItem':>9}{'RCU':>7}{'WCU':>7}"]
    for days, who in ((1, "a couple on their second day"), (365, "a couple a year in (history full)")):
        ours, sample = measure(endpoint, days)
        lines += [who, row("closer (DynamoDbStore + keeper)", ours), row("SDK sample (DynamoDbAdapter)", sample),
                  f"  ratio, ours / sample: requests {ours.total / sample.total:.2f}, "
                  f"write units {ours.write_units / sample.write_units:.2f}"]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--endpoint", help="a DynamoDB endpoint such as DynamoDB Local (default: moto in-process)")
    endpoint = parser.parse_args().endpoint
    if endpoint:
        print(report(endpoint))
        return
    from moto import mock_aws

    with mock_aws():
        print(report(None))


if __name__ == "__main__":
    main()
