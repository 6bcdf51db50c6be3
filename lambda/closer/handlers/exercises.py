"""Doing an exercise: choosing one, moving through its steps, answering its questions, picking it up again."""

from ask_sdk_core.handler_input import HandlerInput

from ..domain.conversation import Conversation
from ..domain.speech import Say
from .base import Handler, slot_id, slot_text


class StartExercise(Handler):
    intents = ("StartExerciseIntent",)

    def answer(self, talk: Conversation, handler_input: HandlerInput) -> Say:
        exercise_id = slot_id(handler_input, "exercise")
        if exercise_id is None:  # no entity resolution (a test console, an older model): match the words
            spoken = slot_text(handler_input, "exercise")
            named = talk.catalogue.exercise_named(spoken) if spoken else None
            exercise_id = named.id if named else None
        return talk.start_exercise(exercise_id)


class ListExercises(Handler):
    intents = ("ListExercisesIntent",)

    def answer(self, talk: Conversation, handler_input: HandlerInput) -> Say:
        return talk.list_exercises()


class Continue(Handler):
    intents = ("ContinueIntent", "AMAZON.ResumeIntent")

    def answer(self, talk: Conversation, handler_input: HandlerInput) -> Say:
        return talk.resume()


class Next(Handler):
    intents = ("AMAZON.NextIntent",)

    def answer(self, talk: Conversation, handler_input: HandlerInput) -> Say:
        return talk.next()


class Yes(Handler):
    intents = ("AMAZON.YesIntent",)

    def answer(self, talk: Conversation, handler_input: HandlerInput) -> Say:
        return talk.yes()


class No(Handler):
    intents = ("AMAZON.NoIntent",)

    def answer(self, talk: Conversation, handler_input: HandlerInput) -> Say:
        return talk.no()


class Repeat(Handler):
    intents = ("AMAZON.RepeatIntent",)

    def answer(self, talk: Conversation, handler_input: HandlerInput) -> Say:
        return talk.repeat()


class StartOver(Handler):
    intents = ("AMAZON.StartOverIntent",)

    def answer(self, talk: Conversation, handler_input: HandlerInput) -> Say:
        return talk.start_over()


HANDLERS = (StartExercise(), ListExercises(), Continue(), Next(), Yes(), No(), Repeat(), StartOver())
