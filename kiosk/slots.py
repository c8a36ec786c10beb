"""One model of a slot for every service (docs/services.md): a meal, a cleaning window, a
clinic time, an activity session — its time, its capacity, and what is left of it."""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from enum import StrEnum

from elder_wire.codes import HOLDING, LIVE, BookingStatus, sql_list
from elder_wire.meals import MEAL_TIMES
from kiosk.store import Store


@dataclass(frozen=True)
class Dish:
    name: str
    tags: tuple[str, ...]


@dataclass(frozen=True)
class Slot:
    id: str
    service: str
    provider_id: str | None
    day: dt.date
    part: str  # lunch / dinner for a meal, am / pm for a window, else ''
    department: str
    doctor: str
    title: str  # a session's name (书法)
    place: str
    host: str
    start: dt.datetime
    end: dt.datetime
    cutoff: dt.datetime
    capacity: int
    price_cents: int | None
    menu: tuple[Dish, ...] = ()

    @property
    def meal(self) -> str:  # the meal of a meal slot (lunch / dinner)
        return self.part

    @property
    def window(self) -> str:  # the window of a cleaning or visit slot (am / pm)
        return self.part

    @classmethod
    def from_row(cls, row, tz: dt.tzinfo) -> Slot:
        return cls(row["id"], row["service"], row["provider_id"],
                   dt.date.fromisoformat(row["day"]), row["part"], row["department"],
                   row["doctor"], row["title"], row["place"], row["host"],
                   moment(row["starts_at"], tz), moment(row["ends_at"], tz),
                   moment(row["cutoff"], tz), row["capacity"], row["price_cents"],
                   tuple(Dish(d["name"], tuple(d.get("tags", ()))) for d in
                         json.loads(row["menu"] or "[]")))


def moment(text: str, tz: dt.tzinfo) -> dt.datetime:
    value = dt.datetime.fromisoformat(text)
    return value if value.tzinfo else value.replace(tzinfo=tz)


class SlotState(StrEnum):
    OPEN = "open"
    CLOSED = "closed"  # past its cut-off
    FULL = "full"


@dataclass(frozen=True)
class SlotView:
    """A slot as the elder's screen shows it: open, shut or full, and whether it is hers."""

    slot: Slot
    free_units: int
    closed: bool
    mine: bool
    waiting: int = 0  # bookings on its waiting list

    def takes(self, units: int = 1) -> bool:
        return not self.closed and not self.mine and self.free_units >= units

    @property
    def bookable(self) -> bool:
        return self.takes(1)

    @property
    def full(self) -> bool:
        return self.free_units <= 0

    @property
    def state(self) -> SlotState:
        if self.closed:
            return SlotState.CLOSED
        return SlotState.FULL if self.full else SlotState.OPEN

    @property
    def refusal(self) -> str | None:
        """Why the slot cannot be booked (a reason code), or None."""
        if self.mine:
            return "duplicate"
        if self.closed:
            return "closed"
        return None if self.free_units > 0 else "full"


_VIEWS = f"""
SELECT s.*,
    (SELECT COALESCE(SUM(b.units), 0) FROM bookings b
      WHERE b.slot_id = s.id AND b.status IN {sql_list(HOLDING)}) AS used,
    (SELECT COUNT(*) FROM bookings b WHERE b.slot_id = s.id AND b.elder_id = :elder
        AND b.status IN {sql_list(LIVE)}) AS mine,
    (SELECT COUNT(*) FROM bookings b WHERE b.slot_id = s.id
        AND b.status = '{BookingStatus.WAITLISTED}') AS waiting
FROM slots s
"""


def slot_views(store: Store, service: str, first: dt.date, last: dt.date, elder_id: str,
               now: dt.datetime, department: str | None = None) -> list[SlotView]:
    """Every slot of a service from `first` to `last` in time order, with its free units."""
    rows = store.query(
        _VIEWS + """
        WHERE s.service = :service AND s.day BETWEEN :first AND :last
          AND (:department IS NULL OR s.department = :department)
        ORDER BY s.day, s.starts_at
        """,
        {"elder": elder_id, "service": service, "first": first.isoformat(),
         "last": last.isoformat(), "department": department})
    return [_view(row, now) for row in rows]


def slot_view(store: Store, slot_id: str, elder_id: str, now: dt.datetime) -> SlotView | None:
    row = store.query_one(_VIEWS + " WHERE s.id = :id", {"elder": elder_id, "id": slot_id})
    return None if row is None else _view(row, now)


def _view(row, now: dt.datetime) -> SlotView:
    slot = Slot.from_row(row, now.tzinfo)
    return SlotView(slot, max(0, slot.capacity - row["used"]), now >= slot.cutoff,
                    bool(row["mine"]), row["waiting"])


def get_slot(store: Store, slot_id: str, tz: dt.tzinfo) -> Slot | None:
    row = store.query_one("SELECT * FROM slots WHERE id = ?", (slot_id,))
    return Slot.from_row(row, tz) if row else None


def by_day(first: dt.date, count: int, views: list[SlotView]) -> dict[dt.date, list[SlotView]]:
    """`count` days from `first`, each with its slots (a day without any keeps an empty list)."""
    days: dict[dt.date, list[SlotView]] = {first + dt.timedelta(n): [] for n in range(count)}
    for view in views:
        days.setdefault(view.slot.day, []).append(view)
    return days


# --- slots as the feed carries them (protocol §5, §10.2) ----------------------------------
def meal_slot_row(data: dict) -> dict:
    """A `meal_slot` entry as a row of slots: its times are the meal's (elder_wire.meals), in
    the zone of its cut-off (the community's)."""
    day = dt.date.fromisoformat(data["day"])
    tz = dt.datetime.fromisoformat(data["cutoff"]).tzinfo
    times = MEAL_TIMES.get(data["meal"])
    start = dt.datetime.combine(day, times.start if times else dt.time(0), tzinfo=tz)
    end = dt.datetime.combine(day, times.end if times else dt.time(23, 59), tzinfo=tz)
    return {"id": data["id"], "service": "meal", "provider_id": None, "day": data["day"],
            "part": data["meal"], "department": "", "doctor": "", "title": "", "place": "",
            "host": "", "starts_at": start.isoformat(), "ends_at": end.isoformat(),
            "cutoff": data["cutoff"], "capacity": int(data["capacity"]),
            "price_cents": int(data["price_cents"]),
            "menu": json.dumps(data.get("menu") or [], ensure_ascii=False)}


def service_slot_row(data: dict) -> dict:
    """A `service_slot` entry as a row of slots; a service this kiosk does not know is kept."""
    price = data.get("price_cents")
    return {"id": data["id"], "service": data["service"], "provider_id": data["provider_id"],
            "day": data["day"], "part": data.get("window") or "",
            "department": data.get("department") or "", "doctor": data.get("doctor") or "",
            "title": data.get("title") or "", "place": data.get("place") or "",
            "host": data.get("host") or "", "starts_at": data["start"], "ends_at": data["end"],
            "cutoff": data["cutoff"], "capacity": int(data["capacity"]),
            "price_cents": None if price is None else int(price), "menu": "[]"}
