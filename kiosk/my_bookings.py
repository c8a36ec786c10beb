"""我的预订: an elder's bookings of every service as cards (what, when, status in words),
which can still be cancelled, and the nearest alternative when one did not succeed."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from elder_wire.catalogue import Service
from elder_wire.codes import LIVE
from kiosk import catalogue
from kiosk.alternatives import nearest_alternative, reason_key, state_key
from kiosk.booking_text import card_text
from kiosk.bookings import Booking, cancel_booking, cancel_deadline
from kiosk.clock import Clock
from kiosk.slots import Slot, slot_views
from kiosk.store import Store

# Reasons said in words fitting any service (the reason.* family speaks of meals).
SERVICE_REASONS = frozenset({"full", "closed", "duplicate", "not_allowed", "unknown_kind",
                             "unknown_need", "not_done", "no_service", "full_deep",
                             "unknown_slot"})
PAST_DAYS = 30  # older bookings are no longer shown
SEARCH_DAYS = 14
# Status icons (assets/icons/status-*.svg): colour is never the only cue, the word comes too.
STATUS_ICON = {"tentative": "wait", "waitlisted": "wait", "confirmed": "ok", "completed": "ok",
               "rejected": "no", "cancelled": "no"}


@dataclass(frozen=True)
class Alternative:
    """A slot offered in one tap instead of a booking that did not succeed."""

    service: str
    slot_id: str
    day: dt.date
    start: dt.datetime


@dataclass(frozen=True)
class BookingCard:
    booking: Booking
    slot: Slot
    service: Service | None  # None: a service this kiosk has no catalogue entry for
    upcoming: bool
    can_cancel: bool
    alternative: Alternative | None

    @property
    def day(self) -> dt.date:
        return self.slot.day

    @property
    def start(self) -> dt.datetime:
        return self.slot.start

    @property
    def status_key(self) -> str:
        return state_key(self.booking)

    @property
    def reason_key(self) -> str | None:
        if self.booking.service != "meal" and self.booking.status == "rejected":
            return service_reason_key(self.booking.reason)
        return reason_key(self.booking)

    @property
    def icon(self) -> str:
        return STATUS_ICON.get(self.booking.status, "wait")


def service_reason_key(code: str) -> str:
    """The message key of a refusal of a cleaning or health-station booking."""
    return f"service.reason.{code}" if code in SERVICE_REASONS else "reason.other"


def describe(t, card: BookingCard) -> str:
    """The booking in a few words: 11月26日 星期四 上午 日常保洁."""
    return card_text(t, card.booking, card.slot, card.service)


class MyBookings:
    def __init__(self, store: Store, clock: Clock) -> None:
        self.store = store
        self.clock = clock

    def cards(self, elder_id: str) -> list[BookingCard]:
        """Upcoming bookings first (soonest first), then past and cancelled ones (latest first)."""
        now = self.clock.now()
        since = (now.date() - dt.timedelta(days=PAST_DAYS)).isoformat()
        rows = self.store.query(
            "SELECT b.* FROM bookings b JOIN slots s ON s.id = b.slot_id "
            "WHERE b.elder_id = ? AND s.day >= ?", (elder_id, since))
        slots = {row["id"]: Slot.from_row(row, now.tzinfo) for row in self.store.query(
            "SELECT s.* FROM slots s WHERE s.id IN (SELECT slot_id FROM bookings "
            "WHERE elder_id = ?) AND s.day >= ?", (elder_id, since))}
        services = {entry.key: entry for entry in catalogue.entries(self.store)}
        cards = [self._card(row, slots[row["slot_id"]], services.get(row["service"]), now)
                 for row in rows]
        upcoming = sorted((c for c in cards if c.upcoming), key=lambda c: c.start)
        past = sorted((c for c in cards if not c.upcoming), key=lambda c: c.start, reverse=True)
        return upcoming + past

    def card(self, elder_id: str, booking_id: str) -> BookingCard | None:
        return next((c for c in self.cards(elder_id) if c.booking.id == booking_id), None)

    def cancel(self, booking_id: str, staff_id: str | None = None) -> Booking:
        return cancel_booking(self.store, self.clock, booking_id, staff_id)

    def _card(self, row, slot: Slot, service: Service | None, now: dt.datetime) -> BookingCard:
        booking = Booking.from_row(row)
        start, end = slot.start, slot.end
        upcoming = end > now and booking.status in (*LIVE, "rejected")
        # the slot and its entry are here already: no reading them again for each card
        can_cancel = booking.status in LIVE and now < cancel_deadline(slot, service)
        alternative = self.alternative(booking, start) \
            if booking.status == "rejected" and upcoming else None
        return BookingCard(booking, slot, service, upcoming, can_cancel, alternative)

    def alternative(self, booking: Booking, wanted: dt.datetime) -> Alternative | None:
        """The nearest open slot of the same service (and department), from now on."""
        now = self.clock.now()
        if booking.service == "meal":
            slot = nearest_alternative(self.store, booking, now)
            if slot is None:
                return None
            return Alternative("meal", slot.id, slot.day, slot.start)
        views = slot_views(self.store, booking.service, now.date(),
                           now.date() + dt.timedelta(days=SEARCH_DAYS), booking.elder_id, now,
                           booking.department or None)
        open_views = [v for v in views if v.takes(booking.units) and v.slot.id != booking.slot_id]
        if not open_views:
            return None
        best = min(open_views,
                   key=lambda v: (abs(v.slot.start - wanted), -v.slot.start.timestamp()))
        return Alternative(booking.service, best.slot.id, best.slot.day, best.slot.start)
