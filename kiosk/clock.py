"""The one source of "now" for the kiosk, so tests can set the time."""
from __future__ import annotations

import datetime as dt
import time
from zoneinfo import ZoneInfo


class Clock:
    """Wall-clock time in the community's time zone."""

    def __init__(self, tz: str = "Asia/Shanghai") -> None:
        self.tz = ZoneInfo(tz)

    def now(self) -> dt.datetime:
        return dt.datetime.now(self.tz)

    def today(self) -> dt.date:
        return self.now().date()

    def monotonic(self) -> float:
        return time.monotonic()


class FixedClock(Clock):
    """A clock that stands still until a test moves it."""

    def __init__(self, now: dt.datetime | str, tz: str = "Asia/Shanghai") -> None:
        super().__init__(tz)
        self.set(now)

    def set(self, now: dt.datetime | str) -> None:
        if isinstance(now, str):
            now = dt.datetime.fromisoformat(now)
        self._now = now if now.tzinfo else now.replace(tzinfo=self.tz)
        self._mono = 1000.0

    def advance(self, **delta: float) -> None:
        step = dt.timedelta(**delta)
        self._now += step
        self._mono += step.total_seconds()

    def now(self) -> dt.datetime:
        return self._now

    def monotonic(self) -> float:
        return self._mono
