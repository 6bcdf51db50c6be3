"""Fixtures for the web service tests: a test CA for Alexa's signatures and the skill served over real HTTP.

Keys take a moment to generate, so the authorities, keys and the Alexa API stand-in live for the whole session;
each test gets its own certificate shelf, skill store and server.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from closer.config import Settings
from closer.devtools.alexa_api_standin import AlexaApiStandIn
from closer.devtools.alexa_api_standin import running as alexa_api_running
from closer.skill import Skill, build_skill
from closer.web import create_app

from .alexa_signing import (
    CERT_URL,
    SKILL_ID,
    AlexaSigning,
    Authority,
    CertShelf,
    Client,
    alexa_event,
    new_key,
    running,
    trusting,
)

SKILL_PATH = "/alexa"


@pytest.fixture(scope="session")
def alexa_ca() -> Authority:
    return Authority.create("Test Alexa CA")


@pytest.fixture(scope="session")
def rogue_ca() -> Authority:
    return Authority.create("Rogue CA")


@pytest.fixture(scope="session")
def signing_key() -> rsa.RSAPrivateKey:
    return new_key()


@pytest.fixture(scope="session")
def other_key() -> rsa.RSAPrivateKey:
    return new_key()


@pytest.fixture
def signing(alexa_ca: Authority, signing_key: rsa.RSAPrivateKey) -> AlexaSigning:
    return AlexaSigning(alexa_ca, signing_key, CertShelf({CERT_URL: alexa_ca.chain(signing_key)}))


@pytest.fixture(scope="session")
def alexa_api() -> Iterator[AlexaApiStandIn]:
    """The Alexa service APIs the skill calls (device time zone, reminders), answered on 127.0.0.1."""
    with alexa_api_running() as standin:
        yield standin


@pytest.fixture
def new_event(alexa_api: AlexaApiStandIn) -> Callable[..., dict[str, Any]]:
    """`alexa_event` for requests that reach the skill: its API calls go to the local stand-in."""
    return partial(alexa_event, api_endpoint=alexa_api.url)


@pytest.fixture
def skill(tmp_path: Path) -> Skill:
    return build_skill(Settings(skill_id=SKILL_ID, db_path=tmp_path / "households.sqlite3"))


@pytest.fixture
def service(skill: Skill, signing: AlexaSigning) -> Iterator[Client]:
    """The skill behind waitress on 127.0.0.1, verifying every request against the test CA."""
    app = create_app(skill, trusting(signing.authority, signing.shelf), path=SKILL_PATH)
    with running(app) as port:
        yield Client(port, SKILL_PATH)
