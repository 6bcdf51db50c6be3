"""The daily reminder: what time the couple asked for, and the exact request the Reminders API is sent.

Reminders speak discreet text at the chosen local time every day (devices are shared); they tell the couple what
to say to hear the prompt. Asking for the permission follows Alexa's guidance: after a "no", not again for a week.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from typing import Any

from .calendar import local_now
from .household import Household

PERMISSION_SCOPE = "alexa::alerts:reminders:skill:readwrite"
ASK_AGAIN_AFTER = timedelta(days=7)
TOKEN_PREFIX = "daily-reminder@"

# "Remind us every evening" with no time: a sensible hour for each part of the day.
DAY_PARTS = {"MO": (8, 0), "AF": (15, 0), "EV": (20, 0), "NI": (21, 0)}
PART_NAMES = {"morning": "MO", "afternoon": "AF", "evening": "EV", "night": "NI"}


class ServiceFailure(Enum):
    """Why an Alexa service call did not work, as far as the conversation cares."""

    NO_PERMISSION = "no_permission"  # 401 or 403: the couple has not allowed reminders
    UNAVAILABLE = "unavailable"  # anything else: timeouts, 5xx, unreachable, unexpected answers


@dataclass(frozen=True)
class ReminderTime:
    hour: int
    minute: int

    @property
    def text(self) -> str:
        return f"{self.hour:02d}:{self.minute:02d}"

    @property
    def spoken(self) -> str:
        hour = self.hour % 12 or 12
        minutes = f":{self.minute:02d}" if self.minute else ""
        return f"{hour}{minutes} {'AM' if self.hour < 12 else 'PM'}"

    @classmethod
    def parse(cls, text: str | None) -> ReminderTime | None:
        match = re.fullmatch(r"(\d{1,2}):(\d{2})", text or "")
        if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
            return None
        return cls(int(match.group(1)), int(match.group(2)))


def reminder_time(time_value: str | None, part: str | None) -> ReminderTime | None:
    """The time the couple asked for, from the AMAZON.TIME slot ("20:00", "EV") and the part of the day.

    "Every evening at eight" arrives as part=evening, time=08:00: an evening ritual means 8 PM.
    """
    part_code = PART_NAMES.get((part or "").lower())
    if time_value in DAY_PARTS:
        return ReminderTime(*DAY_PARTS[time_value])
    parsed = ReminderTime.parse(time_value)
    if parsed is None:
        return ReminderTime(*DAY_PARTS[part_code]) if part_code and not time_value else None
    if part_code in ("AF", "EV", "NI") and parsed.hour < 12 and not (part_code == "NI" and parsed.hour < 4):
        return ReminderTime(parsed.hour + 12, parsed.minute)
    return parsed


def may_ask_permission(household: Household, now: datetime) -> bool:
    return now.timestamp() - household.reminder_denied_at >= ASK_AGAIN_AFTER.total_seconds()


def consent_token(time: ReminderTime) -> str:
    return TOKEN_PREFIX + time.text


def time_from_token(token: str | None) -> ReminderTime | None:
    if not token or not token.startswith(TOKEN_PREFIX):
        return None
    return ReminderTime.parse(token.removeprefix(TOKEN_PREFIX))


def reminder_request(time: ReminderTime, time_zone: str, locale: str, text: str, now: datetime) -> dict[str, Any]:
    """The Reminders API body for a daily reminder at `time` in the household's zone, starting at the next one."""
    local = local_now(now, time_zone).replace(tzinfo=None)
    first = local.replace(hour=time.hour, minute=time.minute, second=0, microsecond=0)
    if first <= local:
        first += timedelta(days=1)
    stamp = "%Y-%m-%dT%H:%M:%S.000"
    return {
        "requestTime": local.strftime(stamp),
        "trigger": {
            "type": "SCHEDULED_ABSOLUTE",
            "scheduledTime": first.strftime(stamp),
            "timeZoneId": time_zone,
            "recurrence": {
                "startDateTime": first.strftime(stamp),
                "recurrenceRules": [f"FREQ=DAILY;BYHOUR={time.hour};BYMINUTE={time.minute};BYSECOND=0;INTERVAL=1;"],
            },
        },
        "alertInfo": {"spokenInfo": {"content": [{"locale": locale, "text": text}]}},
        "pushNotification": {"status": "ENABLED"},
    }
