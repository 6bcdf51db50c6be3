"""A local stand-in for the Alexa service: builds realistic request envelopes and keeps the session between turns.

It is what `closer chat` and the conversation tests talk through. Give it any callable that takes an event and
returns the response (the Lambda handler in-process, or an HTTP client); it carries session attributes, honours
`shouldEndSession`, and sends `SessionEndedRequest`s the way Alexa does.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from .resolver import FALLBACK, Resolution, Resolver, SlotFill

Endpoint = Callable[[dict[str, Any]], dict[str, Any]]
LOCAL_SKILL_ID = "amzn1.ask.skill.00000000-0000-4000-8000-c105e7000000"
LOCAL_USER_ID = "amzn1.ask.account.LOCAL-CHAT-HOUSEHOLD"


@dataclass
class _Session:
    id: str
    attributes: dict[str, Any] = field(default_factory=dict)
    new: bool = True


class LocalAlexa:
    def __init__(self, endpoint: Endpoint, resolver: Resolver | None = None, user_id: str = LOCAL_USER_ID,
                 locale: str = "en-US", skill_id: str = LOCAL_SKILL_ID,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC),
                 api_endpoint: str = "https://api.amazonalexa.com") -> None:
        self.endpoint = endpoint
        self.resolver = resolver
        self.user_id = user_id
        self.locale = locale
        self.skill_id = skill_id
        self.clock = clock
        self.api_endpoint = api_endpoint
        self.device_id = f"amzn1.ask.device.{uuid.uuid5(uuid.NAMESPACE_URL, user_id).hex.upper()}"
        self.session: _Session | None = None
        self.last_response: dict[str, Any] | None = None
        self.consent: dict[str, Any] | None = None  # a permission request Alexa is asking the couple about

    @property
    def in_session(self) -> bool:
        return self.session is not None

    # -- what a person does --

    def say(self, text: str) -> dict[str, Any] | None:
        """Speak to the device. Returns the skill's response, or None when Alexa would not reach the skill."""
        if self.resolver is None:
            raise ValueError("LocalAlexa needs a resolver to understand text")
        heard = self.resolver.resolve(text)
        if heard.launch:
            self.session = None  # "open closer together" always starts afresh
            if heard.intent is None:
                return self.launch()
            return self._intent(heard)
        if self.session is None:
            return None
        return self._intent(heard)

    def launch(self) -> dict[str, Any]:
        return self.send({"type": "LaunchRequest"})

    def intent(self, name: str, **slots: str | None) -> dict[str, Any]:
        """Send an intent directly; custom slot values are resolved against the model when a resolver is set."""
        fills = {slot: self._slot_fill(name, slot, value) for slot, value in slots.items()}
        return self.send({"type": "IntentRequest", "intent": self._intent_body(name, fills)})

    def answer_consent(self, status: str) -> dict[str, Any]:
        """The couple's answer to Alexa's permission question: ACCEPTED, DENIED or NOT_ANSWERED."""
        if self.consent is None:
            raise ValueError("Alexa is not asking for a permission")
        asked, self.consent = self.consent, None
        scope = asked["payload"]["permissionScopes"][0]["permissionScope"]
        return self.send({"type": "Connections.Response", "name": "AskFor",
                          "status": {"code": "200", "message": "OK"},
                          "payload": {"permissionScope": scope, "status": status}, "token": asked.get("token", "")})

    def end(self, reason: str = "USER_INITIATED") -> dict[str, Any] | None:
        """The session ends without the skill asking (the user walked away or said nothing twice)."""
        if self.session is None:
            return None
        return self.send({"type": "SessionEndedRequest", "reason": reason})

    # -- the envelope --

    def send(self, request: dict[str, Any]) -> dict[str, Any]:
        opened = self.session is None
        if self.session is None:
            self.session = _Session(id=f"amzn1.echo-api.session.{uuid.uuid4()}")
        request = {"requestId": f"amzn1.echo-api.request.{uuid.uuid4()}",
                   "timestamp": self.clock().astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                   "locale": self.locale, **request}
        event = {"version": "1.0", "session": self._session_body(self.session), "context": self._context(),
                 "request": request}
        try:
            response = self.endpoint(event)
        except Exception:
            if opened:  # a session the skill never answered was never open
                self.session = None
            raise
        self.last_response = response
        body = response.get("response") or {}
        self.consent = next((d for d in body.get("directives") or [] if d.get("type") == "Connections.SendRequest"
                             and d.get("name") == "AskFor"), None)
        if self.consent is not None:  # Alexa asks for the permission, then hands the session back
            self.session.attributes = response.get("sessionAttributes") or {}
            self.session.new = False
        elif request["type"] == "SessionEndedRequest" or body.get("shouldEndSession", True) is not False:
            self.session = None
        else:
            self.session.attributes = response.get("sessionAttributes") or {}
            self.session.new = False
        return response

    def _intent(self, heard: Resolution) -> dict[str, Any]:
        return self.send({"type": "IntentRequest", "intent": self._intent_body(heard.intent or FALLBACK,
                                                                                 heard.slots)})

    def _slot_fill(self, intent: str, slot: str, value: str | None) -> SlotFill | None:
        if value is None:
            return None
        return self.resolver.slot_fill(intent, slot, value) if self.resolver else SlotFill(value, "")

    def _intent_body(self, name: str, fills: Mapping[str, SlotFill | None]) -> dict[str, Any]:
        model = self.resolver.model if self.resolver else None
        declared = model.intent(name) if model else None
        names = set(declared.slots) if declared else set()
        names |= set(fills)
        slots = {slot: self._slot_body(slot, fills.get(slot)) for slot in sorted(names)}
        body: dict[str, Any] = {"name": name, "confirmationStatus": "NONE"}
        if slots:
            body["slots"] = slots
        return body

    def _slot_body(self, name: str, fill: SlotFill | None) -> dict[str, Any]:
        slot: dict[str, Any] = {"name": name, "confirmationStatus": "NONE"}
        if fill is None:
            return slot
        slot["value"] = fill.value
        slot["source"] = "USER"
        if fill.custom:
            authority = f"amzn1.er-authority.echo-sdk.{self.skill_id}.{fill.type}"
            if fill.resolved_id is not None:
                slot["resolutions"] = {"resolutionsPerAuthority": [{
                    "authority": authority, "status": {"code": "ER_SUCCESS_MATCH"},
                    "values": [{"value": {"name": fill.resolved_name, "id": fill.resolved_id}}]}]}
            else:
                slot["resolutions"] = {"resolutionsPerAuthority": [{
                    "authority": authority, "status": {"code": "ER_SUCCESS_NO_MATCH"}}]}
        return slot

    def _session_body(self, session: _Session) -> dict[str, Any]:
        return {"new": session.new, "sessionId": session.id, "application": {"applicationId": self.skill_id},
                "attributes": session.attributes, "user": {"userId": self.user_id}}

    def _context(self) -> dict[str, Any]:
        return {"System": {
            "application": {"applicationId": self.skill_id},
            "user": {"userId": self.user_id},
            "device": {"deviceId": self.device_id, "supportedInterfaces": {}},
            "apiEndpoint": self.api_endpoint,
            "apiAccessToken": "local-token",
        }}
