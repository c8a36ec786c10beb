"""Services booked by a day and a window of it (上午 / 下午): home cleaning (助洁) with a kind that
uses 1 or 2 of the window's team units and extra-need chips; a companion visit (探望陪伴), whose
provider has no kinds. Written by the one booking writer (kiosk.bookings)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from kiosk.bookings import Booking, Bookings, Quote
from kiosk.clock import Clock
from kiosk.elders import Elder
from kiosk.services import CleaningKind, Provider, get_provider, provider_of
from kiosk.slots import SlotView, slot_views
from kiosk.store import Store

WINDOWS = ("am", "pm")


@dataclass(frozen=True)
class CleaningDay:
    day: dt.date
    windows: tuple[SlotView, ...]

    @property
    def open(self) -> bool:
        return any(w.bookable for w in self.windows)

    @property
    def booked(self) -> bool:
        return any(w.mine for w in self.windows)

    @property
    def refusal(self) -> str | None:
        """Why the day cannot be booked, as a reason code (None if it can): the elder is told
        whether it is hers already, taken by others, past its time, or not a service day."""
        if self.open:
            return None
        if self.booked:
            return "duplicate"
        if not self.windows:
            return "no_service"
        return "full" if any(not w.closed for w in self.windows) else "closed"


@dataclass(frozen=True)
class KindChoice:
    kind: CleaningKind
    available: bool  # the window has enough free units for it
    pay_cents: int


class WindowService:
    """A service of the `window` slot kind: its days, windows, and its provider's kinds."""

    def __init__(self, store: Store, clock: Clock, service: str = "cleaning") -> None:
        self.store = store
        self.clock = clock
        self.service = service
        self.writer = Bookings(store, clock)

    def provider(self) -> Provider | None:
        return provider_of(self.store, self.service)

    def days(self, elder_id: str, count: int = 14) -> list[CleaningDay]:
        """Today and the next days, each with its morning and afternoon windows."""
        now = self.clock.now()
        first = now.date()
        by_day: dict[dt.date, list[SlotView]] = {first + dt.timedelta(n): [] for n in range(count)}
        for view in slot_views(self.store, self.service, first, first + dt.timedelta(count - 1),
                               elder_id, now):
            by_day[view.slot.day].append(view)
        return [CleaningDay(day, tuple(views)) for day, views in by_day.items()]

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

    def quote(self, elder: Elder, slot_id: str, kind: str = "",
              needs: tuple[str, ...] | list[str] = ()) -> Quote:
        return self.writer.quote(elder, slot_id, kind=kind, needs=needs)

    def book(self, elder_id: str, slot_id: str, kind: str = "",
             needs: tuple[str, ...] | list[str] = (), staff_id: str | None = None) -> Booking:
        """Accept a booking (待确认 until the platform answers) or refuse it."""
        return self.writer.book(self.quote(self.writer.elder(elder_id), slot_id, kind, needs),
                                staff_id)

