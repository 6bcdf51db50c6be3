"""A stand-in for Alexa's signing side, and a way to run the web service on a free localhost port.

The certificate authority (root -> intermediate -> signing certificate for echo-api.amazon.com) is made here with
pyca/cryptography; verifiers built by `trusting()` trust only its root, and certificates are "downloaded" from an
in-memory shelf, so nothing touches the network beyond 127.0.0.1. The web tests and benchmarks/web_throughput.py
both use it.
"""

from __future__ import annotations

import base64
import http.client
import json
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from flask import Flask

from closer.devtools.alexa import LocalAlexa
from closer.devtools.model import InteractionModel
from closer.devtools.resolver import Resolver
from closer.verify import AlexaVerifier
from closer.web import make_server

SKILL_ID = "amzn1.ask.skill.0c105e70-0000-4000-8000-00000000web0"
CERT_URL = "https://s3.amazonaws.com/echo.api/echo-api-cert-12.pem"
SIGNING_NAME = "echo-api.amazon.com"
HOUSEHOLD = "amzn1.ask.account.WEB-TEST-HOUSEHOLD"
NO_API = "http://127.0.0.1:9"  # refuses connections at once: never the real Alexa API

_NO_KEY_USAGE = dict(digital_signature=False, content_commitment=False, key_encipherment=False,
                     data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
                     encipher_only=False, decipher_only=False)


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Closer Together tests"),
                      x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _ca_certificate(subject: str, key: rsa.RSAPrivateKey, issuer: x509.Name | None,
                    issuer_key: rsa.RSAPrivateKey | None, path_length: int) -> x509.Certificate:
    now = datetime.now(UTC)
    return (x509.CertificateBuilder()
            .subject_name(_name(subject))
            .issuer_name(issuer or _name(subject))
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=30))
            .not_valid_after(now + timedelta(days=365))
            .add_extension(x509.BasicConstraints(ca=True, path_length=path_length), critical=True)
            .add_extension(x509.KeyUsage(**{**_NO_KEY_USAGE, "key_cert_sign": True, "crl_sign": True}),
                           critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key((issuer_key or key).public_key()),
                           critical=False)
            .sign(issuer_key or key, hashes.SHA256()))


@dataclass(frozen=True)
class Authority:
    """A certificate authority: a self-signed root and the intermediate that issues signing certificates."""

    root: x509.Certificate
    intermediate: x509.Certificate
    intermediate_key: rsa.RSAPrivateKey

    @classmethod
    def create(cls, label: str) -> Authority:
        root_key, intermediate_key = new_key(), new_key()
        root = _ca_certificate(f"{label} root", root_key, None, None, path_length=1)
        intermediate = _ca_certificate(f"{label} intermediate", intermediate_key, root.subject, root_key,
                                       path_length=0)
        return cls(root, intermediate, intermediate_key)

    def chain(self, key: rsa.RSAPrivateKey, *, names: tuple[str, ...] | None = (SIGNING_NAME,),
              not_before: datetime | None = None, not_after: datetime | None = None) -> bytes:
        """PEM of a signing certificate for `key` followed by the intermediate, the way Alexa publishes it.
        `names=None` leaves the subject alternative names out altogether."""
        now = datetime.now(UTC)
        builder = (x509.CertificateBuilder()
                   .subject_name(_name(SIGNING_NAME))
                   .issuer_name(self.intermediate.subject)
                   .public_key(key.public_key())
                   .serial_number(x509.random_serial_number())
                   .not_valid_before(not_before or now - timedelta(days=1))
                   .not_valid_after(not_after or now + timedelta(days=30))
                   .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                   .add_extension(x509.KeyUsage(**{**_NO_KEY_USAGE, "digital_signature": True,
                                                   "key_encipherment": True}), critical=True)
                   .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
                   .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                       self.intermediate_key.public_key()), critical=False))
        if names is not None:
            builder = builder.add_extension(x509.SubjectAlternativeName([x509.DNSName(n) for n in names]),
                                            critical=False)
        leaf = builder.sign(self.intermediate_key, hashes.SHA256())
        return b"".join(cert.public_bytes(serialization.Encoding.PEM) for cert in (leaf, self.intermediate))


@dataclass
class CertShelf:
    """The certificate "download": URL -> PEM, remembering each fetch. An unknown URL fails as a 404 would."""

    chains: dict[str, bytes] = field(default_factory=dict)
    fetched: list[str] = field(default_factory=list)

    def __call__(self, url: str) -> bytes:
        self.fetched.append(url)
        if url not in self.chains:
            raise FileNotFoundError(url)
        return self.chains[url]


@dataclass
class AlexaSigning:
    """What Alexa does before each POST: publish its chain at a URL, sign the exact body with the leaf's key."""

    authority: Authority
    key: rsa.RSAPrivateKey
    shelf: CertShelf

    def publish(self, chain: bytes, name: str) -> str:
        url = f"https://s3.amazonaws.com/echo.api/{name}.pem"
        self.shelf.chains[url] = chain
        return url

    def headers(self, body: bytes, *, url: str = CERT_URL, key: rsa.RSAPrivateKey | None = None) -> dict[str, str]:
        signature = (key or self.key).sign(body, padding.PKCS1v15(), hashes.SHA256())
        return {"Content-Type": "application/json; charset=utf-8", "SignatureCertChainUrl": url,
                "Signature-256": base64.b64encode(signature).decode()}


def trusting(authority: Authority, shelf: CertShelf, **options: Any) -> AlexaVerifier:
    """A verifier for SKILL_ID that trusts only `authority`'s root and fetches from `shelf`."""
    return AlexaVerifier(SKILL_ID, roots=x509.verification.Store([authority.root]), fetch=shelf, **options)


def alexa_event(utterance: str = "open closer together", *, skill_id: str = SKILL_ID,
                at: datetime | None = None, user_id: str = HOUSEHOLD, api_endpoint: str = NO_API) -> dict[str, Any]:
    """A realistic request envelope, built by the same local Alexa that `closer chat` talks through. Requests that
    reach the skill should carry the local Alexa API stand-in's URL as `api_endpoint`."""
    captured: list[dict[str, Any]] = []

    def capture(event: dict[str, Any]) -> dict[str, Any]:
        captured.append(event)
        return {"version": "1.0", "response": {"shouldEndSession": True}}

    moment = at or datetime.now(UTC)
    LocalAlexa(capture, Resolver(InteractionModel.load()), user_id=user_id, skill_id=skill_id,
               clock=lambda: moment, api_endpoint=api_endpoint).say(utterance)
    return captured[0]


@dataclass(frozen=True)
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass(frozen=True)
class Client:
    """Plain HTTP/1.1 to the service on 127.0.0.1 (no proxy settings apply), one connection per request."""

    port: int
    path: str = "/"

    def request(self, method: str, path: str, body: bytes | Iterable[bytes] | None = None,
                headers: dict[str, str] | None = None) -> Reply:
        """Send one request; an iterable body goes out chunked, with no declared length."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            connection.request(method, path, body=body, headers=headers or {},
                               encode_chunked=body is not None and not isinstance(body, bytes))
            response = connection.getresponse()
            return Reply(response.status, {k.lower(): v for k, v in response.getheaders()}, response.read())
        finally:
            connection.close()

    def post(self, body: bytes, headers: dict[str, str]) -> Reply:
        return self.request("POST", self.path, body, headers)


@contextmanager
def running(app: Flask, *, threads: int = 2) -> Iterator[int]:
    """Serve `app` with the production server (waitress) on a free 127.0.0.1 port, in a thread; yields the port."""
    server = make_server(app, "127.0.0.1", 0, threads=threads)
    thread = threading.Thread(target=server.run, name="waitress", daemon=True)
    thread.start()

    def stop() -> None:  # runs on waitress's own loop thread: nothing is closed under a select() in progress
        for channel in list(server.active_channels.values()):
            channel.close()
        server.close()

    try:
        yield int(server.effective_port)
    finally:
        server.task_dispatcher.shutdown()  # workers finish their requests first: they still wake the loop
        with suppress(OSError):  # the loop may run `stop`, which closes the trigger, before it is pulled
            server.trigger.pull_trigger(stop)
        thread.join(timeout=10)
