"""Opening the skill and getting to know the couple: launch, and the names they choose to give."""

from ask_sdk_core.handler_input import HandlerInput

from ..domain.conversation import Conversation
from ..domain.speech import Say
from .base import Act, Handler, slot_text


class GiveNames(Handler):
    intents = ("SetNamesIntent",)

    def answer(self, talk: Conversation, handler_input: HandlerInput) -> Say:
        return talk.set_names(slot_text(handler_input, "first"), slot_text(handler_input, "second"))


HANDLERS = (Act(Conversation.launch, request_type="LaunchRequest"), GiveNames())
