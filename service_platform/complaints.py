"""Complaints (意见/投诉) handled to the end: open → in progress → resolved → closed."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from service_platform import clock

DEFAULT_DAYS = 3  # a community's complaint_days unless it sets its own


def due_at(received_at: str, days: int, tz: str) -> str:
    """When a complaint received at `received_at` is due: `days` working days (Monday to
    Friday, in the community's time zone) later, at the same time of day."""
    moment = clock.parse(received_at).astimezone(ZoneInfo(tz))
    left = days
    while left > 0:
        moment += dt.timedelta(days=1)
        if moment.weekday() < 5:
            left -= 1
    return clock.stamp(moment.astimezone(dt.UTC))
