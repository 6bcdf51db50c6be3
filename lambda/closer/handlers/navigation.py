"""Ways out and ways back: help, stop, pause, home, the end of a session, and anything not understood."""

from ask_sdk_core.handler_input import HandlerInput

from ..domain.conversation import Conversation
from ..domain.speech import Say
from .base import Handler

# Requests Alexa sends that must be answered without speech.
SILENT_REQUESTS = frozenset({"SessionEndedRequest", "System.ExceptionEncountered"})


class Help(Handler):
    intents = ("AMAZON.HelpIntent",)

    def answer(self, talk: Conversation, handler_input: HandlerInput) -> Say:
        return talk.help()


class Stop(Handler):
    intents = ("AMAZON.StopIntent", "AMAZON.CancelIntent")

    def answer(self, talk: Conversation, handler_input: HandlerInput) -> Say:
        return talk.stop()


class Pause(Handler):
    intents = ("AMAZON.PauseIntent",)

    def answer(self, talk: Conversation, handler_input: HandlerInput) -> Say:
        return talk.pause()


class Home(Handler):
    intents = ("AMAZON.NavigateHomeIntent",)

    def answer(self, talk: Conversation, handler_input: HandlerInput) -> Say:
        return talk.home()


class Unhandled(Handler):
    """The catch-all: the fallback intent, intents this skill does not know, and requests it does not expect."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return True

    def answer(self, talk: Conversation, handler_input: HandlerInput) -> Say:
        if getattr(handler_input.request_envelope.request, "object_type", None) in SILENT_REQUESTS:
            return talk.session_ended()
        return talk.fallback()


HANDLERS = (Help(), Stop(), Pause(), Home(), Unhandled())
