"""Meals (助餐): the days of lunch and dinner an elder can book, and booking one through the one
booking writer (kiosk.bookings) with the way she receives it."""
from __future__ import annotations

import datetime as dt

from elder_wire.meals import MEAL_TIMES
from kiosk.bookings import Booking, Bookings, Quote
from kiosk.clock import Clock
from kiosk.elders import Elder
from kiosk.service_flows import ServiceDay
from kiosk.slots import SlotView, by_day, slot_views
from kiosk.store import Store

SERVICE = "meal"


def slot_id(day: dt.date, meal: str) -> str:
    return f"meal:{day.isoformat()}:{meal}"


def default_cutoff(day: dt.date, meal: str, lunch_cutoff: str, dinner_cutoff: str,
                   tz: dt.tzinfo) -> dt.datetime:
    hhmm = lunch_cutoff if meal == "lunch" else dinner_cutoff
    hour, minute = (int(part) for part in hhmm.split(":"))
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=tz)


def slots_between(store: Store, first: dt.date, last: dt.date, elder_id: str,
                  now: dt.datetime) -> list[SlotView]:
    """Every meal from `first` to `last` in time order, with its state and whether it is hers."""
    return slot_views(store, SERVICE, first, last, elder_id, now)


def booking_days(store: Store, elder_id: str, now: dt.datetime, days: int) -> list[ServiceDay]:
    """Today and the next days, each with its lunch and dinner."""
    first = now.date()
    views = slots_between(store, first, first + dt.timedelta(days=days - 1), elder_id, now)
    return [ServiceDay(day, tuple(slots)) for day, slots in by_day(first, days, views).items()]


def meal_end(day: dt.date, meal: str, tz: dt.tzinfo) -> dt.datetime:
    """When serving is over: a booking of the meal is done after it (protocol §10.6)."""
    return dt.datetime.combine(day, MEAL_TIMES[meal].end, tzinfo=tz)


class MealBooking:
    """A meal's choices (the slot and the way of receiving it) for the one booking writer."""

    def __init__(self, store: Store, clock: Clock) -> None:
        self.store = store
        self.clock = clock
        self.writer = Bookings(store, clock)

    def quote(self, elder: Elder, slot_id: str, mode: str) -> Quote:
        return self.writer.quote(elder, slot_id, mode=mode)

    def book(self, elder_id: str, slot_id: str, mode: str, staff_id: str | None = None) -> Booking:
        """Accept a meal booking or raise BookingRejected with the rule that said no."""
        return self.writer.book(self.quote(self.writer.elder(elder_id), slot_id, mode), staff_id)

    def cancel(self, booking_id: str, staff_id: str | None = None, reason: str = "") -> Booking:
        return self.writer.cancel(booking_id, staff_id, reason)
