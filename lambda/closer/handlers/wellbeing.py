"""The couple's own space: today's prompt, how they are doing, safety, and deleting their data."""

from ask_sdk_core.handler_input import HandlerInput

from ..domain.conversation import Conversation
from ..domain.speech import Say
from .base import Handler


class TodaysPrompt(Handler):
    intents = ("TodaysPromptIntent",)

    def answer(self, talk: Conversation, handler_input: HandlerInput) -> Say:
        return talk.todays_prompt()


class Progress(Handler):
    intents = ("ProgressIntent",)

    def answer(self, talk: Conversation, handler_input: HandlerInput) -> Say:
        return talk.progress()


class Safety(Handler):
    intents = ("SafetyIntent",)

    def answer(self, talk: Conversation, handler_input: HandlerInput) -> Say:
        return talk.safety()


class DeleteData(Handler):
    intents = ("DeleteDataIntent",)

    def answer(self, talk: Conversation, handler_input: HandlerInput) -> Say:
        return talk.delete_data()


HANDLERS = (TodaysPrompt(), Progress(), Safety(), DeleteData())
