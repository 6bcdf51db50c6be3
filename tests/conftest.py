"""Shared test harness: a local Alexa talking to the real Lambda entry point, checking every response it sees.

The whole session uses one SQLite file (as a real deployment uses one table); each test is its own household
(a fresh Alexa user id), so tests never see each other's records.
"""

from __future__ import annotations

import json
import os
import tempfile
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

# Before the entry point is imported: the skill reads its settings once, at import, as on Lambda.
_DB_DIR = tempfile.mkdtemp(prefix="closer-tests-")
os.environ["CLOSER_DB"] = str(Path(_DB_DIR) / "households.sqlite3")
os.environ.pop("CLOSER_SKILL_ID", None)
os.environ["CLOSER_API_TIMEOUT"] = "0.5"  # the stand-in's "timeout" faults stall for longer than this

import lambda_function  # noqa: E402
from closer.devtools.alexa import LocalAlexa  # noqa: E402
from closer.devtools.alexa_api_standin import AlexaApiStandIn  # noqa: E402
from closer.devtools.chat import readable  # noqa: E402
from closer.devtools.model import InteractionModel  # noqa: E402
from closer.devtools.resolver import Resolver  # noqa: E402
from closer.render import MAX_REPROMPT_SECONDS, MAX_SPEECH_SECONDS, WORDS_PER_SECOND  # noqa: E402
from closer.store.sqlite import SqliteStore  # noqa: E402

RESOLVER = Resolver(InteractionModel.load())
# The Alexa service APIs (time zone, reminders) answered locally for every test that does not bring its own.
ALEXA_API = AlexaApiStandIn(time_zone="UTC").start()


class Clock:
    """The moment requests claim to be sent at; tests move it to simulate tomorrow or next week."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def seconds_of_audio(ssml: str) -> float:
    root = ET.fromstring(ssml)
    breaks = sum(float(b.get("time", "0s").rstrip("s")) for b in root.iter("break"))
    words = len(" ".join(root.itertext()).split())
    return breaks + words / WORDS_PER_SECOND + 2 * len(list(root.iter("audio")))


def check_response(event: dict[str, Any], response: dict[str, Any]) -> None:
    """What every response must satisfy, whatever the request (REFERENCE.md sections 3 and 4)."""
    assert response["version"] == "1.0"
    assert len(json.dumps(response).encode()) < 120 * 1024
    body = response["response"]
    if event["request"]["type"] == "SessionEndedRequest":
        assert "outputSpeech" not in body and "reprompt" not in body, "SessionEndedRequest must get no speech"
        return
    speech = body["outputSpeech"]
    assert speech["type"] == "SSML"
    ET.fromstring(speech["ssml"])  # well formed
    assert len(speech["ssml"]) < 8000
    assert seconds_of_audio(speech["ssml"]) <= MAX_SPEECH_SECONDS
    assert readable(speech["ssml"]).strip(), "an answer must say something"
    directives = body.get("directives") or []
    if any(d["type"] == "Connections.SendRequest" for d in directives):
        # Alexa asks for a permission next: the session neither ends nor reprompts meanwhile.
        assert "shouldEndSession" not in body and "reprompt" not in body
        (ask,) = directives
        assert ask["name"] == "AskFor" and ask["payload"]["@type"] == "AskForPermissionsConsentRequest"
        return
    if body.get("shouldEndSession") is False:
        reprompt = body["reprompt"]["outputSpeech"]["ssml"]
        ET.fromstring(reprompt)
        assert readable(reprompt).strip()
        assert seconds_of_audio(reprompt) <= MAX_REPROMPT_SECONDS
    else:
        assert body.get("shouldEndSession") is True
        assert "reprompt" not in body


def checked_lambda(event: dict[str, Any]) -> dict[str, Any]:
    response = lambda_function.lambda_handler(event, None)
    check_response(event, response)
    return response


class Couple:
    """A household talking to the skill through a local Alexa; every response is checked on the way."""

    def __init__(self, clock: Clock, user_id: str | None = None, locale: str = "en-US",
                 api: AlexaApiStandIn = ALEXA_API) -> None:
        self.clock = clock
        self.alexa = LocalAlexa(checked_lambda, RESOLVER, user_id=user_id or f"amzn1.ask.account.{uuid.uuid4()}",
                                locale=locale, clock=clock, api_endpoint=api.url)
        self.response: dict[str, Any] = {}

    @property
    def user_id(self) -> str:
        return self.alexa.user_id

    def say(self, text: str) -> str:
        """Say `text` to the device; returns what Alexa said (readable), and keeps the whole response."""
        response = self.alexa.say(text)
        assert response is not None, f"{text!r} did not reach the skill (no session open)"
        self.response = response
        return self.speech

    def intent(self, name: str, **slots: str | None) -> str:
        self.response = self.alexa.intent(name, **slots)
        return self.speech

    def end(self, reason: str = "USER_INITIATED") -> None:
        response = self.alexa.end(reason)
        assert response is not None

    @property
    def speech(self) -> str:
        ssml = (self.response.get("response", {}).get("outputSpeech") or {}).get("ssml", "")
        return readable(ssml)

    @property
    def reprompt(self) -> str:
        return readable(((self.response["response"].get("reprompt") or {}).get("outputSpeech") or {})
                        .get("ssml", ""))

    @property
    def card(self) -> dict[str, Any] | None:
        card: dict[str, Any] | None = self.response["response"].get("card")
        return card

    @property
    def session_open(self) -> bool:
        return self.alexa.in_session

    def stored(self) -> dict[str, Any] | None:
        household = SqliteStore(os.environ["CLOSER_DB"]).load(self.user_id)
        return household.to_dict() if household else None


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 11, 27, 19, 30, tzinfo=UTC))


@pytest.fixture
def couple(clock: Clock) -> Couple:
    return Couple(clock)


@pytest.fixture
def named_couple(couple: Couple) -> Iterator[Couple]:
    """A couple who have opened the skill once and given their names, then closed it."""
    couple.say("open closer together")
    couple.say("we're Sam and Alex")
    couple.say("stop")
    yield couple
