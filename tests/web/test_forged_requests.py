"""Requests that do not prove they come from Alexa for this skill, each refused over HTTP with 400 and its reason.

Each forgery starts from a request the service would accept and breaks exactly one thing, so every case fails for
the rule it names (the reason in the JSON error says which check refused it).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from closer.devtools.alexa_api_standin import AlexaApiStandIn

from .alexa_signing import CERT_URL, AlexaSigning, Authority, Client, alexa_event


@dataclass
class Forger:
    signing: AlexaSigning
    other_key: rsa.RSAPrivateKey
    rogue_ca: Authority
    api_endpoint: str

    def event(self, utterance: str = "open closer together", **options: Any) -> dict[str, Any]:
        return alexa_event(utterance, api_endpoint=self.api_endpoint, **options)

    def signed(self, event: dict[str, Any] | None = None, **options: Any) -> tuple[bytes, dict[str, str]]:
        body = json.dumps(event or self.event()).encode()
        return body, self.signing.headers(body, **options)

    def at_url(self, url: str) -> tuple[bytes, dict[str, str]]:
        """Signed correctly, chain published at `url`: only the URL rules can refuse it."""
        self.signing.shelf.chains[url] = self.signing.shelf.chains[CERT_URL]
        return self.signed(url=url)

    def with_chain(self, chain: bytes, name: str) -> tuple[bytes, dict[str, str]]:
        return self.signed(url=self.signing.publish(chain, name))

    def leaf(self, **options: Any) -> bytes:
        return self.signing.authority.chain(self.signing.key, **options)


Forgery = Callable[[Forger], tuple[bytes, dict[str, str]]]


def _now() -> datetime:
    return datetime.now(UTC)


def _without(header: str) -> Forgery:
    def forge(f: Forger) -> tuple[bytes, dict[str, str]]:
        body, headers = f.signed()
        del headers[header]
        return body, headers
    return forge


def _tampered(f: Forger) -> tuple[bytes, dict[str, str]]:
    body, headers = f.signed(f.event("open closer together"))
    return json.dumps(f.event("ask closer together for help")).encode(), headers


def _bad_base64(f: Forger) -> tuple[bytes, dict[str, str]]:
    body, headers = f.signed()
    headers["Signature-256"] = "not*base64!" + headers["Signature-256"]
    return body, headers


def _legacy_sha1_header_only(f: Forger) -> tuple[bytes, dict[str, str]]:
    body, headers = f.signed()
    headers["Signature"] = headers.pop("Signature-256")
    return body, headers


def _in_session_of_another_skill(f: Forger) -> tuple[bytes, dict[str, str]]:
    event = f.event()
    event["session"]["application"]["applicationId"] = "amzn1.ask.skill.someone-else"
    return f.signed(event)


def _without_application(f: Forger) -> tuple[bytes, dict[str, str]]:
    event = f.event()
    del event["context"]["System"]["application"]
    return f.signed(event)


def _without_timestamp(f: Forger) -> tuple[bytes, dict[str, str]]:
    event = f.event()
    del event["request"]["timestamp"]
    return f.signed(event)


FORGERIES: dict[str, tuple[Forgery, str]] = {
    # the certificate URL
    "http scheme": (lambda f: f.at_url("http://s3.amazonaws.com/echo.api/echo-api-cert.pem"), "https"),
    "other host": (lambda f: f.at_url("https://notamazon.com/echo.api/echo-api-cert.pem"), "host"),
    "look-alike host": (lambda f: f.at_url("https://s3.amazonaws.com.example.net/echo.api/cert.pem"), "host"),
    "other port": (lambda f: f.at_url("https://s3.amazonaws.com:563/echo.api/echo-api-cert.pem"), "port"),
    "other path": (lambda f: f.at_url("https://s3.amazonaws.com/invalid.path/echo-api-cert.pem"), "path"),
    "path in other case": (lambda f: f.at_url("https://s3.amazonaws.com/EcHo.aPi/echo-api-cert.pem"), "path"),
    ".. traversal": (lambda f: f.at_url("https://s3.amazonaws.com/echo.api/../invalid.path/cert.pem"), "path"),
    "encoded .. traversal": (lambda f: f.at_url("https://s3.amazonaws.com/echo.api/%2e%2e/x/cert.pem"), "path"),
    "malformed port": (lambda f: f.at_url("https://s3.amazonaws.com:443x/echo.api/cert.pem"), "malformed"),
    # the certificate chain
    "expired certificate": (lambda f: f.with_chain(f.leaf(not_before=_now() - timedelta(days=60),
                                                          not_after=_now() - timedelta(days=1)), "expired"),
                            "expired"),
    "certificate not valid yet": (lambda f: f.with_chain(f.leaf(not_before=_now() + timedelta(days=1),
                                                                not_after=_now() + timedelta(days=30)), "early"),
                                  "not valid yet"),
    "no subject alternative names": (lambda f: f.with_chain(f.leaf(names=None), "no-san"), "not issued to"),
    "issued to another name": (lambda f: f.with_chain(f.leaf(names=("echo-api.example.com",)), "other-san"),
                               "not issued to"),
    "untrusted chain": (lambda f: f.with_chain(f.rogue_ca.chain(f.signing.key), "rogue"), "not trusted"),
    "chain without its intermediate": (lambda f: f.with_chain(f.leaf().split(b"-----END CERTIFICATE-----")[0]
                                                              + b"-----END CERTIFICATE-----\n", "leaf-only"),
                                       "not trusted"),
    "not a certificate": (lambda f: f.with_chain(b"hello, I am a certificate", "garbage"), "cannot be read"),
    "certificate not found": (lambda f: f.signed(url="https://s3.amazonaws.com/echo.api/missing.pem"),
                              "download failed"),
    # the signature
    "tampered body": (_tampered, "does not match"),
    "bad base64": (_bad_base64, "base64"),
    "signed with the wrong key": (lambda f: f.signed(key=f.other_key), "does not match"),
    "missing certificate URL header": (_without("SignatureCertChainUrl"), "SignatureCertChainUrl"),
    "missing signature header": (_without("Signature-256"), "Signature-256"),
    "only the legacy SHA-1 signature": (_legacy_sha1_header_only, "Signature-256"),
    # the request itself
    "stale timestamp": (lambda f: f.signed(f.event(at=_now() - timedelta(seconds=200))), "too old"),
    "future timestamp": (lambda f: f.signed(f.event(at=_now() + timedelta(seconds=200))), "in the future"),
    "missing timestamp": (_without_timestamp, "timestamp is missing"),
    "wrong application id": (lambda f: f.signed(f.event(skill_id="amzn1.ask.skill.someone-else")),
                             "another skill"),
    "session of another skill": (_in_session_of_another_skill, "another skill"),
    "missing application id": (_without_application, "application id is missing"),
}


@pytest.fixture
def forger(signing: AlexaSigning, other_key: rsa.RSAPrivateKey, rogue_ca: Authority,
           alexa_api: AlexaApiStandIn) -> Forger:
    return Forger(signing, other_key, rogue_ca, alexa_api.url)


@pytest.mark.parametrize("case", FORGERIES)
def test_a_forged_or_broken_request_is_refused_with_400(service: Client, forger: Forger, case: str) -> None:
    forge, reason = FORGERIES[case]
    body, headers = forge(forger)
    reply = service.post(body, headers)
    assert reply.status == 400, reply.body
    assert reply.headers["content-type"] == "application/json"
    assert reason in reply.json()["error"]


def test_timestamps_within_150_seconds_either_way_are_accepted(service: Client, forger: Forger) -> None:
    for offset in (-120, 120):
        body, headers = forger.signed(forger.event(at=_now() + timedelta(seconds=offset)))
        reply = service.post(body, headers)
        assert reply.status == 200, (offset, reply.body)


def test_the_unforged_request_the_cases_start_from_is_accepted(service: Client, forger: Forger) -> None:
    body, headers = forger.signed()
    assert service.post(body, headers).status == 200
