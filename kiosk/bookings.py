"""Every booking of every service, written one way (docs/services.md): the service's policy in
the catalogue says which rules apply; a booking is one SQLite transaction with its operation."""
from __future__ import annotations

import datetime as dt
import json
import sqlite3
import uuid
from dataclasses import dataclass, field

from elder_wire.catalogue import Service
from elder_wire.codes import LIVE, BookingStatus, sql_list
from kiosk import catalogue, outbox
from kiosk.clock import Clock
from kiosk.elders import Elder, get_elder, meal_subsidy_cents
from kiosk.errors import BookingRejected
from kiosk.leases import usable_lease
from kiosk.services import get_provider
from kiosk.slots import Slot, get_slot, slot_view
from kiosk.store import Store

MAX_NEEDS = 10


@dataclass(frozen=True)
class Booking:
    id: str
    number: str
    elder_id: str
    service: str
    slot_id: str
    mode: str
    price_cents: int
    subsidy_cents: int
    pay_cents: int
    status: str
    reason: str
    created_at: str
    lease_id: str | None = None
    kind: str = ""  # cleaning: standard / deep
    needs: tuple[str, ...] = ()  # cleaning: extra-need codes
    department: str = ""  # clinic
    units: int = 1
    provider_id: str | None = None
    waitlist_position: int | None = None  # 1 = next to move up

    @classmethod
    def from_row(cls, row) -> Booking:
        names = [name for name in cls.__dataclass_fields__ if name in row.keys()]  # noqa: SIM118 (sqlite3.Row)
        values = {name: row[name] for name in names}
        if "needs" in values:
            values["needs"] = tuple(json.loads(values["needs"] or "[]"))
        return cls(**values)


@dataclass(frozen=True)
class Quote:
    """What a confirm screen says: the booking in full, what the elder pays, and whether it
    would go on the waiting list (the slot looks full here)."""

    elder: Elder
    slot: Slot
    service: Service
    price_cents: int
    subsidy_cents: int
    units: int = 1
    mode: str = ""
    kind: str = ""
    needs: tuple[str, ...] = ()
    department: str = ""
    extra: dict = field(default_factory=dict)
    waitlisted: bool = False

    @property
    def pay_cents(self) -> int:
        return max(0, self.price_cents - self.subsidy_cents)


def booking_number(booking_id: str) -> str:
    """A short number to read out at the canteen; the UUID stays the identity."""
    plain = booking_id.replace("-", "")  # the usual spelling, read without uuid.UUID
    value = int(plain, 16) if len(plain) == 32 else uuid.UUID(booking_id).int
    digits = f"{value % 10**8:08d}"
    return f"{digits[:4]}-{digits[4:]}"


class Bookings:
    """The one booking writer: `quote` applies the service's policy to the elder's choices,
    `book` checks the slot again and writes the booking with its operation."""

    def __init__(self, store: Store, clock: Clock) -> None:
        self.store = store
        self.clock = clock

    def elder(self, elder_id: str) -> Elder:
        elder = get_elder(self.store, elder_id)
        if elder is None:
            raise BookingRejected("unknown_elder")
        if not elder.active:
            raise BookingRejected("elder_inactive")
        return elder

    def quote(self, elder: Elder, slot_id: str, mode: str = "", kind: str = "",
              needs: tuple[str, ...] | list[str] = ()) -> Quote:
        slot = get_slot(self.store, slot_id, self.clock.tz)
        if slot is None:
            raise BookingRejected("unknown_slot")
        service = catalogue.entry(self.store, slot.service)
        if service is None or not service.active or not service.known:
            raise BookingRejected("unknown_service")
        policy = service.policy
        if policy.modes and (mode not in policy.modes
                             or (mode == "delivery" and not elder.delivery_allowed)):
            raise BookingRejected("mode_not_allowed")
        if policy.requires and not elder.may(policy.requires):
            raise BookingRejected("not_allowed")
        units, extra = 1, {}
        chosen: tuple[str, ...] = ()
        if policy.units_by_kind:
            provider = get_provider(self.store, slot.provider_id or "")
            if provider is None or kind not in provider.kinds:
                raise BookingRejected("unknown_kind")
            chosen = tuple(dict.fromkeys(needs))  # kept without repeats, in the order chosen
            if any(need not in provider.needs for need in chosen) or len(chosen) > MAX_NEEDS:
                raise BookingRejected("unknown_need")
            spec = provider.kinds[kind]
            units = spec.units
            extra = {"hours": spec.hours, "kind_name": spec.name}
        price, subsidy = self.price(elder, slot, service, kind)
        view = slot_view(self.store, slot.id, elder.id, self.clock.now())
        waitlisted = policy.waitlist and view is not None and view.free_units < units
        return Quote(elder, slot, service, price, subsidy, units,
                     mode if policy.modes else "", kind if policy.units_by_kind else "", chosen,
                     slot.department if policy.one_a_day_by == "department" else "", extra,
                     waitlisted)

    def price(self, elder: Elder, slot: Slot, service: Service | None = None,
              kind: str = "") -> tuple[int, int]:
        """(price, the elder's subsidy of it): a kind's price and subsidy where the policy has
        kinds, a meal's subsidy by the elder's level, else the slot's price unsubsidised."""
        service = service or catalogue.entry(self.store, slot.service)
        if service is not None and service.policy.units_by_kind:
            provider = get_provider(self.store, slot.provider_id or "")
            spec = provider.kinds.get(kind) if provider is not None else None
            if spec is None:
                return 0, 0
            return spec.price_cents, provider.subsidy_for(elder.subsidy_level, kind)
        price = slot.price_cents or 0
        if service is not None and service.slot_kind == "meal":
            return price, min(price, meal_subsidy_cents(self.store, elder.subsidy_level))
        return price, 0

    def book(self, quote: Quote, staff_id: str | None = None) -> Booking:
        """Cut-off, duplicate, the policy's day rule, then a place: a lease's (final at once),
        a free one (待确认 until the platform answers), a waiting-list one, or BookingRejected."""
        policy = quote.service.policy
        with self.store.transaction() as conn:
            now = self.clock.now()
            if now >= quote.slot.cutoff:
                raise BookingRejected("closed")
            view = slot_view(self.store, quote.slot.id, quote.elder.id, now)
            if view is None:
                raise BookingRejected("unknown_slot")
            if view.mine or (policy.one_a_day_by and self._same_day(quote, policy.one_a_day_by)):
                raise BookingRejected("duplicate")
            lease_id = usable_lease(conn, quote.slot.id, now) if policy.escrow else None
            if lease_id is not None:
                status = BookingStatus.CONFIRMED
            elif view.free_units >= quote.units:
                status = BookingStatus.TENTATIVE
            elif policy.waitlist:
                status = BookingStatus.WAITLISTED
            else:
                raise BookingRejected("full")
            return _insert(conn, quote, status, now, staff_id, lease_id)

    def _same_day(self, quote: Quote, by: str) -> bool:
        """One live booking per elder, `by` (a department) and day."""
        if by != "department":
            return False
        return self.store.query_one(
            f"SELECT 1 FROM bookings b JOIN slots s ON s.id = b.slot_id "
            f"WHERE b.elder_id = ? AND b.service = ? AND b.department = ? AND s.day = ? "
            f"AND b.status IN {sql_list(LIVE)}",
            (quote.elder.id, quote.service.key, quote.department,
             quote.slot.day.isoformat())) is not None

    def cancel(self, booking_id: str, staff_id: str | None = None, reason: str = "") -> Booking:
        return cancel_booking(self.store, self.clock, booking_id, staff_id, reason)


def _insert(conn: sqlite3.Connection, quote: Quote, status: BookingStatus, now: dt.datetime,
            staff_id: str | None, lease_id: str | None) -> Booking:
    booking_id = str(uuid.uuid4())
    stamp = now.isoformat(timespec="seconds")
    row = {
        "id": booking_id, "number": booking_number(booking_id), "elder_id": quote.elder.id,
        "service": quote.service.key, "slot_id": quote.slot.id, "mode": quote.mode,
        "price_cents": quote.price_cents, "subsidy_cents": quote.subsidy_cents,
        "pay_cents": quote.pay_cents, "status": status.value, "reason": "", "origin": "local",
        "staff_id": staff_id, "created_at": stamp, "updated_at": stamp,
        "kind": quote.kind, "needs": json.dumps(list(quote.needs)),
        "department": quote.department, "units": quote.units,
        "provider_id": quote.slot.provider_id, "lease_id": lease_id,
    }
    try:
        conn.execute(
            f"INSERT INTO bookings ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
            tuple(row.values()))
    except sqlite3.IntegrityError as exc:  # the unique index caught a double booking
        raise BookingRejected("duplicate") from exc
    outbox.enqueue(conn, "booking.create", wire_payload(row, quote), stamp)
    return Booking.from_row(row)


def wire_payload(row: dict, quote: Quote) -> dict:
    """The booking.create payload (elder_wire.operations.BookingCreate): what the policy asked
    the elder to choose, nothing more (an older platform's closed schema refuses the rest)."""
    payload = {k: row[k] for k in ("id", "elder_id", "service", "slot_id", "price_cents",
                                   "subsidy_cents", "staff_id", "created_at")}
    policy = quote.service.policy
    if policy.modes:
        payload["mode"] = row["mode"]
    if policy.units_by_kind:
        payload["kind"], payload["needs"] = row["kind"], list(quote.needs)
    if policy.one_a_day_by == "department":
        payload["department"] = row["department"]
    if row["lease_id"]:
        payload["lease_id"] = row["lease_id"]  # the one field protocol §3.1 adds
    return payload


def cancel_deadline(slot: Slot, service: Service | None) -> dt.datetime:
    """The last moment to cancel a booking of the slot: its cut-off, or its start where the
    service's policy says so (an activity can be left until it begins)."""
    return slot.start if service is not None and service.policy.cancel_until == "start" \
        else slot.cutoff


def slot_cutoff(store: Store, slot_id: str, tz: dt.tzinfo) -> dt.datetime | None:
    """`cancel_deadline` of a slot by its id; None for a slot no longer there."""
    slot = get_slot(store, slot_id, tz)
    return None if slot is None else cancel_deadline(slot, catalogue.entry(store, slot.service))


def cancel_booking(store: Store, clock: Clock, booking_id: str, staff_id: str | None = None,
                   reason: str = "") -> Booking:
    """The one way to cancel a booking of any service: while it may still be cancelled, one
    transaction with its booking.cancel operation."""
    with store.transaction() as conn:
        row = store.query_one("SELECT * FROM bookings WHERE id = ?", (booking_id,))
        if row is None or row["status"] not in LIVE:
            raise BookingRejected("unknown_booking")
        cutoff = slot_cutoff(store, row["slot_id"], clock.tz)
        now = clock.now()
        if cutoff is not None and now >= cutoff:
            raise BookingRejected("closed")
        stamp = now.isoformat(timespec="seconds")
        conn.execute("UPDATE bookings SET status = 'cancelled', updated_at = ? WHERE id = ?",
                     (stamp, booking_id))
        payload = {"booking_id": booking_id, "staff_id": staff_id}
        if reason:
            payload["reason"] = reason[:200]
        outbox.enqueue(conn, "booking.cancel", payload, stamp)
        row = store.query_one("SELECT * FROM bookings WHERE id = ?", (booking_id,))
    return Booking.from_row(row)


def mark_moved_up(conn: sqlite3.Connection, confirmed_ids: list[str]) -> None:
    """Bookings that waited for a place and got one (the platform said so): the elder is told
    once, at her next sign-in (`moved_up`)."""
    conn.executemany("UPDATE bookings SET moved_up = 1 WHERE id = ? AND status = 'waitlisted'",
                     [(booking_id,) for booking_id in confirmed_ids])


def moved_up(store: Store, elder_id: str) -> list[Booking]:
    """The elder's bookings that moved up from the waiting list since she was last told; told
    now (the flag is cleared in the same call)."""
    rows = store.query("SELECT * FROM bookings WHERE elder_id = ? AND moved_up = 1 "
                       "AND status = 'confirmed'", (elder_id,))
    if rows:  # every sign-in asks; only news takes the write lock
        with store.transaction() as conn:
            conn.executemany("UPDATE bookings SET moved_up = 0 WHERE id = ? AND moved_up = 1",
                             [(row["id"],) for row in rows])
    return [Booking.from_row(row) for row in rows]


def booking_qr_payload(booking_id: str) -> str:
    """What a booking's QR code holds: the canteen's scanner looks the UUID up."""
    return f"EKB1:{booking_id}"


def bookings_of(store: Store, elder_id: str, limit: int = 50) -> list[Booking]:
    rows = store.query(
        "SELECT * FROM bookings WHERE elder_id = ? ORDER BY created_at DESC LIMIT ?",
        (elder_id, limit),
    )
    return [Booking.from_row(r) for r in rows]
