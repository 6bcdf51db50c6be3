"""The Alexa service calls the skill makes: the device's time zone, and the daily reminder.

One small HTTP client (the standard library's), because the SDK's default API client sets no timeout: each call
here has a short one, so a slow service costs a turn seconds, not the whole answer. Every failure becomes a
`ServiceFailure` the conversation can speak about; nothing here raises anything else.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import quote, urlsplit

from ask_sdk_model import RequestEnvelope

from .domain.reminders import ServiceFailure

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 2.0  # seconds; Alexa waits about 8 s for the whole answer


class ServiceError(Exception):
    def __init__(self, failure: ServiceFailure, detail: str, status: int | None = None) -> None:
        super().__init__(detail)
        self.failure = failure
        self.status = status


class AlexaApi:
    def __init__(self, endpoint: str, token: str, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.endpoint = endpoint.rstrip("/")
        self.token = token
        self.timeout = timeout

    @classmethod
    def for_request(cls, envelope: RequestEnvelope, timeout: float = DEFAULT_TIMEOUT) -> AlexaApi | None:
        """The API as this request may use it, or None when the request carries no endpoint or token."""
        system = getattr(envelope.context, "system", None)
        endpoint = getattr(system, "api_endpoint", None)
        token = getattr(system, "api_access_token", None)
        if not endpoint or not token or urlsplit(endpoint).scheme not in ("https", "http"):
            return None
        return cls(endpoint, token, timeout)

    def time_zone(self, device_id: str) -> str:
        zone = self._call("GET", f"/v2/devices/{quote(device_id, safe='')}/settings/System.timeZone")
        if not isinstance(zone, str) or not zone:
            raise ServiceError(ServiceFailure.UNAVAILABLE, f"unexpected time zone answer: {zone!r}")
        return zone

    def put_daily_reminder(self, existing_id: str | None, body: dict[str, Any]) -> str:
        """Create the reminder, or update the one the household has (re-creating it if it was deleted)."""
        if existing_id:
            try:
                answer = self._call("PUT", f"/v1/alerts/reminders/{quote(existing_id, safe='')}", body)
                return self._alert_token(answer, existing_id)
            except ServiceError as err:
                if err.status != 404:
                    raise
        return self._alert_token(self._call("POST", "/v1/alerts/reminders", body), None)

    def delete_reminder(self, reminder_id: str) -> None:
        try:
            self._call("DELETE", f"/v1/alerts/reminders/{quote(reminder_id, safe='')}")
        except ServiceError as err:
            if err.status != 404:  # already gone (deleted in the Alexa app): that is what they wanted
                raise

    @staticmethod
    def _alert_token(answer: Any, fallback: str | None) -> str:
        token = answer.get("alertToken") if isinstance(answer, dict) else None
        if isinstance(token, str) and token:
            return token
        if fallback:
            return fallback
        raise ServiceError(ServiceFailure.UNAVAILABLE, f"no alertToken in {answer!r}")

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.endpoint + path, data=data, method=method, headers={
            "Authorization": f"Bearer {self.token}", "Accept": "application/json",
            **({"Content-Type": "application/json"} if data is not None else {})})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 - http(s) only
                raw = response.read()
        except urllib.error.HTTPError as err:
            failure = ServiceFailure.NO_PERMISSION if err.code in (401, 403) else ServiceFailure.UNAVAILABLE
            raise ServiceError(failure, f"{method} {path}: HTTP {err.code}", err.code) from err
        except (urllib.error.URLError, TimeoutError, OSError) as err:
            raise ServiceError(ServiceFailure.UNAVAILABLE, f"{method} {path}: {err}") from err
        if not raw:
            return None
        try:
            return json.loads(raw)
        except ValueError as err:
            raise ServiceError(ServiceFailure.UNAVAILABLE, f"{method} {path}: not JSON") from err
