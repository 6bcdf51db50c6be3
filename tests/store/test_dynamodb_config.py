"""Choosing the store from the environment: DynamoDB when a table is named, the embedded SQLite file otherwise."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import boto3
import pytest

from closer.config import DEFAULT_TTL_DAYS, Settings, open_store
from closer.devtools.alexa import LocalAlexa
from closer.devtools.alexa_api_standin import running
from closer.devtools.model import InteractionModel
from closer.devtools.resolver import Resolver
from closer.skill import build_skill
from closer.store.dynamodb import DynamoDbStore
from closer.store.sqlite import SqliteStore

from .store_backends import REGION, create_table


def test_without_a_table_the_store_is_the_sqlite_file(tmp_path: Path) -> None:
    settings = Settings.from_env({"CLOSER_DB": str(tmp_path / "h.sqlite3"), "AWS_REGION": "us-east-1"})

    store = open_store(settings)

    assert isinstance(store, SqliteStore) and store.path == str(tmp_path / "h.sqlite3")
    assert settings.table is None


def test_a_table_selects_dynamodb_with_its_region_endpoint_and_ttl(tmp_path: Path) -> None:
    settings = Settings.from_env({"CLOSER_TABLE": "closer-households", "CLOSER_REGION": "eu-central-1",
                                  "AWS_REGION": "us-east-1", "CLOSER_DYNAMODB_ENDPOINT": "http://127.0.0.1:8000",
                                  "CLOSER_TTL_DAYS": "30", "CLOSER_DB": str(tmp_path / "unused.sqlite3")})

    store = open_store(settings)

    assert isinstance(store, DynamoDbStore)
    assert (store.table, store.region, store.endpoint_url) == ("closer-households", "eu-central-1",
                                                               "http://127.0.0.1:8000")
    assert store.ttl_seconds == 30 * 86_400
    assert store._client is None  # made on the first request, not at start-up
    assert not (tmp_path / "unused.sqlite3").exists()


def test_the_region_falls_back_to_the_one_lambda_sets_and_the_ttl_to_18_months() -> None:
    settings = Settings.from_env({"CLOSER_TABLE": "closer-households", "AWS_REGION": "us-west-2"})

    assert settings.region == "us-west-2" and settings.dynamodb_endpoint is None
    assert settings.ttl_days == DEFAULT_TTL_DAYS == 548
    assert Settings.from_env({"CLOSER_TABLE": "closer-households"}).region is None  # boto3 then looks it up


@pytest.mark.parametrize("days", ["0", "-3", "a year", "1.5"])
def test_a_ttl_that_is_not_a_positive_number_of_days_stops_start_up(days: str) -> None:
    with pytest.raises(ValueError, match="CLOSER_TTL_DAYS"):
        Settings.from_env({"CLOSER_TABLE": "closer-households", "CLOSER_TTL_DAYS": days})


def test_settings_made_the_old_way_still_mean_sqlite(tmp_path: Path) -> None:
    store = open_store(Settings(None, tmp_path / "h.sqlite3"))

    assert isinstance(store, SqliteStore)


def test_the_skill_built_from_the_environment_keeps_a_household_in_dynamodb(dynamodb_endpoint: str,
                                                                             tmp_path: Path) -> None:
    client = boto3.client("dynamodb", region_name=REGION, endpoint_url=dynamodb_endpoint)
    table = create_table(client)
    env = {"CLOSER_TABLE": table, "CLOSER_REGION": REGION, "CLOSER_DYNAMODB_ENDPOINT": dynamodb_endpoint,
           "CLOSER_DB": str(tmp_path / "unused.sqlite3")}
    skill = build_skill(Settings.from_env(env))
    user = "amzn1.ask.account.FROM-THE-ENVIRONMENT"

    with running() as api:
        alexa = LocalAlexa(skill.handle, Resolver(InteractionModel.load()), user_id=user, api_endpoint=api.url)
        alexa.say("open closer together")
        alexa.say("we're Sam and Alex")
        answer: dict[str, Any] = alexa.say("start small wins") or {}

    assert "small wins" in answer["response"]["outputSpeech"]["ssml"]
    item = client.get_item(TableName=table, Key={"userId": {"S": user}}, ConsistentRead=True)["Item"]
    assert int(item["version"]["N"]) >= 2 and int(item["expiresAt"]["N"]) > 0
    assert not (tmp_path / "unused.sqlite3").exists()
