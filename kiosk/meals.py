"""Meal slots (a day's lunch or dinner): menu, cut-off, capacity and what is still open."""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from enum import StrEnum

from kiosk.store import Store

MEALS = ("lunch", "dinner")
MODES = ("dine_in", "pickup", "delivery")
DIET_TAGS = ("low_salt", "low_sugar", "soft", "halal", "vegetarian", "low_fat")
LIVE_STATUSES = ("tentative", "confirmed")
# When a meal is over (protocol §10.6): a booking is done after this hour of its day.
MEAL_END_HOUR = {"lunch": 13, "dinner": 19}


class SlotState(StrEnum):
    OPEN = "open"
    CLOSED = "closed"  # past its cut-off
    FULL = "full"


@dataclass(frozen=True)
class Dish:
    name: str
    tags: tuple[str, ...]


@dataclass(frozen=True)
class MealSlot:
    id: str
    day: dt.date
    meal: str
    cutoff: dt.datetime
    capacity: int
    price_cents: int
    menu: tuple[Dish, ...]

    @classmethod
    def from_row(cls, row, tz: dt.tzinfo) -> MealSlot:
        cutoff = dt.datetime.fromisoformat(row["cutoff"])
        return cls(
            id=row["id"],
            day=dt.date.fromisoformat(row["day"]),
            meal=row["meal"],
            cutoff=cutoff if cutoff.tzinfo else cutoff.replace(tzinfo=tz),
            capacity=row["capacity"],
            price_cents=row["price_cents"],
            menu=tuple(Dish(d["name"], tuple(d.get("tags", ()))) for d in json.loads(row["menu"])),
        )


def slot_id(day: dt.date, meal: str) -> str:
    return f"meal:{day.isoformat()}:{meal}"


def default_cutoff(day: dt.date, meal: str, lunch_cutoff: str, dinner_cutoff: str,
                   tz: dt.tzinfo) -> dt.datetime:
    hhmm = lunch_cutoff if meal == "lunch" else dinner_cutoff
    hour, minute = (int(part) for part in hhmm.split(":"))
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=tz)


def booked_count(store: Store, slot: str) -> int:
    row = store.query_one(
        "SELECT COUNT(*) AS n FROM bookings WHERE slot_id = ? AND status IN (?, ?)",
        (slot, *LIVE_STATUSES),
    )
    return row["n"]


def slot_state(slot: MealSlot, booked: int, now: dt.datetime) -> SlotState:
    if now >= slot.cutoff:
        return SlotState.CLOSED
    if booked >= slot.capacity:
        return SlotState.FULL
    return SlotState.OPEN


@dataclass(frozen=True)
class SlotView:
    slot: MealSlot
    state: SlotState
    booked_by_elder: bool

    @property
    def bookable(self) -> bool:
        return self.state is SlotState.OPEN and not self.booked_by_elder


def get_slot(store: Store, slot: str, tz: dt.tzinfo) -> MealSlot | None:
    row = store.query_one("SELECT * FROM meal_slots WHERE id = ?", (slot,))
    return MealSlot.from_row(row, tz) if row else None


def slots_between(store: Store, first: dt.date, last: dt.date, elder_id: str,
                  now: dt.datetime) -> list[SlotView]:
    """Every meal slot from `first` to `last`, with its state and whether the elder has it."""
    rows = store.query(
        """
        SELECT s.*,
            (SELECT COUNT(*) FROM bookings b
              WHERE b.slot_id = s.id AND b.status IN ('tentative', 'confirmed')) AS booked,
            (SELECT COUNT(*) FROM bookings b
              WHERE b.slot_id = s.id AND b.elder_id = :elder
                AND b.status IN ('tentative', 'confirmed')) AS mine
        FROM meal_slots s WHERE s.day BETWEEN :first AND :last ORDER BY s.day, s.meal DESC
        """,
        {"elder": elder_id, "first": first.isoformat(), "last": last.isoformat()},
    )
    views = []
    for row in rows:
        slot = MealSlot.from_row(row, now.tzinfo)
        views.append(SlotView(slot, slot_state(slot, row["booked"], now), bool(row["mine"])))
    return views


@dataclass(frozen=True)
class DayView:
    day: dt.date
    slots: tuple[SlotView, ...]

    @property
    def open(self) -> bool:
        return any(v.bookable for v in self.slots)


def booking_days(store: Store, elder_id: str, now: dt.datetime, days: int) -> list[DayView]:
    """Today and the next days, each with its lunch and dinner."""
    first = now.date()
    last = first + dt.timedelta(days=days - 1)
    by_day: dict[dt.date, list[SlotView]] = {first + dt.timedelta(n): [] for n in range(days)}
    for view in slots_between(store, first, last, elder_id, now):
        by_day[view.slot.day].append(view)
    return [DayView(day, tuple(views)) for day, views in by_day.items()]
