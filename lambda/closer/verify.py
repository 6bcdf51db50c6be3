"""Alexa request verification for the self-hosted web service: proof that a request was signed by Alexa.

A skill outside Lambda must check every request before acting on it: the signing certificate's URL, its chain to a
trusted root, its validity and its `echo-api.amazon.com` name, the RSA-SHA256 signature over the raw body, the
request's timestamp, and the skill id it was sent to. Any failure raises `VerificationError` with a short reason
that is safe to send back to the caller.

Path validation is pyca/cryptography's own (`cryptography.x509.verification`), a maintained implementation of the
web PKI rules; the checks around it are Alexa's. The trust roots and the certificate download are injectable: tests
and private deployments bring their own, production uses certifi's bundle and a download with a timeout.
"""

from __future__ import annotations

import base64
import binascii
import posixpath
import threading
import urllib.error
import urllib.request
import warnings
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import unquote, urlsplit

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509 import verification

SIGNING_NAME = "echo-api.amazon.com"
CERT_HOST = "s3.amazonaws.com"
CERT_PATH_PREFIX = "/echo.api/"
MAX_SKEW = timedelta(seconds=150)  # Alexa's maximum tolerance between its timestamp and our clock
DOWNLOAD_TIMEOUT = 5.0
DOWNLOAD_LIMIT = 64 * 1024  # Alexa's chain is a few kilobytes

CertFetcher = Callable[[str], bytes]  # the chain's PEM; raises VerificationError or OSError when it cannot
Clock = Callable[[], datetime]


class VerificationError(Exception):
    """The request cannot be shown to come from Alexa for this skill. `str()` is a short, client-safe reason."""


def check_cert_url(url: str) -> None:
    """Alexa's rules for `SignatureCertChainUrl`, checked on the normalised URL so `..` cannot escape the prefix."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as err:
        raise VerificationError("certificate URL is malformed") from err
    if parts.scheme.lower() != "https":
        raise VerificationError("certificate URL must use https")
    if (parts.hostname or "").lower() != CERT_HOST:
        raise VerificationError(f"certificate URL host must be {CERT_HOST}")
    if port not in (None, 443):
        raise VerificationError("certificate URL port must be 443")
    if not posixpath.normpath(unquote(parts.path)).startswith(CERT_PATH_PREFIX):
        raise VerificationError(f"certificate URL path must start with {CERT_PATH_PREFIX}")


def certifi_roots() -> verification.Store:
    """The production trust roots: certifi's copy of the Mozilla CA bundle, one certificate at a time so a single
    odd entry (the bundle has carried some) cannot make the whole bundle unusable."""
    import certifi  # the `web` extra; imported here so tests with their own roots never need it

    with open(certifi.where(), "rb") as bundle:
        pem = bundle.read()
    roots = []
    for block in pem.split(b"-----END CERTIFICATE-----")[:-1]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                roots.append(x509.load_pem_x509_certificate(block + b"-----END CERTIFICATE-----"))
            except ValueError:
                continue
    return verification.Store(roots)


class _RefuseRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # a certificate is fetched from exactly the URL that passed the rules


def download(url: str, timeout: float = DOWNLOAD_TIMEOUT) -> bytes:
    """The default fetcher: one GET with a timeout and a size limit, no redirects."""
    opener = urllib.request.build_opener(_RefuseRedirects)
    try:
        with opener.open(url, timeout=timeout) as response:
            data: bytes = response.read(DOWNLOAD_LIMIT + 1)
    except (OSError, ValueError) as err:  # URLError, HTTPError and timeouts are all OSErrors
        raise VerificationError("certificate download failed") from err
    if len(data) > DOWNLOAD_LIMIT:
        raise VerificationError("certificate chain is too large")
    return data


@dataclass(frozen=True)
class _Signer:
    """What a verified chain is good for: its leaf's key, within the time every certificate of the chain is valid."""

    key: rsa.RSAPublicKey
    not_before: datetime
    not_after: datetime

    def valid_at(self, moment: datetime) -> bool:
        return self.not_before <= moment <= self.not_after


class AlexaVerifier:
    """Checks each request against Alexa's rules; verified signing chains are cached per URL.

    The cache is bounded (least recently used goes first) and each entry is checked against the clock on every
    use, so a certificate that expires while cached stops being accepted at that moment.
    """

    def __init__(self, skill_id: str, *, roots: verification.Store | None = None, fetch: CertFetcher = download,
                 clock: Clock = lambda: datetime.now(UTC), cache_size: int = 16) -> None:
        if not skill_id:
            raise ValueError("verification needs the skill id requests must be sent to")
        self.skill_id = skill_id
        self.roots = roots if roots is not None else certifi_roots()
        self.fetch = fetch
        self.clock = clock
        self.cache_size = cache_size
        self._cache: OrderedDict[str, _Signer] = OrderedDict()
        self._lock = threading.Lock()

    def verify(self, headers: Mapping[str, str], body: bytes, event: Mapping[str, Any]) -> None:
        """Raise VerificationError unless `body` (whose parsed form is `event`) was signed by Alexa for this skill."""
        lowered = {name.lower(): value for name, value in headers.items()}
        cert_url = lowered.get("signaturecertchainurl", "").strip()
        signature = lowered.get("signature-256", "").strip()
        if not cert_url:
            raise VerificationError("SignatureCertChainUrl header is missing")
        if not signature:
            raise VerificationError("Signature-256 header is missing")
        check_cert_url(cert_url)
        now = self.clock()
        _check_timestamp(event, now)
        _check_application(event, self.skill_id)
        signer = self._signer(cert_url, now)
        try:
            raw_signature = base64.b64decode(signature, validate=True)
        except (binascii.Error, ValueError) as err:
            raise VerificationError("Signature-256 is not valid base64") from err
        try:
            signer.key.verify(raw_signature, body, padding.PKCS1v15(), hashes.SHA256())
        except InvalidSignature as err:
            raise VerificationError("signature does not match the request body") from err

    def _signer(self, url: str, now: datetime) -> _Signer:
        with self._lock:
            cached = self._cache.get(url)
            if cached is not None and cached.valid_at(now):
                self._cache.move_to_end(url)
                return cached
            self._cache.pop(url, None)
        try:  # outside the lock: a download must not stall the requests whose chain is cached
            pem = self.fetch(url)
        except OSError as err:
            raise VerificationError("certificate download failed") from err
        signer = self._verify_chain(pem, now)
        with self._lock:
            self._cache[url] = signer
            self._cache.move_to_end(url)
            while len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)
        return signer

    def _verify_chain(self, pem: bytes, now: datetime) -> _Signer:
        try:
            leaf, *intermediates = x509.load_pem_x509_certificates(pem)
        except ValueError as err:
            raise VerificationError("certificate chain cannot be read") from err
        if now < leaf.not_valid_before_utc:
            raise VerificationError("signing certificate is not valid yet")
        if now > leaf.not_valid_after_utc:
            raise VerificationError("signing certificate has expired")
        if SIGNING_NAME not in _dns_names(leaf):
            raise VerificationError(f"signing certificate is not issued to {SIGNING_NAME}")
        policy = verification.PolicyBuilder().store(self.roots).time(now)
        try:
            chain = policy.build_server_verifier(x509.DNSName(SIGNING_NAME)).verify(leaf, intermediates)
        except verification.VerificationError as err:
            raise VerificationError("certificate chain is not trusted") from err
        try:
            key = leaf.public_key()
        except (ValueError, UnsupportedAlgorithm) as err:
            raise VerificationError("signing key cannot be read") from err
        if not isinstance(key, rsa.RSAPublicKey):
            raise VerificationError("signing key is not RSA")
        return _Signer(key, not_before=max(cert.not_valid_before_utc for cert in chain),
                       not_after=min(cert.not_valid_after_utc for cert in chain))


def _dns_names(cert: x509.Certificate) -> set[str]:
    try:
        names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except (x509.ExtensionNotFound, ValueError):  # absent, or present but malformed
        return set()
    return {name.lower() for name in names.get_values_for_type(x509.DNSName)}


def _check_timestamp(event: Mapping[str, Any], now: datetime) -> None:
    request = event.get("request")
    stamp = request.get("timestamp") if isinstance(request, Mapping) else None
    if not isinstance(stamp, str):
        raise VerificationError("request timestamp is missing")
    try:
        moment = datetime.fromisoformat(stamp)
    except ValueError as err:
        raise VerificationError("request timestamp is malformed") from err
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    if moment < now - MAX_SKEW:
        raise VerificationError("request timestamp is too old")
    if moment > now + MAX_SKEW:
        raise VerificationError("request timestamp is in the future")


def _check_application(event: Mapping[str, Any], skill_id: str) -> None:
    """The skill id sits in `context.System.application`, and again in `session.application` when in session:
    every copy present must name this skill."""
    found = [_dig(event, "context", "System", "application", "applicationId")]
    if event.get("session") is not None:
        found.append(_dig(event, "session", "application", "applicationId"))
    if found[0] is None:
        raise VerificationError("application id is missing")
    if any(value != skill_id for value in found):
        raise VerificationError("request is for another skill")


def _dig(value: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(value, Mapping):
            return None
        value = value.get(key)
    return value
