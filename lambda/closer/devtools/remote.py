"""Talking to a running endpoint: an HTTP client that `LocalAlexa` can use in place of the in-process skill.

It POSTs each request envelope as JSON, as the Alexa service does (unsigned: point it at `closer serve --no-verify`
or any endpoint that accepts unsigned requests), and hands back the decoded response. Every way a call can fail
becomes an `EndpointError` with a one-line reason, never a stack trace in the middle of a conversation.
"""

from __future__ import annotations

import ipaddress
import json
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlsplit

DEFAULT_TIMEOUT = 10.0  # seconds; Alexa itself waits about 8 s for an answer


class EndpointError(Exception):
    """The endpoint could not be reached or did not answer with a skill response."""


class HttpEndpoint:
    def __init__(self, url: str, timeout: float = DEFAULT_TIMEOUT) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"the endpoint must be an http:// or https:// URL, not {url!r}")
        self.url = url
        self.timeout = timeout
        # A proxy from the environment must never sit between a developer and their own machine.
        handlers = [urllib.request.ProxyHandler({})] if _is_loopback(parts.hostname) else []
        self._opener = urllib.request.build_opener(*handlers)

    def __call__(self, event: dict[str, Any]) -> dict[str, Any]:
        request = urllib.request.Request(self.url, data=json.dumps(event).encode(), method="POST",
                                         headers={"Content-Type": "application/json; charset=utf-8"})
        try:
            with self._opener.open(request, timeout=self.timeout) as answer:
                body = answer.read()
        except urllib.error.HTTPError as err:
            detail = err.read()[:300].decode("utf-8", "replace").strip()
            raise EndpointError(f"{self.url} answered HTTP {err.code}: {detail or err.reason}") from err
        except urllib.error.URLError as err:
            raise EndpointError(f"could not reach {self.url}: {err.reason}") from err
        except (TimeoutError, OSError) as err:
            raise EndpointError(f"no answer from {self.url}: {err}") from err
        try:
            response = json.loads(body)
        except ValueError as err:
            raise EndpointError(f"{self.url} answered something that is not JSON: {body[:120]!r}") from err
        if not isinstance(response, dict) or not isinstance(response.get("response"), dict):
            raise EndpointError(f"{self.url} answered JSON that is not a skill response: {body[:120]!r}")
        return response


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
