"""What the elder sees of a booking's state, and the nearest open meal when one did not succeed."""
from __future__ import annotations

import datetime as dt

from kiosk.bookings import Booking
from kiosk.meals import MealSlot, slots_between
from kiosk.store import Store

# 待确认 / 已确认 / 未成功 / 已取消 / 已完成
STATE_KEYS = {status: f"booking.state.{status}"
              for status in ("tentative", "confirmed", "rejected", "cancelled", "completed")}
MEAL_HOUR = {"lunch": 12, "dinner": 18}
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


def nearest_alternative(store: Store, booking: Booking, now: dt.datetime) -> MealSlot | None:
    """The open slot closest in time to the booking's, from its day on: the other meal the same
    day, then the next day's meals; later before earlier at the same distance."""
    wanted = _slot_of(booking.slot_id)
    if wanted is None:
        return None
    day, meal = wanted
    first = max(now.date(), day)  # an earlier day is no answer to "I wanted that day"
    views = slots_between(store, first, day + dt.timedelta(days=SEARCH_DAYS), booking.elder_id,
                          now)
    target = _moment(day, meal)
    candidates = [v.slot for v in views if v.bookable and v.slot.id != booking.slot_id]
    if not candidates:
        return None
    return min(candidates, key=lambda s: (abs(_moment(s.day, s.meal) - target), -s.day.toordinal()))


def _slot_of(slot_id: str) -> tuple[dt.date, str] | None:
    kind, _, rest = slot_id.partition(":")
    day, _, meal = rest.partition(":")
    try:
        return (dt.date.fromisoformat(day), meal) if kind == "meal" and meal in MEAL_HOUR \
            else None
    except ValueError:
        return None


def _moment(day: dt.date, meal: str) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(MEAL_HOUR.get(meal, 12)))
