"""Doing an exercise: choosing one, moving through its steps, answering its questions, picking it up again."""

from ask_sdk_core.handler_input import HandlerInput

from ..domain.conversation import Conversation
from ..domain.speech import Say
from .base import Act, Handler, slot_id, slot_text


class StartExercise(Handler):
    intents = ("StartExerciseIntent",)

    def answer(self, talk: Conversation, handler_input: HandlerInput) -> Say:
        exercise_id = slot_id(handler_input, "exercise")
        if exercise_id is None:  # no entity resolution (a test console, an older model): match the words
            spoken = slot_text(handler_input, "exercise")
            named = talk.catalogue.exercise_named(spoken) if spoken else None
            exercise_id = named.id if named else None
        return talk.start_exercise(exercise_id)


HANDLERS = (
    StartExercise(),
    Act(Conversation.list_exercises, "ListExercisesIntent"),
    Act(Conversation.resume, "ContinueIntent", "AMAZON.ResumeIntent"),
    Act(Conversation.next, "AMAZON.NextIntent"),
    Act(Conversation.yes, "AMAZON.YesIntent"),
    Act(Conversation.no, "AMAZON.NoIntent"),
    Act(Conversation.repeat, "AMAZON.RepeatIntent"),
    Act(Conversation.start_over, "AMAZON.StartOverIntent"),
)
