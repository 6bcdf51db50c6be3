"""Ways out and ways back: help, stop, pause, home, the end of a session, and anything not understood."""

from ask_sdk_core.handler_input import HandlerInput

from ..domain.conversation import Conversation
from ..domain.speech import Say
from .base import Act, Handler

# Requests Alexa sends that must be answered without speech.
SILENT_REQUESTS = frozenset({"SessionEndedRequest", "System.ExceptionEncountered"})


class Unhandled(Handler):
    """The catch-all: the fallback intent, intents this skill does not know, and requests it does not expect."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return True

    def answer(self, talk: Conversation, handler_input: HandlerInput) -> Say:
        if getattr(handler_input.request_envelope.request, "object_type", None) in SILENT_REQUESTS:
            return talk.session_ended()
        return talk.fallback()


HANDLERS = (
    Act(Conversation.help, "AMAZON.HelpIntent"),
    Act(Conversation.stop, "AMAZON.StopIntent", "AMAZON.CancelIntent"),
    Act(Conversation.pause, "AMAZON.PauseIntent"),
    Act(Conversation.home, "AMAZON.NavigateHomeIntent"),
    Unhandled(),  # last: it answers anything
)
