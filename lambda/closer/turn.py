"""One request's turn: the interceptors that open it (read the household once) and close it (write it once).

The request interceptor builds the `Conversation` for the request; handlers ask it for an answer and hand that to
`answer()`; the response interceptor stores what changed. Response interceptors do not run when an exception
handler answers (see the SDK), which is what we want: a failed turn changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, cast

from ask_sdk_core.dispatch_components import AbstractRequestInterceptor, AbstractResponseInterceptor
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response

from . import render
from .domain.catalogue import DEFAULT_LOCALE, Catalogue
from .domain.conversation import Conversation, Session
from .domain.speech import Say
from .store.keeper import HouseholdKeeper, Opened, Outcome

_TURN = "closer.turn"


@dataclass
class Turn:
    conversation: Conversation
    opened: Opened
    now: datetime
    said: Say | None = None


def _turn(handler_input: HandlerInput) -> Turn | None:
    return cast(Turn | None, handler_input.attributes_manager.request_attributes.get(_TURN))


def conversation(handler_input: HandlerInput) -> Conversation:
    turn = _turn(handler_input)
    if turn is None:
        raise LookupError("no turn was opened for this request")
    return turn.conversation


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
    def __init__(self, keeper: HouseholdKeeper, catalogue: Catalogue) -> None:
        self.keeper = keeper
        self.catalogue = catalogue

    def process(self, handler_input: HandlerInput) -> None:
        envelope = handler_input.request_envelope
        attributes: dict[str, Any] = handler_input.attributes_manager.session_attributes or {}
        now = request_time(handler_input)
        user_id = getattr(getattr(getattr(envelope.context, "system", None), "user", None), "user_id", None)
        if not isinstance(user_id, str) or not user_id:
            raise ValueError("the request names no Alexa user")
        opened = self.keeper.open(user_id, attributes, now)
        one_shot = bool(envelope.session and envelope.session.new) and \
            getattr(envelope.request, "object_type", None) == "IntentRequest"
        talk = Conversation(self.catalogue, opened.household, Session.from_json(attributes.get("session")),
                            now, locale_of(handler_input), one_shot=one_shot)
        handler_input.attributes_manager.request_attributes[_TURN] = Turn(talk, opened, now)


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
