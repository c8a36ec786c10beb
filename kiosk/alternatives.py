"""What the elder sees of a booking's state, and the nearest open meal when one did not succeed."""
from __future__ import annotations

import datetime as dt

from elder_wire.codes import BookingStatus
from kiosk.bookings import Booking
from kiosk.meals import slots_between
from kiosk.slots import Slot, get_slot
from kiosk.store import Store

# 待确认 / 已确认 / 未成功 / 已取消 / 已完成
STATE_KEYS = {status: f"booking.state.{status}" for status in BookingStatus}
SEARCH_DAYS = 7


def state_key(booking: Booking) -> str:
    return STATE_KEYS.get(booking.status, "booking.state.tentative")


def reason_key(booking: Booking) -> str | None:
    """The plain-words reason of a booking that did not succeed (reason.* keys)."""
    if booking.status != "rejected":
        return None
    known = {"full", "closed", "duplicate", "elder_inactive", "unknown_slot", "unknown_elder",
             "mode_not_allowed", "unknown_booking", "sync_failed"}
    return f"reason.{booking.reason}" if booking.reason in known else "reason.other"


def nearest_alternative(store: Store, booking: Booking, now: dt.datetime) -> Slot | None:
    """The open meal closest in time to the booking's, from its day on: the other meal the same
    day, then the next day's meals; later before earlier at the same distance."""
    wanted = get_slot(store, booking.slot_id, now.tzinfo)
    if wanted is None or wanted.service != "meal":
        return None
    first = max(now.date(), wanted.day)  # an earlier day is no answer to "I wanted that day"
    views = slots_between(store, first, wanted.day + dt.timedelta(days=SEARCH_DAYS),
                          booking.elder_id, now)
    candidates = [v.slot for v in views if v.bookable and v.slot.id != booking.slot_id]
    if not candidates:
        return None
    return min(candidates, key=lambda s: (abs(s.start - wanted.start), -s.day.toordinal()))
