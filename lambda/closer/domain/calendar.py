"""The couple's own day: their local date from the device's time zone, and when that time zone needs a refresh.

The daily prompt changes at the household's local midnight, not UTC's. The zone comes from the Alexa settings
API, is cached on the household record, and is looked up again after a week (devices move, clocks change). Until
it is known, or if it is not a zone we know, the date is UTC's.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .household import Household

REFRESH_AFTER = timedelta(days=7)


@cache
def zone(name: str | None) -> ZoneInfo | None:
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def local_now(now: datetime, time_zone: str | None) -> datetime:
    return now.astimezone(zone(time_zone) or UTC)


def local_date(now: datetime, time_zone: str | None) -> date:
    return local_now(now, time_zone).date()


def needs_time_zone(household: Household, now: datetime) -> bool:
    return household.time_zone is None or now.timestamp() - household.time_zone_checked > REFRESH_AFTER.total_seconds()
