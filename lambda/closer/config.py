"""Settings from the environment, read once at start-up, and the store they select.

CLOSER_SKILL_ID           the skill id requests must carry (checked by the SDK when set)
CLOSER_DB                 path of the embedded SQLite store (default: a per-user data folder; /tmp on Lambda)
CLOSER_TABLE              DynamoDB table of household records; when set, the skill uses it instead of SQLite
CLOSER_REGION             its AWS region (default: AWS_REGION, which Lambda sets, then boto3's own lookup)
CLOSER_DYNAMODB_ENDPOINT  another DynamoDB endpoint, such as DynamoDB Local (default: the region's own)
CLOSER_API_TIMEOUT        seconds each Alexa service call (time zone, reminders) may take (default 2)
CLOSER_TTL_DAYS           days without a saved change before DynamoDB removes a household (default 548, 18 months)
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from .alexa_api import DEFAULT_TIMEOUT as DEFAULT_API_TIMEOUT
from .store.base import HouseholdStore
from .store.sqlite import SqliteStore

DEFAULT_TTL_DAYS = 548  # about 18 months


@dataclass(frozen=True)
class Settings:
    skill_id: str | None
    db_path: Path
    table: str | None = None
    region: str | None = None
    dynamodb_endpoint: str | None = None
    ttl_days: int = DEFAULT_TTL_DAYS
    api_timeout: float = DEFAULT_API_TIMEOUT

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> Settings:
        return cls(skill_id=env.get("CLOSER_SKILL_ID") or None,
                   db_path=Path(env["CLOSER_DB"]) if env.get("CLOSER_DB") else _default_db_path(env),
                   table=env.get("CLOSER_TABLE") or None,
                   region=env.get("CLOSER_REGION") or env.get("AWS_REGION") or None,
                   dynamodb_endpoint=env.get("CLOSER_DYNAMODB_ENDPOINT") or None,
                   ttl_days=_ttl_days(env.get("CLOSER_TTL_DAYS")),
                   api_timeout=float(env.get("CLOSER_API_TIMEOUT") or DEFAULT_API_TIMEOUT))


def _default_db_path(env: Mapping[str, str]) -> Path:
    if env.get("AWS_LAMBDA_FUNCTION_NAME"):  # only /tmp is writable on Lambda
        return Path("/tmp/closer-together/households.sqlite3")
    data_home = Path(env["XDG_DATA_HOME"]) if env.get("XDG_DATA_HOME") else Path.home() / ".local" / "share"
    return data_home / "closer-together" / "households.sqlite3"


def _ttl_days(value: str | None) -> int:
    if not value:
        return DEFAULT_TTL_DAYS
    if not value.strip().isdigit() or int(value) < 1:
        raise ValueError(f"CLOSER_TTL_DAYS must be a whole number of days, at least 1, not {value!r}")
    return int(value)


def open_store(settings: Settings) -> HouseholdStore:
    if settings.table:
        from .store.dynamodb import DynamoDbStore  # imports boto3 (about 0.2 s): only when a table is configured

        return DynamoDbStore(settings.table, ttl_days=settings.ttl_days, region=settings.region,
                             endpoint_url=settings.dynamodb_endpoint)
    return SqliteStore(settings.db_path)
