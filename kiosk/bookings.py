"""Booking a meal and reading an elder's bookings; each booking is one SQLite transaction."""
from __future__ import annotations

import datetime as dt
import json
import sqlite3
import uuid
from dataclasses import dataclass

from kiosk import outbox
from kiosk.clock import Clock
from kiosk.elders import Elder, get_elder, meal_subsidy_cents
from kiosk.errors import BookingRejected
from kiosk.leases import usable_lease
from kiosk.meals import MODES, MealSlot, booked_count, get_slot
from kiosk.store import Store


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

    @classmethod
    def from_row(cls, row) -> Booking:
        names = [name for name in cls.__dataclass_fields__ if name in row.keys()]  # noqa: SIM118 (sqlite3.Row)
        values = {name: row[name] for name in names}
        if "needs" in values:
            values["needs"] = tuple(json.loads(values["needs"] or "[]"))
        return cls(**values)


@dataclass(frozen=True)
class MealQuote:
    """What the confirm screen says: the booking in full and its price after subsidy."""

    elder: Elder
    slot: MealSlot
    mode: str
    price_cents: int
    subsidy_cents: int

    @property
    def pay_cents(self) -> int:
        return max(0, self.price_cents - self.subsidy_cents)


def booking_number(booking_id: str) -> str:
    """A short number to read out at the canteen; the UUID stays the identity."""
    digits = f"{uuid.UUID(booking_id).int % 10**8:08d}"
    return f"{digits[:4]}-{digits[4:]}"


class MealBooking:
    """The rules of booking a meal, checked and written in one transaction."""

    def __init__(self, store: Store, clock: Clock) -> None:
        self.store = store
        self.clock = clock

    def quote(self, elder: Elder, slot_id: str, mode: str) -> MealQuote:
        slot = get_slot(self.store, slot_id, self.clock.tz)
        if slot is None:
            raise BookingRejected("unknown_slot")
        if mode not in MODES:
            raise BookingRejected("mode_not_allowed")
        if mode == "delivery" and not elder.delivery_allowed:
            raise BookingRejected("mode_not_allowed")
        return MealQuote(elder, slot, mode, slot.price_cents, self.subsidy(elder, slot))

    def subsidy(self, elder: Elder, slot: MealSlot) -> int:
        """The elder's subsidy for this meal, never more than its price."""
        return min(slot.price_cents, meal_subsidy_cents(self.store, elder.subsidy_level))

    def book(self, elder_id: str, slot_id: str, mode: str, staff_id: str | None = None) -> Booking:
        """Accept a meal booking or raise BookingRejected with the rule that said no."""
        with self.store.transaction() as conn:
            elder = get_elder(self.store, elder_id)
            if elder is None:
                raise BookingRejected("unknown_elder")
            if not elder.active:
                raise BookingRejected("elder_inactive")
            quote = self.quote(elder, slot_id, mode)
            now = self.clock.now()
            if now >= quote.slot.cutoff:
                raise BookingRejected("closed")
            if self._has_live_booking(elder_id, slot_id):
                raise BookingRejected("duplicate")
            # Within a lease the platform has set the place aside for this kiosk: final at once.
            lease_id = usable_lease(conn, slot_id, now)
            if lease_id is None and booked_count(self.store, slot_id) >= quote.slot.capacity:
                raise BookingRejected("full")
            booking = self._insert(conn, quote, now, staff_id, lease_id)
        return booking

    def cancel(self, booking_id: str, staff_id: str | None = None, reason: str = "") -> Booking:
        """Cancel a live booking before its cut-off; the platform hears of it by sync."""
        return cancel_booking(self.store, self.clock, booking_id, staff_id, reason)

    def _has_live_booking(self, elder_id: str, slot_id: str) -> bool:
        return self.store.query_one(
            "SELECT 1 FROM bookings WHERE elder_id = ? AND slot_id = ? "
            "AND status IN ('tentative', 'confirmed')",
            (elder_id, slot_id),
        ) is not None

    def _insert(self, conn: sqlite3.Connection, quote: MealQuote, now: dt.datetime,
                staff_id: str | None, lease_id: str | None) -> Booking:
        booking_id = str(uuid.uuid4())
        stamp = now.isoformat(timespec="seconds")
        row = {
            "id": booking_id,
            "number": booking_number(booking_id),
            "elder_id": quote.elder.id,
            "service": "meal",
            "slot_id": quote.slot.id,
            "mode": quote.mode,
            "price_cents": quote.price_cents,
            "subsidy_cents": quote.subsidy_cents,
            "pay_cents": quote.pay_cents,
            "status": "confirmed" if lease_id else "tentative",
            "reason": "",
            "origin": "local",
            "staff_id": staff_id,
            "created_at": stamp,
            "updated_at": stamp,
            "lease_id": lease_id,
        }
        try:
            conn.execute(
                f"INSERT INTO bookings ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
                tuple(row.values()),
            )
        except sqlite3.IntegrityError as exc:  # the unique index caught a double booking
            raise BookingRejected("duplicate") from exc
        payload = {k: row[k] for k in ("id", "elder_id", "service", "slot_id", "mode",
                                       "price_cents", "subsidy_cents", "staff_id", "created_at")}
        if lease_id:
            payload["lease_id"] = lease_id  # the one field protocol §3.1 adds
        outbox.enqueue(conn, "booking.create", payload, stamp)
        return Booking.from_row(row)


def slot_cutoff(store: Store, slot_id: str, tz: dt.tzinfo) -> dt.datetime | None:
    """The last moment to book or cancel a slot of any service (meal or service slot)."""
    row = store.query_one("SELECT cutoff FROM meal_slots WHERE id = ? UNION ALL "
                          "SELECT cutoff FROM service_slots WHERE id = ?", (slot_id, slot_id))
    if row is None:
        return None
    cutoff = dt.datetime.fromisoformat(row["cutoff"])
    return cutoff if cutoff.tzinfo else cutoff.replace(tzinfo=tz)


def cancel_booking(store: Store, clock: Clock, booking_id: str, staff_id: str | None = None,
                   reason: str = "") -> Booking:
    """The one way to cancel a booking of any service: before its slot's cut-off, one
    transaction with its booking.cancel operation."""
    with store.transaction() as conn:
        row = store.query_one("SELECT * FROM bookings WHERE id = ?", (booking_id,))
        if row is None or row["status"] not in ("tentative", "confirmed"):
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


def booking_qr_payload(booking_id: str) -> str:
    """What a booking's QR code holds: the canteen's scanner looks the UUID up."""
    return f"EKB1:{booking_id}"


def bookings_of(store: Store, elder_id: str, limit: int = 50) -> list[Booking]:
    rows = store.query(
        "SELECT * FROM bookings WHERE elder_id = ? ORDER BY created_at DESC LIMIT ?",
        (elder_id, limit),
    )
    return [Booking.from_row(r) for r in rows]
