"""DynamoDB failing in the middle of a conversation: every turn still answers, and no progress is lost.

A returning couple (Sam and Alex) has two sessions: they start small wins, stop partway, and finish it the next
evening. The fault-free run records every DynamoDB call the conversation makes. Then each call position in turn
is made to fail (a throttle, a 500, a timeout, as the store sees them once botocore's retry has failed too), and
the same conversation is had again:

- every turn answers with well-formed speech; a turn whose save failed says exactly what the fault-free turn said
  plus the "couldn't save" line, and every other turn says exactly what the fault-free turn said;
- when the read that opens a session fails, that session starts fresh and never writes, so the stored record is
  untouched; the couple opens the skill again once DynamoDB is back;
- at the end the stored record equals the fault-free run's (versions and write times aside).
"""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from closer.config import Settings
from closer.devtools.alexa import LocalAlexa
from closer.devtools.alexa_api_standin import running
from closer.devtools.chat import readable
from closer.devtools.model import InteractionModel
from closer.devtools.resolver import Resolver
from closer.domain.catalogue import load_catalogue
from closer.domain.household import Completion, Household, PromptRotation
from closer.skill import Skill, build_skill
from closer.store.dynamodb import DynamoDbStore

from .faults import CallFaults
from .store_backends import REGION, TTL_DAYS, create_table

EVENING = datetime(2025, 3, 1, 19, 30, tzinfo=UTC)
SESSIONS = (
    ("open closer together", "start small wins", "next", "repeat", "next", "help", "stop"),
    ("open closer together", "yes", "next", "next", "next", "next", "next", "next", "next", "next", "stop"),
)
RESOLVER = Resolver(InteractionModel.load())
CATALOGUE = load_catalogue()
SAVE_FAILED = CATALOGUE.line("save_failed")
DELETE_FAILED = CATALOGUE.line("delete_failed")


def returning_couple(user_id: str) -> Household:
    week_ago = EVENING - timedelta(days=7)
    return replace(Household.new(user_id, week_ago), names=("Sam", "Alex"), names_asked=True,
                   prompts=PromptRotation(seed=12345),
                   history=(Completion("active-listening", int((week_ago + timedelta(days=1)).timestamp())),),
                   completed=1)


def comparable(household: Household | None) -> dict[str, Any] | None:
    """The record as the couple would know it: whose it is (each run is its own household), versions and write
    times aside."""
    if household is None:
        return None
    record = household.to_dict()
    for written in ("user_id", "version", "created_at", "updated_at"):
        record.pop(written, None)
    return record


@dataclass
class Turn:
    said: str
    speech: str
    calls: list[str]  # the DynamoDB calls this turn made
    failed: list[str]  # those of them that were made to fail


@dataclass
class Run:
    sessions: list[list[Turn]] = field(default_factory=list)
    stored: dict[str, Any] | None = None
    had_again: list[int] = field(default_factory=list)  # sessions whose opening read failed, so had once more

    @property
    def calls(self) -> list[str]:
        return [call for session in self.sessions for turn in session for call in turn.calls]


@dataclass
class Harness:
    faults: CallFaults  # on the skill's own store
    skill: Skill
    api_url: str
    observer: DynamoDbStore  # the same table through another client: what the test reads is never a fault

    def session(self, user_id: str, evening: int) -> list[Turn]:
        moment = [EVENING + timedelta(days=evening)]

        def clock() -> datetime:  # the same moments in every run, so records compare exactly
            moment[0] += timedelta(seconds=20)
            return moment[0]

        alexa = LocalAlexa(self.skill.handle, RESOLVER, user_id=user_id, clock=clock, api_endpoint=self.api_url)
        turns = []
        for said in SESSIONS[evening]:
            calls, failures = len(self.faults.calls), len(self.faults.failed)
            response = alexa.say(said)
            assert response is not None, f"{said!r} did not reach the skill"
            turns.append(Turn(said, spoken(response), self.faults.calls[calls:],
                              [operation for _, operation, _ in self.faults.failed[failures:]]))
        return turns

    def run(self, fail_at: int | None = None, fault: str = "") -> Run:
        """The couple's two evenings, with the call at `fail_at` (counted from the first) failing."""
        user_id = f"amzn1.ask.account.{uuid.uuid4().hex.upper()}"
        self.observer.save(returning_couple(user_id))
        if fail_at is not None:
            self.faults.fail_at(len(self.faults.calls) + fail_at, fault)
        run = Run()
        for evening in range(len(SESSIONS)):
            before = comparable(self.observer.load(user_id))
            turns = self.session(user_id, evening)
            run.sessions.append(turns)
            if "GetItem" in turns[0].failed:
                assert not any("PutItem" in turn.calls for turn in turns), "a session that could not read wrote"
                assert comparable(self.observer.load(user_id)) == before, "a session that could not read changed it"
                run.had_again.append(evening)
                self.session(user_id, evening)  # DynamoDB is back: they open the skill again
        run.stored = comparable(self.observer.load(user_id))
        return run


def spoken(response: dict[str, Any]) -> str:
    ssml = response["response"]["outputSpeech"]["ssml"]
    ET.fromstring(ssml)  # well formed
    text = readable(ssml)
    assert text.strip(), "a turn answered with silence"
    if response["response"].get("shouldEndSession") is False:
        reprompt = response["response"]["reprompt"]["outputSpeech"]["ssml"]
        ET.fromstring(reprompt)
        assert readable(reprompt).strip(), "an open session needs a reprompt"
    return text


@pytest.fixture(scope="module")
def harness() -> Iterator[Harness]:
    with mock_aws(), running() as api:
        table = create_table(boto3.client("dynamodb", region_name=REGION))
        store = DynamoDbStore(table, ttl_days=TTL_DAYS, region=REGION)
        skill = build_skill(Settings(None, Path("unused.sqlite3")), store)
        yield Harness(CallFaults(store.client), skill, api.url, DynamoDbStore(table, ttl_days=TTL_DAYS, region=REGION))


@pytest.fixture(scope="module")
def reference(harness: Harness) -> Run:
    return harness.run()


def test_the_fault_free_conversation_reads_once_per_session_and_writes_only_turns_that_changed(
        reference: Run) -> None:
    for turns in reference.sessions:
        assert turns[0].calls[0] == "GetItem"
        assert [call for turn in turns for call in turn.calls].count("GetItem") == 1
        for turn in turns:
            assert set(turn.calls) <= {"GetItem", "PutItem"} and turn.calls.count("PutItem") <= 1
            if turn.said in ("repeat", "help", "stop"):
                assert turn.calls == [], f"{turn.said!r} changed nothing, yet called DynamoDB"
    assert reference.stored is not None and reference.stored["completed"] == 2  # small wins was finished
    assert reference.stored.get("progress") is None


@pytest.mark.parametrize("fault", ["throttle", "server-error", "timeout"])
def test_each_dynamodb_call_failing_in_turn_loses_nothing(harness: Harness, reference: Run, fault: str) -> None:
    for position, operation in enumerate(reference.calls):
        where = f"{fault} on call {position} ({operation})"
        run = harness.run(fail_at=position, fault=fault)

        for evening, (turns, expected) in enumerate(zip(run.sessions, reference.sessions, strict=True)):
            if evening in run.had_again:  # it started fresh: it must still answer, and never apologise for saving
                assert all(SAVE_FAILED not in turn.speech for turn in turns), where
                continue
            for turn, fault_free in zip(turns, expected, strict=True):
                if "PutItem" in turn.failed:
                    assert turn.speech == f"{fault_free.speech} {SAVE_FAILED}", where
                else:
                    assert turn.speech == fault_free.speech, where
        assert [failed for turns in run.sessions for turn in turns for failed in turn.failed] == [operation], where
        assert run.stored == reference.stored, where


def talk(harness: Harness, user_id: str) -> LocalAlexa:
    return LocalAlexa(harness.skill.handle, RESOLVER, user_id=user_id, clock=lambda: EVENING,
                      api_endpoint=harness.api_url)


@pytest.mark.parametrize("fault", ["throttle", "server-error", "timeout"])
def test_delete_our_data_that_fails_is_apologised_for_and_done_when_asked_again(harness: Harness, fault: str) -> None:
    user_id = f"amzn1.ask.account.{uuid.uuid4().hex.upper()}"
    harness.observer.save(returning_couple(user_id))
    alexa = talk(harness, user_id)
    alexa.say("open closer together")
    spoken(alexa.say("delete our data") or {})
    harness.faults.fail_next("DeleteItem", fault)

    apology = spoken(alexa.say("yes") or {})

    assert DELETE_FAILED in apology and alexa.in_session
    assert harness.observer.load(user_id) is not None
    spoken(alexa.say("delete our data") or {})
    spoken(alexa.say("yes") or {})
    assert harness.observer.load(user_id) is None


@pytest.mark.parametrize("fault", ["throttle", "server-error", "timeout"])
def test_a_first_launch_whose_save_fails_is_stored_by_the_next_turn(harness: Harness, fault: str) -> None:
    user_id = f"amzn1.ask.account.{uuid.uuid4().hex.upper()}"
    alexa = talk(harness, user_id)
    harness.faults.fail_next("PutItem", fault)

    welcome = spoken(alexa.say("open closer together") or {})

    assert welcome.endswith(SAVE_FAILED) and harness.observer.load(user_id) is None
    spoken(alexa.say("we're Sam and Alex") or {})
    stored = harness.observer.load(user_id)
    assert stored is not None and stored.names == ("Sam", "Alex") and stored.version == 1
