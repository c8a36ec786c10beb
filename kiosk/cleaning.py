"""Home cleaning (助洁): a day, a window (上午 / 下午), a kind that uses 1 or 2 of the window's
team units, extra-need chips, and the price after subsidy."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from kiosk.bookings import Booking
from kiosk.elders import Elder
from kiosk.errors import BookingRejected
from kiosk.services import (
    CleaningKind,
    Provider,
    ServiceBooking,
    ServiceQuote,
    SlotView,
    get_provider,
    provider_of,
    slot_views,
)

WINDOWS = ("am", "pm")
MAX_NEEDS = 10


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


class Cleaning(ServiceBooking):
    service = "cleaning"

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
        provider = get_provider(self.store, window.slot.provider_id)
        if provider is None:
            return []
        return [KindChoice(kind, window.takes(kind.units),
                           kind.price_cents - provider.subsidy_for(elder.subsidy_level, code))
                for code, kind in provider.kinds.items()]

    def quote(self, elder: Elder, slot_id: str, kind: str,
              needs: tuple[str, ...] | list[str] = ()) -> ServiceQuote:
        slot = self._slot(slot_id)
        provider = get_provider(self.store, slot.provider_id)
        if provider is None or kind not in provider.kinds:
            raise BookingRejected("unknown_kind")
        chosen = tuple(dict.fromkeys(needs))  # stored without repeats, in the order chosen
        if any(need not in provider.needs for need in chosen) or len(chosen) > MAX_NEEDS:
            raise BookingRejected("unknown_need")
        spec = provider.kinds[kind]
        return ServiceQuote(elder, slot, spec.price_cents,
                            provider.subsidy_for(elder.subsidy_level, kind), units=spec.units,
                            kind=kind, needs=chosen, extra={"hours": spec.hours,
                                                            "kind_name": spec.name})

    def book(self, elder_id: str, slot_id: str, kind: str, needs: tuple[str, ...] | list[str] = (),
             staff_id: str | None = None) -> Booking:
        """Accept a cleaning booking (待确认 until the platform answers) or refuse it."""
        elder = self._elder(elder_id)
        return self.write(self.quote(elder, slot_id, kind, needs), staff_id)
