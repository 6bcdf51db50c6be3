"""The shape every handler shares: match a request type or intent names, then answer through the conversation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_intent_name, is_request_type
from ask_sdk_model import Response

from ..domain.conversation import Conversation
from ..domain.speech import Say
from ..turn import answer, conversation


class Handler(AbstractRequestHandler):
    request_type = "IntentRequest"
    intents: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        """How tools (closer lint) name this handler."""
        return type(self).__name__

    def can_handle(self, handler_input: HandlerInput) -> bool:
        if self.intents:
            return any(is_intent_name(name)(handler_input) for name in self.intents)
        return bool(is_request_type(self.request_type)(handler_input))

    def handle(self, handler_input: HandlerInput) -> Response:
        return answer(handler_input, self.answer(conversation(handler_input), handler_input))

    def answer(self, talk: Conversation, handler_input: HandlerInput) -> Say:
        raise NotImplementedError


class Act(Handler):
    """A handler whose whole answer is one act of the conversation, with nothing to read from the request."""

    def __init__(self, act: Callable[[Conversation], Say], *intents: str, request_type: str = "IntentRequest") -> None:
        self.act = act
        self.intents = intents
        self.request_type = request_type

    @property
    def name(self) -> str:
        return f"Conversation.{self.act.__name__}"

    def answer(self, talk: Conversation, handler_input: HandlerInput) -> Say:
        return self.act(talk)


def slot_text(handler_input: HandlerInput, name: str) -> str | None:
    """What the couple said for a slot, or None when the slot is missing or empty."""
    slot = _slot(handler_input, name)
    value = getattr(slot, "value", None)
    return value.strip() or None if isinstance(value, str) else None


def slot_id(handler_input: HandlerInput, name: str) -> str | None:
    """The id entity resolution matched for a custom slot, or None when nothing matched."""
    resolutions = getattr(getattr(_slot(handler_input, name), "resolutions", None), "resolutions_per_authority", None)
    for authority in resolutions or ():
        status = getattr(getattr(authority.status, "code", None), "value", None)
        if status == "ER_SUCCESS_MATCH" and authority.values:
            identifier: str | None = authority.values[0].value.id
            return identifier
    return None


def _slot(handler_input: HandlerInput, name: str) -> Any:
    request = handler_input.request_envelope.request
    slots = getattr(getattr(request, "intent", None), "slots", None) or {}
    return slots.get(name)
