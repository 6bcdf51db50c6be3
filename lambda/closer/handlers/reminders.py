"""The daily reminder: set or change it, stop it, and Alexa's answer when it asked for the permission.

These handlers make the Reminders API call between two steps of the conversation: the conversation decides the
time and what to say; the handler only talks to the service.
"""

from ask_sdk_core.handler_input import HandlerInput

from ..alexa_api import ServiceError
from ..domain.conversation import Conversation
from ..domain.reminders import ReminderTime, ServiceFailure
from ..domain.speech import Say
from ..turn import alexa_api
from .base import Handler, slot_id, slot_text


def schedule(talk: Conversation, handler_input: HandlerInput, time: ReminderTime) -> Say:
    api = alexa_api(handler_input)
    if api is None:
        return talk.reminder_outcome(time, ServiceFailure.UNAVAILABLE)
    existing = talk.household.reminder.id if talk.household.reminder else None
    try:
        return talk.reminder_outcome(time, api.put_daily_reminder(existing, talk.reminder_request(time)))
    except ServiceError as err:
        return talk.reminder_outcome(time, err.failure)


class SetReminder(Handler):
    intents = ("SetReminderIntent",)

    def answer(self, talk: Conversation, handler_input: HandlerInput) -> Say:
        part = slot_id(handler_input, "part") or slot_text(handler_input, "part")
        plan = talk.plan_reminder(slot_text(handler_input, "time"), part)
        return plan if isinstance(plan, Say) else schedule(talk, handler_input, plan)


class PermissionAnswer(Handler):
    request_type = "Connections.Response"

    def answer(self, talk: Conversation, handler_input: HandlerInput) -> Say:
        request = handler_input.request_envelope.request
        payload = getattr(request, "payload", None) or {}
        plan = talk.permission_answer(payload.get("status"), getattr(request, "token", None))
        return plan if isinstance(plan, Say) else schedule(talk, handler_input, plan)


class StopReminder(Handler):
    intents = ("CancelReminderIntent",)

    def answer(self, talk: Conversation, handler_input: HandlerInput) -> Say:
        target = talk.reminder_to_cancel()
        if isinstance(target, Say):
            return target
        api = alexa_api(handler_input)
        try:
            if api is None:
                raise ServiceError(ServiceFailure.UNAVAILABLE, "no API endpoint in the request")
            api.delete_reminder(target)
        except ServiceError as err:
            return talk.reminder_cancelled(err.failure)
        return talk.reminder_cancelled(None)


HANDLERS = (SetReminder(), PermissionAnswer(), StopReminder())
