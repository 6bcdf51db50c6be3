"""The couple's own space: today's prompt, how they are doing, safety, and deleting their data."""

from ..domain.conversation import Conversation
from .base import Act

HANDLERS = (
    Act(Conversation.todays_prompt, "TodaysPromptIntent"),
    Act(Conversation.progress, "ProgressIntent"),
    Act(Conversation.safety, "SafetyIntent"),
    Act(Conversation.delete_data, "DeleteDataIntent"),
)
