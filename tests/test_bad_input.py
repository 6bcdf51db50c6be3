"""Bad input and failing parts: always a clear spoken answer, never an exception, never a lost or corrupted record."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

import lambda_function
from closer.config import Settings
from closer.devtools.alexa import LocalAlexa
from closer.devtools.chat import readable
from closer.domain.household import Household
from closer.skill import build_skill
from closer.store.base import HouseholdStore, StoreUnavailable
from closer.store.keeper import HouseholdKeeper, Outcome
from closer.store.sqlite import SqliteStore
from conftest import ALEXA_API, RESOLVER, Clock, Couple, check_response


def test_an_intent_the_skill_does_not_know(named_couple: Couple) -> None:
    couple = named_couple
    couple.say("open closer together")
    said = couple.intent("BookAFlightIntent")
    assert "didn't get that" in said or "not sure" in said
    assert couple.session_open


@pytest.mark.parametrize("value", [None, "yoga", ""])
def test_starting_an_exercise_without_a_usable_name(named_couple: Couple, value: str | None) -> None:
    couple = named_couple
    couple.say("open closer together")
    said = couple.intent("StartExerciseIntent", exercise=value)
    assert "I didn't catch which exercise" in said and "active listening" in said
    assert couple.session_open


def test_only_one_name_is_asked_again(couple: Couple) -> None:
    couple.say("open closer together")
    said = couple.intent("SetNamesIntent", first="Sam")
    assert "didn't catch both names" in said
    assert "Sam, Alex" not in said and couple.session_open


def test_yes_and_no_out_of_the_blue(named_couple: Couple) -> None:
    couple = named_couple
    couple.say("open closer together")
    couple.say("what exercises are there")
    for answer in ("yes", "no"):
        said = couple.say(answer)
        assert "not sure what that answers" in said and couple.session_open


@pytest.mark.parametrize("event", [
    "not a dict",
    {},
    {"version": "1.0"},
    {"version": "1.0", "request": {"type": "LaunchRequest", "requestId": "r", "timestamp": "2026-11-27T10:00:00Z",
                                   "locale": "en-US"}},
    {"version": "1.0", "context": {"System": {}}, "request": {"type": "IntentRequest", "requestId": "r",
                                                             "timestamp": "not a time", "locale": "en-US"}},
])
def test_malformed_events_get_an_apology_not_a_stack_trace(event: Any) -> None:
    response = lambda_function.lambda_handler(event, None)
    body = response["response"]
    assert "Sorry, something went wrong" in readable(body["outputSpeech"]["ssml"])
    assert body["shouldEndSession"] is False and body["reprompt"]


def test_garbage_in_the_session_attributes_is_survived(named_couple: Couple) -> None:
    couple = named_couple
    couple.say("open closer together")
    assert couple.alexa.session is not None
    couple.alexa.session.attributes = {"household": {"user_id": 12}, "session": "nonsense", "base": [1]}
    said = couple.say("start active listening")
    assert "Sam, you hold the floor first" in said  # the household was read again from the store
    assert couple.stored()["names"] == ["Sam", "Alex"]


class FlakyStore(HouseholdStore):
    """A real SQLite store that can be told to fail, as a throttled or unreachable database would."""

    def __init__(self, path: Path) -> None:
        self.inner = SqliteStore(path)
        self.fail_loads = False
        self.fail_saves = False
        self.crash = False

    def load(self, user_id: str) -> Household | None:
        if self.crash:
            raise RuntimeError("a bug, not an outage")
        if self.fail_loads:
            raise StoreUnavailable("throttled")
        return self.inner.load(user_id)

    def save(self, household: Household) -> Household:
        if self.fail_saves:
            raise StoreUnavailable("timed out")
        return self.inner.save(household)

    def delete(self, user_id: str) -> None:
        if self.fail_saves:
            raise StoreUnavailable("unreachable")
        self.inner.delete(user_id)


def flaky_couple(tmp_path: Path, clock: Clock) -> tuple[Couple, FlakyStore]:
    store = FlakyStore(tmp_path / "flaky.sqlite3")
    skill = build_skill(Settings(skill_id=None, db_path=tmp_path / "unused.sqlite3"), store=store)

    def endpoint(event: dict[str, Any]) -> dict[str, Any]:
        response = skill.handle(event)
        check_response(event, response)
        return response

    couple = Couple(clock)
    couple.alexa = LocalAlexa(endpoint, RESOLVER, user_id=couple.user_id, clock=clock, api_endpoint=ALEXA_API.url)
    return couple, store


def test_a_failed_save_is_said_kindly_and_written_by_the_next_good_one(tmp_path: Path, clock: Clock) -> None:
    couple, store = flaky_couple(tmp_path, clock)
    couple.say("ask closer together to start active listening")
    store.fail_saves = True
    said = couple.say("next")
    assert "couldn't save your progress just now" in said
    assert "the floor is yours" in said  # the exercise goes on from the session's copy
    assert store.inner.load(couple.user_id).progress.step == "choose"
    store.fail_saves = False
    couple.say("next")
    assert store.inner.load(couple.user_id).progress.step == "reflect"


def test_an_unreadable_store_at_launch_starts_fresh_and_never_overwrites(tmp_path: Path, clock: Clock) -> None:
    couple, store = flaky_couple(tmp_path, clock)
    couple.say("open closer together")
    couple.say("we're Sam and Alex")
    couple.say("stop")
    before = store.inner.load(couple.user_id)
    store.fail_loads = True
    said = couple.say("ask closer together to start small wins")
    assert "Partner one goes first" in said  # a fresh start for this session
    store.fail_loads = False  # the database is back, mid-session
    couple.say("next")
    couple.say("stop")
    assert store.inner.load(couple.user_id) == before


def test_a_failed_delete_is_not_reported_as_done(tmp_path: Path, clock: Clock) -> None:
    couple, store = flaky_couple(tmp_path, clock)
    couple.say("open closer together")
    couple.say("skip")
    couple.say("delete our data")
    store.fail_saves = True
    said = couple.say("yes")
    assert "couldn't delete your data just now" in said and couple.session_open
    assert store.inner.load(couple.user_id) is not None


def test_an_unexpected_error_apologises_and_keeps_the_session(tmp_path: Path, clock: Clock) -> None:
    couple, store = flaky_couple(tmp_path, clock)
    couple.say("open closer together")
    store.crash = True
    couple.alexa.session.attributes = {}  # force a read from the store
    said = couple.say("help")
    assert "something went wrong" in said and couple.session_open
    store.crash = False
    assert "first names" in couple.say("open closer together") or "Welcome" in couple.speech


def test_a_session_ended_request_gets_no_speech_even_after_an_error(tmp_path: Path, clock: Clock) -> None:
    couple, store = flaky_couple(tmp_path, clock)
    couple.say("open closer together")
    store.crash = True
    couple.alexa.session.attributes = {}
    couple.end("ERROR")
    assert couple.alexa.last_response is not None
    assert couple.alexa.last_response["response"] == {}  # no speech, no reprompt, nothing to say


def test_an_unreadable_record_is_never_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    store = SqliteStore(path)
    now = datetime(2026, 11, 27, tzinfo=UTC)
    store.save(Household.new("u1", now))
    unreadable = json.dumps({"schema": 99, "written": "by a newer release"})
    with sqlite3.connect(path) as db:
        db.execute("UPDATE households SET record = ? WHERE user_id = 'u1'", (unreadable,))
    keeper = HouseholdKeeper(store)
    session: dict[str, Any] = {}
    opened = keeper.open("u1", session, now)
    assert not opened.writable
    changed = replace(opened.household, names=("Sam", "Alex"))
    assert keeper.close(opened, changed, False, session, now) is Outcome.UNCHANGED
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT record FROM households").fetchone()[0] == unreadable
