"""Medical visits (助医) at the community health station: a department → a day → a 30-minute
slot; a doctor's home visit (上门巡诊) where the profile allows it; health-check (体检) days."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from kiosk.bookings import Booking, Bookings, Quote
from kiosk.clock import Clock
from kiosk.elders import Elder
from kiosk.services import provider_of
from kiosk.slots import SlotView, slot_views
from kiosk.store import Store

DAYS = 14


@dataclass(frozen=True)
class Department:
    code: str
    name: str
    doctor: str


@dataclass(frozen=True)
class ClinicDay:
    day: dt.date
    slots: tuple[SlotView, ...]

    @property
    def open(self) -> bool:
        return any(v.bookable for v in self.slots)

    @property
    def booked(self) -> bool:
        return any(v.mine for v in self.slots)


def _by_day(first: dt.date, count: int, views: list[SlotView]) -> list[ClinicDay]:
    by_day: dict[dt.date, list[SlotView]] = {first + dt.timedelta(n): [] for n in range(count)}
    for view in views:
        by_day.setdefault(view.slot.day, []).append(view)
    return [ClinicDay(day, tuple(slots)) for day, slots in by_day.items()]


class StationService:
    """A service booked by a day (`day` slot kind: a home visit, a health check) or by a time of
    a day (`timed`: the clinic, by department); written by the one booking writer."""

    def __init__(self, store: Store, clock: Clock, service: str) -> None:
        self.store = store
        self.clock = clock
        self.service = service
        self.writer = Bookings(store, clock)

    def quote(self, elder: Elder, slot_id: str) -> Quote:
        return self.writer.quote(elder, slot_id)

    def book(self, elder_id: str, slot_id: str, staff_id: str | None = None) -> Booking:
        return self.writer.book(self.quote(self.writer.elder(elder_id), slot_id), staff_id)

    def days(self, elder_id: str, count: int = DAYS, department: str | None = None) \
            -> list[ClinicDay]:
        now = self.clock.now()
        first = now.date()
        views = slot_views(self.store, self.service, first, first + dt.timedelta(count - 1),
                           elder_id, now, department)
        return _by_day(first, count, views)

    def departments(self) -> list[Department]:
        provider = provider_of(self.store, self.service)
        if provider is None:
            return []
        return [Department(code, d.get("name", code), d.get("doctor") or "")
                for code, d in provider.departments.items()]

    def times(self, elder_id: str, department: str, day: dt.date) -> list[SlotView]:
        """The department's slots on a day, in time order."""
        return slot_views(self.store, self.service, day, day, elder_id, self.clock.now(),
                          department)
