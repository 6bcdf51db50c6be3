"""Request handlers: thin, one module per area of the conversation. Each reads the request, asks the
conversation for an answer and renders it. The order of `ALL` matters: the first handler that can answer does."""

from ask_sdk_core.dispatch_components import AbstractRequestHandler

from . import exercises, navigation, opening, reminders, wellbeing

ALL: tuple[AbstractRequestHandler, ...] = (
    *opening.HANDLERS,
    *exercises.HANDLERS,
    *wellbeing.HANDLERS,
    *reminders.HANDLERS,
    *navigation.HANDLERS,  # last: it ends with the catch-all for anything unknown
)
