"""The skill served over real HTTP: a verified conversation is answered, and whatever else arrives is refused
cleanly (HTTP 400 with a short JSON error, never a 500 or a stack trace)."""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Callable
from typing import Any

import pytest

from closer.devtools.alexa import LocalAlexa
from closer.devtools.alexa_api_standin import AlexaApiStandIn
from closer.devtools.model import InteractionModel
from closer.devtools.resolver import Resolver
from closer.skill import Skill
from closer.web import HEALTH_PATH, MAX_BODY_BYTES, create_app

from .alexa_signing import CERT_URL, HOUSEHOLD, SKILL_ID, AlexaSigning, Client, alexa_event, running


def speech(response: dict[str, Any]) -> str:
    return str(response["response"]["outputSpeech"]["ssml"])


def encode(event: dict[str, Any]) -> bytes:
    return json.dumps(event).encode()


NewEvent = Callable[..., dict[str, Any]]


def test_a_household_talks_to_the_skill_through_the_verified_web_service(
        service: Client, signing: AlexaSigning, alexa_api: AlexaApiStandIn) -> None:
    def post_signed(event: dict[str, Any]) -> dict[str, Any]:
        body = encode(event)
        reply = service.post(body, signing.headers(body))
        assert reply.status == 200, reply.body
        assert reply.headers["content-type"].startswith("application/json")
        answer: dict[str, Any] = reply.json()
        return answer

    alexa = LocalAlexa(post_signed, Resolver(InteractionModel.load()), skill_id=SKILL_ID,
                       api_endpoint=alexa_api.url)
    assert "Welcome to Closer Together" in speech(alexa.say("open closer together"))
    assert "Sam and Alex" in speech(alexa.say("we're Sam and Alex"))
    alexa.say("stop")
    assert not alexa.in_session
    assert "Welcome back, Sam and Alex" in speech(alexa.say("open closer together"))
    assert signing.shelf.fetched == [CERT_URL]  # one download, then the verified chain comes from the cache


@pytest.mark.parametrize("url", [
    "HTTPS://S3.AMAZONAWS.COM/echo.api/echo-api-cert-12.pem",  # scheme and host are case-insensitive
    "https://s3.amazonaws.com:443/echo.api/echo-api-cert-12.pem",  # the default port may be spelled out
    "https://s3.amazonaws.com/echo.api/../echo.api/echo-api-cert-12.pem",  # still inside /echo.api/
])
def test_certificate_urls_alexa_may_send_in_other_spellings_are_accepted(
        service: Client, signing: AlexaSigning, new_event: NewEvent, url: str) -> None:
    signing.shelf.chains[url] = signing.shelf.chains[CERT_URL]
    body = encode(new_event())
    reply = service.post(body, signing.headers(body, url=url))
    assert reply.status == 200, reply.body
    assert "Welcome to Closer Together" in speech(reply.json())


def test_the_health_endpoint_answers_load_balancers(service: Client) -> None:
    reply = service.request("GET", HEALTH_PATH)
    assert (reply.status, reply.json()) == (200, {"status": "ok"})


def test_logs_carry_the_request_id_and_never_the_raw_user_id(
        service: Client, signing: AlexaSigning, new_event: NewEvent, caplog: pytest.LogCaptureFixture) -> None:
    body = encode(new_event(user_id=HOUSEHOLD))
    with caplog.at_level(logging.INFO):
        answered = service.post(body, signing.headers(body))
        refused = service.post(body, {"Content-Type": "application/json"})
    assert (answered.status, refused.status) == (200, 400)
    web_lines = [r.getMessage() for r in caplog.records if r.name == "closer.web"]
    for reply in (answered, refused):
        request_id = reply.headers["x-request-id"]
        assert re.fullmatch(r"[0-9a-f]{16}", request_id)
        assert any(f"[{request_id}]" in line for line in web_lines), web_lines
    assert HOUSEHOLD not in caplog.text
    assert hashlib.sha256(HOUSEHOLD.encode()).hexdigest()[:12] in caplog.text




@pytest.mark.parametrize(("body", "content_type", "reason"), [
    (b'{"version": "1.0", "request": ', "application/json", "not valid JSON"),
    (b"\xff\xfe\x00garbage", "application/json", "not valid JSON"),
    (b"", "application/json", "not valid JSON"),
    (b"[" * 100_000 + b"]" * 100_000, "application/json", "not valid JSON"),
    (b'["a", "list"]', "application/json", "must be a JSON object"),
    (b'{"version": "1.0"}', "application/json", "not an Alexa request envelope"),
    (b'{"version": "1.0", "request": "LaunchRequest", "context": {}}', "application/json",
     "not an Alexa request envelope"),
    (encode(alexa_event()), "text/plain", "content type must be application/json"),
    (encode(alexa_event()), "application/x-www-form-urlencoded", "content type must be application/json"),
    (b"x" * (MAX_BODY_BYTES + 1), "application/json", "too large"),
], ids=["truncated", "not utf-8", "empty", "deeply nested", "a list", "no request", "request not an object",
        "text/plain", "form", "oversized"])
def test_what_is_not_an_alexa_request_is_refused_with_400(
        service: Client, body: bytes, content_type: str, reason: str) -> None:
    reply = service.post(body, {"Content-Type": content_type})
    assert reply.status == 400
    assert reply.headers["content-type"] == "application/json"
    assert reason in reply.json()["error"]


def test_an_oversized_body_without_a_declared_length_is_refused_with_400(service: Client) -> None:
    chunks = (b"x" * 65536 for _ in range(MAX_BODY_BYTES // 65536 + 2))
    reply = service.request("POST", service.path, chunks, {"Content-Type": "application/json"})
    assert (reply.status, reply.json()) == (400, {"error": "request body is too large"})


@pytest.mark.parametrize(("method", "path", "status"), [
    ("GET", "/alexa", 405), ("PUT", "/alexa", 405), ("DELETE", "/alexa", 405),
    ("POST", "/", 404), ("GET", "/nowhere", 404), ("POST", HEALTH_PATH, 405),
])
def test_wrong_methods_and_paths_get_json_errors(service: Client, method: str, path: str, status: int) -> None:
    reply = service.request(method, path, b"{}", {"Content-Type": "application/json"})
    assert reply.status == status
    assert reply.headers["content-type"] == "application/json"
    assert set(reply.json()) == {"error"}
    if status == 405:
        assert "POST" in reply.headers["allow"] or "GET" in reply.headers["allow"]


def test_without_verification_every_start_warns_and_unsigned_requests_are_served(
        skill: Skill, new_event: NewEvent, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="closer.web"):
        app = create_app(skill, None)
    assert any("VERIFICATION IS OFF" in r.getMessage() for r in caplog.records)
    with running(app) as port:
        reply = Client(port).post(encode(new_event()), {"Content-Type": "application/json"})
    assert reply.status == 200
    assert "Welcome to Closer Together" in speech(reply.json())


def test_the_skill_path_cannot_hide_the_health_endpoint(skill: Skill) -> None:
    with pytest.raises(ValueError, match="health"):
        create_app(skill, None, path=HEALTH_PATH)
