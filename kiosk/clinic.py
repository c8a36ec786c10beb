"""Medical visits (助医) at the community health station: a department → a day → a 30-minute
slot; a doctor's home visit (上门巡诊) where the profile allows it; health-check (体检) days."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from kiosk.bookings import Booking
from kiosk.elders import Elder
from kiosk.errors import BookingRejected
from kiosk.services import (
    LIVE,
    ServiceBooking,
    ServiceQuote,
    SlotView,
    provider_of,
    slot_views,
)

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


class _StationBooking(ServiceBooking):
    """A booking at the health station: the slot's price (挂号费), no subsidy in the demo."""

    def quote(self, elder: Elder, slot_id: str) -> ServiceQuote:
        slot = self._slot(slot_id)
        return ServiceQuote(elder, slot, slot.price_cents or 0, 0,
                            department=slot.department if self.service == "clinic" else "")

    def book(self, elder_id: str, slot_id: str, staff_id: str | None = None) -> Booking:
        elder = self._elder(elder_id)
        quote = self.quote(elder, slot_id)
        self.allowed(elder)
        return self.write(quote, staff_id)

    def allowed(self, elder: Elder) -> None:
        """Profile permissions; raises BookingRejected('not_allowed')."""

    def days(self, elder_id: str, count: int = DAYS, department: str | None = None) \
            -> list[ClinicDay]:
        now = self.clock.now()
        first = now.date()
        views = slot_views(self.store, self.service, first, first + dt.timedelta(count - 1),
                           elder_id, now, department)
        return _by_day(first, count, views)


class Clinic(_StationBooking):
    service = "clinic"

    def departments(self) -> list[Department]:
        provider = provider_of(self.store, self.service)
        if provider is None:
            return []
        return [Department(code, d.get("name", code), d.get("doctor") or "")
                for code, d in provider.departments.items()]

    def times(self, elder_id: str, department: str, day: dt.date) -> list[SlotView]:
        """The department's 30-minute slots on a day, in time order."""
        return slot_views(self.store, self.service, day, day, elder_id, self.clock.now(),
                          department)

    def check(self, quote: ServiceQuote) -> None:
        # One clinic visit per department and day, as the platform rules (§3.1a).
        same = self.store.query_one(
            f"SELECT 1 FROM bookings b JOIN service_slots s ON s.id = b.slot_id "
            f"WHERE b.elder_id = ? AND b.service = 'clinic' AND b.department = ? "
            f"AND s.day = ? AND b.status IN {LIVE}",
            (quote.elder.id, quote.department, quote.slot.day.isoformat()))
        if same is not None:
            raise BookingRejected("duplicate")


class HomeVisit(_StationBooking):
    service = "home_visit"

    def allowed(self, elder: Elder) -> None:
        if not elder.home_visit_allowed:
            raise BookingRejected("not_allowed")


class HealthCheck(_StationBooking):
    service = "health_check"
