"""How an elder finds a slot of a service other than meals, by the kind of slot it is booked by
(elder_wire.catalogue): its days; a window of a day (上午 / 下午: cleaning, companion visits)
with its provider's kinds; its departments and the times of a day (the clinic); the sessions
of a calendar (activities). Every booking goes through the one writer (kiosk.bookings)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from kiosk.bookings import Booking, Bookings, Quote
from kiosk.clock import Clock
from kiosk.elders import Elder
from kiosk.services import CleaningKind, Provider, get_provider, provider_of
from kiosk.slots import SlotView, by_day, slot_views
from kiosk.store import Store

DAYS = 14  # today and the next 13 days
WINDOWS = ("am", "pm")


@dataclass(frozen=True)
class ServiceDay:
    day: dt.date
    slots: tuple[SlotView, ...]

    @property
    def open(self) -> bool:
        return any(v.bookable for v in self.slots)

    @property
    def booked(self) -> bool:
        return any(v.mine for v in self.slots)

    @property
    def refusal(self) -> str | None:
        """Why the day cannot be booked, as a reason code (None if it can): the elder is told
        whether it is hers already, taken by others, past its time, or not a service day."""
        if self.open:
            return None
        if self.booked:
            return "duplicate"
        if not self.slots:
            return "no_service"
        return "full" if any(not v.closed for v in self.slots) else "closed"


@dataclass(frozen=True)
class Department:
    code: str
    name: str
    doctor: str


@dataclass(frozen=True)
class KindChoice:
    kind: CleaningKind
    available: bool  # the window has enough free units for it
    pay_cents: int


class ServiceFlow:
    """One service's slots as its screens offer them, and its bookings."""

    def __init__(self, store: Store, clock: Clock, service: str) -> None:
        self.store = store
        self.clock = clock
        self.service = service
        self.writer = Bookings(store, clock)

    def provider(self) -> Provider | None:
        return provider_of(self.store, self.service)

    def days(self, elder_id: str, count: int = DAYS, department: str | None = None) \
            -> list[ServiceDay]:
        """Today and the next days, each with its slots (of a department) in time order."""
        now = self.clock.now()
        first = now.date()
        views = slot_views(self.store, self.service, first, first + dt.timedelta(count - 1),
                           elder_id, now, department)
        return [ServiceDay(day, tuple(slots))
                for day, slots in by_day(first, count, views).items()]

    def windows(self, elder_id: str, day: dt.date) -> dict[str, SlotView]:
        views = slot_views(self.store, self.service, day, day, elder_id, self.clock.now())
        return {v.slot.window: v for v in views if v.slot.window in WINDOWS}

    def kinds(self, elder: Elder, window: SlotView) -> list[KindChoice]:
        """The provider's kinds for this window: a deep clean needs two free units."""
        provider = get_provider(self.store, window.slot.provider_id or "")
        if provider is None:
            return []
        return [KindChoice(kind, window.takes(kind.units),
                           kind.price_cents - provider.subsidy_for(elder.subsidy_level, code))
                for code, kind in provider.kinds.items()]

    def departments(self) -> list[Department]:
        provider = self.provider()
        if provider is None:
            return []
        return [Department(code, d.get("name", code), d.get("doctor") or "")
                for code, d in provider.departments.items()]

    def times(self, elder_id: str, department: str | None, day: dt.date) -> list[SlotView]:
        """The slots of a day (of a department), in time order."""
        return slot_views(self.store, self.service, day, day, elder_id, self.clock.now(),
                          department)

    def quote(self, elder: Elder, slot_id: str, kind: str = "",
              needs: tuple[str, ...] | list[str] = ()) -> Quote:
        return self.writer.quote(elder, slot_id, kind=kind, needs=needs)

    def book(self, elder_id: str, slot_id: str, kind: str = "",
             needs: tuple[str, ...] | list[str] = (), staff_id: str | None = None) -> Booking:
        """Accept a booking (待确认 until the platform answers) or refuse it."""
        return self.writer.book(self.quote(self.writer.elder(elder_id), slot_id, kind, needs),
                                staff_id)
