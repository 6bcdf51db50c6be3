"""Settings from the environment, read once at start-up, and the store they select.

CLOSER_SKILL_ID   the skill id requests must carry (checked by the SDK when set)
CLOSER_DB         path of the embedded SQLite store (default: a per-user data folder; /tmp on Lambda)
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from .store.base import HouseholdStore
from .store.sqlite import SqliteStore


@dataclass(frozen=True)
class Settings:
    skill_id: str | None
    db_path: Path

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> Settings:
        return cls(skill_id=env.get("CLOSER_SKILL_ID") or None,
                   db_path=Path(env["CLOSER_DB"]) if env.get("CLOSER_DB") else _default_db_path(env))


def _default_db_path(env: Mapping[str, str]) -> Path:
    if env.get("AWS_LAMBDA_FUNCTION_NAME"):  # only /tmp is writable on Lambda
        return Path("/tmp/closer-together/households.sqlite3")
    data_home = Path(env["XDG_DATA_HOME"]) if env.get("XDG_DATA_HOME") else Path.home() / ".local" / "share"
    return data_home / "closer-together" / "households.sqlite3"


def open_store(settings: Settings) -> HouseholdStore:
    return SqliteStore(settings.db_path)
