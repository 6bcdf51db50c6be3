"""One request's turn: the interceptors that open it (read the household once) and close it (write it once).

The request interceptor builds the `Conversation` for the request (looking up the device's time zone when the
household's is unknown or a week old, at the start of a session); handlers ask it for an answer and hand that to
`answer()`; the response interceptor stores what changed. Response interceptors do not run when an exception
handler answers (see the SDK), which is what we want: a failed turn changes nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, cast

from ask_sdk_core.dispatch_components import AbstractRequestInterceptor, AbstractResponseInterceptor
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import RequestEnvelope, Response

from . import render
from .alexa_api import DEFAULT_TIMEOUT, AlexaApi, ServiceError
from .domain.calendar import local_date, needs_time_zone
from .domain.catalogue import DEFAULT_LOCALE, Catalogue
from .domain.conversation import Conversation, Session
from .domain.household import Household
from .domain.speech import Say
from .store.keeper import HouseholdKeeper, Opened, Outcome

_TURN = "closer.turn"
log = logging.getLogger(__name__)


@dataclass
class Turn:
    conversation: Conversation
    opened: Opened
    now: datetime
    api: AlexaApi | None = None
    said: Say | None = None


def _turn(handler_input: HandlerInput) -> Turn | None:
    return cast(Turn | None, handler_input.attributes_manager.request_attributes.get(_TURN))


def conversation(handler_input: HandlerInput) -> Conversation:
    turn = _turn(handler_input)
    if turn is None:
        raise LookupError("no turn was opened for this request")
    return turn.conversation


def alexa_api(handler_input: HandlerInput) -> AlexaApi | None:
    """The Alexa service API for this request (None when the request carries no endpoint or token)."""
    turn = _turn(handler_input)
    return turn.api if turn else None


def answer(handler_input: HandlerInput, say: Say) -> Response:
    """Render `say` as this turn's response (and remember it, in case the save needs a word added)."""
    turn = _turn(handler_input)
    if turn is not None:
        turn.said = say
    return render.response(say)


def request_time(handler_input: HandlerInput) -> datetime:
    stamp = getattr(handler_input.request_envelope.request, "timestamp", None)
    if not isinstance(stamp, datetime):
        return datetime.now(UTC)
    return stamp.replace(tzinfo=UTC) if stamp.tzinfo is None else stamp.astimezone(UTC)


def locale_of(handler_input: HandlerInput) -> str:
    return getattr(handler_input.request_envelope.request, "locale", None) or DEFAULT_LOCALE


class OpenTurn(AbstractRequestInterceptor):
    def __init__(self, keeper: HouseholdKeeper, catalogue: Catalogue, api_timeout: float = DEFAULT_TIMEOUT) -> None:
        self.keeper = keeper
        self.catalogue = catalogue
        self.api_timeout = api_timeout

    def process(self, handler_input: HandlerInput) -> None:
        envelope = handler_input.request_envelope
        attributes: dict[str, Any] = handler_input.attributes_manager.session_attributes or {}
        now = request_time(handler_input)
        user_id = getattr(getattr(getattr(envelope.context, "system", None), "user", None), "user_id", None)
        if not isinstance(user_id, str) or not user_id:
            raise ValueError("the request names no Alexa user")
        opened = self.keeper.open(user_id, attributes, now)
        new_session = bool(envelope.session and envelope.session.new)
        one_shot = new_session and getattr(envelope.request, "object_type", None) == "IntentRequest"
        api = AlexaApi.for_request(envelope, self.api_timeout)
        household = opened.household
        if new_session and api is not None and needs_time_zone(household, now):
            household = self._with_time_zone(household, api, envelope, now)
        talk = Conversation(self.catalogue, household, Session.from_json(attributes.get("session")), now,
                            locale_of(handler_input), one_shot=one_shot,
                            today=local_date(now, household.time_zone))
        handler_input.attributes_manager.request_attributes[_TURN] = Turn(talk, opened, now, api)

    @staticmethod
    def _with_time_zone(household: Household, api: AlexaApi, envelope: RequestEnvelope, now: datetime) -> Household:
        device_id = getattr(getattr(getattr(envelope.context, "system", None), "device", None), "device_id", None)
        if not device_id:
            return household
        try:
            zone = api.time_zone(device_id)
        except ServiceError as err:  # UTC for now; try again next session
            log.warning("time zone lookup failed: %s", err)
            return household
        return replace(household, time_zone=zone, time_zone_checked=int(now.timestamp()))


class CloseTurn(AbstractResponseInterceptor):
    def __init__(self, keeper: HouseholdKeeper, catalogue: Catalogue) -> None:
        self.keeper = keeper
        self.catalogue = catalogue

    def process(self, handler_input: HandlerInput, response: Response) -> None:
        turn = _turn(handler_input)
        if turn is None:
            return
        talk = turn.conversation
        attributes = handler_input.attributes_manager.session_attributes
        if attributes is None:  # a request without a session (none in this skill), nothing to carry
            attributes = {}
        attributes["session"] = talk.session.to_json()
        outcome = self.keeper.close(turn.opened, talk.household, talk.forget, attributes, turn.now)
        if turn.said is None or not turn.said.speech:
            return
        if outcome is Outcome.SAVE_FAILED:
            amended = replace(turn.said, speech=(*turn.said.speech, self._line("save_failed", handler_input)))
        elif outcome is Outcome.DELETE_FAILED:
            amended = Say.ask(self._line("delete_failed", handler_input),
                              reprompt=self._line("menu_reprompt", handler_input))
        else:
            return
        fresh = render.response(amended)
        response.output_speech, response.reprompt = fresh.output_speech, fresh.reprompt
        response.should_end_session = fresh.should_end_session

    def _line(self, key: str, handler_input: HandlerInput) -> str:
        return self.catalogue.line(key, locale_of(handler_input))
