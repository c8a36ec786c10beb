"""Services beyond meals (protocol §10): providers, their slots, free units, and the one way a
cleaning, clinic, home-visit or health-check booking is written with its outbox operation."""
from __future__ import annotations

import datetime as dt
import json
import sqlite3
import uuid
from dataclasses import dataclass, field

from kiosk import outbox
from kiosk.bookings import Booking, booking_number
from kiosk.clock import Clock
from kiosk.elders import Elder, get_elder
from kiosk.errors import BookingRejected
from kiosk.store import Store

SERVICES = ("cleaning", "clinic", "home_visit", "health_check")
# Units of a slot's capacity held by these statuses (the platform counts confirmed and completed;
# this kiosk also holds back its own bookings still waiting for an answer).
HOLDING = ("tentative", "confirmed", "completed")
LIVE = ("tentative", "confirmed")


@dataclass(frozen=True)
class CleaningKind:
    code: str
    name: str
    hours: int
    units: int
    price_cents: int


@dataclass(frozen=True)
class Provider:
    id: str
    name: str
    services: tuple[str, ...]
    teams: int | None
    kinds: dict[str, CleaningKind]
    subsidy_cents: dict[str, dict[str, int]]
    needs: tuple[str, ...]
    departments: dict[str, dict]
    active: bool

    @classmethod
    def from_row(cls, row) -> Provider:
        kinds = {code: CleaningKind(code, k.get("name", code), int(k.get("hours") or 0),
                                    int(k.get("units") or 1), int(k.get("price_cents") or 0))
                 for code, k in json.loads(row["kinds"]).items()}
        return cls(row["id"], row["name"], tuple(json.loads(row["services"])), row["teams"],
                   kinds, json.loads(row["subsidy_cents"]), tuple(json.loads(row["needs"])),
                   json.loads(row["departments"]), bool(row["active"]))

    def subsidy_for(self, level: str, kind: str) -> int:
        """The elder's subsidy for a kind of cleaning, never more than its price."""
        price = self.kinds[kind].price_cents if kind in self.kinds else 0
        return min(price, int(self.subsidy_cents.get(level, {}).get(kind, 0)))


@dataclass(frozen=True)
class ServiceSlot:
    id: str
    service: str
    provider_id: str
    day: dt.date
    window: str  # am / pm for cleaning and clinic, else ''
    department: str
    doctor: str
    start: dt.datetime
    end: dt.datetime
    cutoff: dt.datetime
    capacity: int
    price_cents: int | None

    @classmethod
    def from_row(cls, row, tz: dt.tzinfo) -> ServiceSlot:
        return cls(row["id"], row["service"], row["provider_id"],
                   dt.date.fromisoformat(row["day"]), row["day_part"], row["department"],
                   row["doctor"], _moment(row["starts_at"], tz), _moment(row["ends_at"], tz),
                   _moment(row["cutoff"], tz), row["capacity"], row["price_cents"])


def _moment(text: str, tz: dt.tzinfo) -> dt.datetime:
    moment = dt.datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=tz)


@dataclass(frozen=True)
class SlotView:
    """A slot as the elder's screen shows it: open, shut or full, and whether it is hers."""

    slot: ServiceSlot
    free_units: int
    closed: bool
    mine: bool

    def takes(self, units: int = 1) -> bool:
        return not self.closed and not self.mine and self.free_units >= units

    @property
    def bookable(self) -> bool:
        return self.takes(1)

    @property
    def refusal(self) -> str | None:
        """Why the slot cannot be booked (a reason code), or None."""
        if self.mine:
            return "duplicate"
        if self.closed:
            return "closed"
        return None if self.free_units > 0 else "full"


# --- the catalogue as pulled (or seeded by the demo) ---------------------------------------
def provider_row(data: dict, stamp: str) -> dict:
    return {"id": data["id"], "name": data.get("name") or data["id"],
            "services": json.dumps(list(data.get("services") or []), ensure_ascii=False),
            "teams": data.get("teams"),
            "kinds": json.dumps(data.get("kinds") or {}, ensure_ascii=False),
            "subsidy_cents": json.dumps(data.get("subsidy_cents") or {}, ensure_ascii=False),
            "needs": json.dumps(list(data.get("needs") or []), ensure_ascii=False),
            "departments": json.dumps(data.get("departments") or {}, ensure_ascii=False),
            "active": int(bool(data.get("active", True))), "updated_at": stamp}


def service_slot_row(data: dict) -> dict:
    price = data.get("price_cents")
    return {"id": data["id"], "service": data["service"], "provider_id": data["provider_id"],
            "day": data["day"], "day_part": data.get("window") or "",
            "department": data.get("department") or "", "doctor": data.get("doctor") or "",
            "starts_at": data["start"], "ends_at": data["end"], "cutoff": data["cutoff"],
            "capacity": int(data["capacity"]), "price_cents": None if price is None else int(price)}


def get_provider(store: Store, provider_id: str) -> Provider | None:
    row = store.query_one("SELECT * FROM providers WHERE id = ?", (provider_id,))
    return Provider.from_row(row) if row else None


def provider_of(store: Store, service: str) -> Provider | None:
    """The community's active provider of a service (the first by id, as the platform does)."""
    for row in store.query("SELECT * FROM providers WHERE active = 1 ORDER BY id"):
        provider = Provider.from_row(row)
        if service in provider.services:
            return provider
    return None


def get_service_slot(store: Store, slot_id: str, tz: dt.tzinfo) -> ServiceSlot | None:
    row = store.query_one("SELECT * FROM service_slots WHERE id = ?", (slot_id,))
    return ServiceSlot.from_row(row, tz) if row else None


def slot_views(store: Store, service: str, first: dt.date, last: dt.date, elder_id: str,
               now: dt.datetime, department: str | None = None) -> list[SlotView]:
    """Every slot of a service from `first` to `last` in time order, with its free units."""
    rows = store.query(
        f"""
        SELECT s.*,
            (SELECT COALESCE(SUM(b.units), 0) FROM bookings b
              WHERE b.slot_id = s.id AND b.status IN {HOLDING}) AS used,
            (SELECT COUNT(*) FROM bookings b WHERE b.slot_id = s.id AND b.elder_id = :elder
                AND b.status IN {LIVE}) AS mine
        FROM service_slots s
        WHERE s.service = :service AND s.day BETWEEN :first AND :last
          AND (:department IS NULL OR s.department = :department)
        ORDER BY s.day, s.starts_at
        """,
        {"elder": elder_id, "service": service, "first": first.isoformat(),
         "last": last.isoformat(), "department": department},
    )
    views = []
    for row in rows:
        slot = ServiceSlot.from_row(row, now.tzinfo)
        views.append(SlotView(slot, max(0, slot.capacity - row["used"]), now >= slot.cutoff,
                              bool(row["mine"])))
    return views


def slot_view(store: Store, slot_id: str, elder_id: str, now: dt.datetime) -> SlotView | None:
    slot = get_service_slot(store, slot_id, now.tzinfo)
    if slot is None:
        return None
    views = slot_views(store, slot.service, slot.day, slot.day, elder_id, now)
    return next((v for v in views if v.slot.id == slot_id), None)


# --- writing a booking -----------------------------------------------------------------------
@dataclass(frozen=True)
class ServiceQuote:
    """What a confirm screen says: the booking in full and what the elder pays."""

    elder: Elder
    slot: ServiceSlot
    price_cents: int
    subsidy_cents: int
    units: int = 1
    kind: str = ""
    needs: tuple[str, ...] = ()
    department: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def pay_cents(self) -> int:
        return max(0, self.price_cents - self.subsidy_cents)


class ServiceBooking:
    """The rules every service shares, checked and written in one transaction; each service
    module adds its own checks through `check`."""

    service = ""

    def __init__(self, store: Store, clock: Clock) -> None:
        self.store = store
        self.clock = clock

    def _elder(self, elder_id: str) -> Elder:
        elder = get_elder(self.store, elder_id)
        if elder is None:
            raise BookingRejected("unknown_elder")
        if not elder.active:
            raise BookingRejected("elder_inactive")
        return elder

    def _slot(self, slot_id: str) -> ServiceSlot:
        slot = get_service_slot(self.store, slot_id, self.clock.tz)
        if slot is None or slot.service != self.service:
            raise BookingRejected("unknown_slot")
        return slot

    def check(self, quote: ServiceQuote) -> None:
        """Service-specific rules (e.g. one clinic visit per department and day)."""

    def write(self, quote: ServiceQuote, staff_id: str | None) -> Booking:
        """Cut-off, duplicate and capacity, then the booking and its operation together."""
        with self.store.transaction() as conn:
            now = self.clock.now()
            if now >= quote.slot.cutoff:
                raise BookingRejected("closed")
            view = slot_view(self.store, quote.slot.id, quote.elder.id, now)
            if view is not None and view.mine:
                raise BookingRejected("duplicate")
            self.check(quote)
            if view is None or view.free_units < quote.units:
                raise BookingRejected("full")
            return _insert(conn, self.service, quote, now, staff_id)


def _insert(conn: sqlite3.Connection, service: str, quote: ServiceQuote, now: dt.datetime,
            staff_id: str | None) -> Booking:
    booking_id = str(uuid.uuid4())
    stamp = now.isoformat(timespec="seconds")
    row = {
        "id": booking_id, "number": booking_number(booking_id), "elder_id": quote.elder.id,
        "service": service, "slot_id": quote.slot.id, "mode": "",
        "price_cents": quote.price_cents, "subsidy_cents": quote.subsidy_cents,
        "pay_cents": quote.pay_cents, "status": "tentative", "reason": "", "origin": "local",
        "staff_id": staff_id, "created_at": stamp, "updated_at": stamp,
        "kind": quote.kind, "needs": json.dumps(list(quote.needs)),
        "department": quote.department, "units": quote.units,
        "provider_id": quote.slot.provider_id,
    }
    try:
        conn.execute(
            f"INSERT INTO bookings ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
            tuple(row.values()))
    except sqlite3.IntegrityError as exc:  # the unique index caught a double booking
        raise BookingRejected("duplicate") from exc
    outbox.enqueue(conn, "booking.create", booking_payload(row), stamp)
    return Booking.from_row(row)


def booking_payload(row: dict) -> dict:
    """Exactly the fields protocol §3.1a lists for the booking's service (closed schemas)."""
    names = ["id", "elder_id", "service", "slot_id", "price_cents", "subsidy_cents",
             "staff_id", "created_at"]
    payload = {name: row[name] for name in names}
    if row["service"] == "cleaning":
        payload["kind"] = row["kind"]
        payload["needs"] = json.loads(row["needs"])
    elif row["service"] == "clinic":
        payload["department"] = row["department"]
    return payload

