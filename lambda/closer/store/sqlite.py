"""The embedded default store: one SQLite file, standard library only. Used locally and when no table is set.

Each record is a JSON document in one row with its version beside it; saves are compare-and-set on that version
inside a transaction, so two processes sharing the file cannot overwrite each other's progress.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from dataclasses import replace
from pathlib import Path

from ..domain.household import Household
from .base import HouseholdStore, StoreUnavailable, VersionConflict

_SCHEMA = """
CREATE TABLE IF NOT EXISTS households (
    user_id  TEXT PRIMARY KEY,
    version  INTEGER NOT NULL,
    record   TEXT NOT NULL
)
"""


class SqliteStore(HouseholdStore):
    def __init__(self, path: Path | str, timeout: float = 2.0) -> None:
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._timeout = timeout
        self._local = threading.local()  # sqlite3 connections must stay on the thread that made them
        with self._connect() as db:
            db.execute(_SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, timeout=self._timeout, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            self._local.db = db
        return db

    def load(self, user_id: str) -> Household | None:
        try:
            row = self._connect().execute(
                "SELECT version, record FROM households WHERE user_id = ?", (user_id,)).fetchone()
        except sqlite3.Error as err:
            raise StoreUnavailable(str(err)) from err
        if row is None:
            return None
        version, record = row
        try:
            return replace(Household.from_dict(json.loads(record)), version=version)
        except ValueError as err:  # never build on a record we cannot read; never overwrite it either
            raise StoreUnavailable(f"unreadable record: {err}") from err

    def save(self, household: Household) -> Household:
        stored = replace(household, version=household.version + 1)
        record = json.dumps(stored.to_dict(), separators=(",", ":"))
        try:
            db = self._connect()
            if household.version == 0:
                cursor = db.execute(
                    "INSERT INTO households (user_id, version, record) VALUES (?, ?, ?) "
                    "ON CONFLICT(user_id) DO NOTHING", (household.user_id, stored.version, record))
            else:
                cursor = db.execute(
                    "UPDATE households SET version = ?, record = ? WHERE user_id = ? AND version = ?",
                    (stored.version, record, household.user_id, household.version))
        except sqlite3.Error as err:
            raise StoreUnavailable(str(err)) from err
        if cursor.rowcount != 1:
            raise VersionConflict(f"{household.user_id} is no longer at version {household.version}")
        return stored

    def delete(self, user_id: str) -> None:
        try:
            self._connect().execute("DELETE FROM households WHERE user_id = ?", (user_id,))
        except sqlite3.Error as err:
            raise StoreUnavailable(str(err)) from err
