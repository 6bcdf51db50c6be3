"""The verifier's own behaviour: its certificate cache, its clock, its default download and its default roots."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import suppress
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from closer.verify import DOWNLOAD_LIMIT, AlexaVerifier, VerificationError, download

from .alexa_signing import CERT_URL, SKILL_ID, AlexaSigning, alexa_event, trusting


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


def check(verifier: AlexaVerifier, signing: AlexaSigning, url: str = CERT_URL, at: datetime | None = None) -> None:
    event = alexa_event(at=at)
    body = json.dumps(event).encode()
    verifier.verify(signing.headers(body, url=url), body, event)


def test_a_verified_chain_is_downloaded_once_and_reused(signing: AlexaSigning) -> None:
    verifier = trusting(signing.authority, signing.shelf)
    for _ in range(5):
        check(verifier, signing)
    assert signing.shelf.fetched == [CERT_URL]


def test_the_cache_is_bounded_and_forgets_the_least_recently_used_chain_first(signing: AlexaSigning) -> None:
    verifier = trusting(signing.authority, signing.shelf, cache_size=2)
    first, second, third = (signing.publish(signing.shelf.chains[CERT_URL], f"cert-{n}") for n in range(3))
    for url in (first, second, first, third, first, second):
        check(verifier, signing, url)
    # `second` was the least recently used when `third` arrived, so only it is fetched again
    assert signing.shelf.fetched == [first, second, third, second]


def test_a_cached_chain_stops_being_accepted_when_its_certificate_expires(signing: AlexaSigning) -> None:
    clock = Clock()
    short_lived = signing.authority.chain(signing.key, not_after=clock.now + timedelta(hours=1))
    url = signing.publish(short_lived, "short-lived")
    verifier = trusting(signing.authority, signing.shelf, clock=clock)
    check(verifier, signing, url, at=clock.now)
    check(verifier, signing, url, at=clock.now)
    clock.now += timedelta(hours=2)
    with pytest.raises(VerificationError, match="signing certificate has expired"):
        check(verifier, signing, url, at=clock.now)
    assert signing.shelf.fetched == [url, url]


def test_header_names_are_case_insensitive(signing: AlexaSigning) -> None:
    event = alexa_event()
    body = json.dumps(event).encode()
    headers = {name.lower(): value for name, value in signing.headers(body).items()}
    trusting(signing.authority, signing.shelf).verify(headers, body, event)


def test_the_default_roots_are_the_public_ones_and_do_not_trust_a_private_ca(signing: AlexaSigning) -> None:
    verifier = AlexaVerifier(SKILL_ID, fetch=signing.shelf)  # certifi's bundle, read from disk
    with pytest.raises(VerificationError, match="not trusted"):
        check(verifier, signing)


def test_verification_cannot_be_configured_without_a_skill_id() -> None:
    with pytest.raises(ValueError, match="skill id"):
        AlexaVerifier("")


class _CertServer(BaseHTTPRequestHandler):
    """Answers like a certificate host would, or misbehaves, depending on the path."""

    pem = b"-----BEGIN CERTIFICATE-----\n...\n-----END CERTIFICATE-----\n"
    release = threading.Event()
    seen: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
        self.seen.append(self.path)
        if self.path == "/slow.pem":
            self.release.wait(timeout=10)
        if self.path == "/moved.pem":
            self.send_response(302)
            self.send_header("Location", "/cert.pem")
            self.end_headers()
            return
        payload = {"/cert.pem": self.pem, "/huge.pem": b"x" * (DOWNLOAD_LIMIT + 1), "/slow.pem": self.pem}.get(
            self.path)
        self.send_response(200 if payload is not None else 404)
        self.end_headers()
        with suppress(ConnectionError):  # the client stops reading at its size limit
            self.wfile.write(payload or b"")

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def cert_host(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    for proxy in ("http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(proxy, raising=False)
    _CertServer.seen.clear()
    _CertServer.release.clear()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _CertServer)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        _CertServer.release.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def test_the_default_download_fetches_the_chain(cert_host: str) -> None:
    assert download(f"{cert_host}/cert.pem") == _CertServer.pem


@pytest.mark.parametrize(("path", "reason"), [
    ("/missing.pem", "download failed"),
    ("/huge.pem", "too large"),
    ("/moved.pem", "download failed"),
])
def test_the_default_download_refuses_what_a_certificate_host_would_not_send(
        cert_host: str, path: str, reason: str) -> None:
    with pytest.raises(VerificationError, match=reason):
        download(f"{cert_host}{path}")
    assert _CertServer.seen == [path]  # a redirect is never followed


def test_the_default_download_gives_up_after_its_timeout(cert_host: str) -> None:
    with pytest.raises(VerificationError, match="download failed"):
        download(f"{cert_host}/slow.pem", timeout=0.2)
