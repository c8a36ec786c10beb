"""Ratings (服务评价): the next sign-in after a service is done asks once; one rating per
booking; 不满意 may become a complaint (kiosk/complaints.py)."""
from __future__ import annotations

import datetime as dt
import json
import sqlite3
import uuid

from kiosk import outbox
from kiosk.bookings import Booking
from kiosk.clock import Clock
from kiosk.errors import BookingRejected
from kiosk.slots import get_slot
from kiosk.store import Store

SCORES = ("satisfied", "neutral", "unsatisfied")
ASK_WITHIN = dt.timedelta(days=14)  # a service longer ago than this is not asked about
MAX_REASONS = 10
# Reason chips by score and service; each list fits one screen (at most six choices).
GOOD = {"meal": ("tasty", "on_time", "friendly"), "cleaning": ("clean", "on_time", "friendly"),
        "other": ("professional", "friendly", "on_time")}
BAD = {"meal": ("not_tasty", "cold_food", "long_wait", "other"),
       "cleaning": ("not_clean", "late", "rude", "other"),
       "other": ("long_wait", "rude", "late", "other")}


def reason_chips(score: str, service: str) -> tuple[str, ...]:
    table = BAD if score == "unsatisfied" else GOOD
    return table.get(service, table["other"])


def slot_end(store: Store, slot_id: str, tz: dt.tzinfo) -> dt.datetime | None:
    """When the service of a slot is over (a meal's serving time too, elder_wire.meals)."""
    slot = get_slot(store, slot_id, tz)
    return None if slot is None else slot.end


def is_done(store: Store, booking: Booking, now: dt.datetime) -> bool:
    if booking.status == "completed":
        return True
    if booking.status != "confirmed":
        return False
    end = slot_end(store, booking.slot_id, now.tzinfo)
    return end is not None and end <= now


class Ratings:
    def __init__(self, store: Store, clock: Clock) -> None:
        self.store = store
        self.clock = clock

    def due(self, elder_id: str) -> Booking | None:
        """The latest done, unrated booking the elder was not yet asked about."""
        now = self.clock.now()
        rows = self.store.query(
            "SELECT * FROM bookings b WHERE b.elder_id = ? AND b.rating_asked = 0 "
            "AND b.status IN ('confirmed', 'completed') "
            "AND NOT EXISTS (SELECT 1 FROM ratings r WHERE r.booking_id = b.id) "
            "ORDER BY b.created_at DESC LIMIT 50", (elder_id,))
        for row in rows:
            booking = Booking.from_row(row)
            end = slot_end(self.store, booking.slot_id, now.tzinfo)
            if is_done(self.store, booking, now) and end is not None \
                    and now - end <= ASK_WITHIN:
                return booking
        return None

    def mark_asked(self, booking_id: str) -> None:
        """The question was put: it is not put again, answered or not."""
        with self.store.transaction() as conn:
            conn.execute("UPDATE bookings SET rating_asked = 1 WHERE id = ?", (booking_id,))

    def rate(self, elder_id: str, booking_id: str, score: str, reasons: tuple[str, ...] = (),
             staff_id: str | None = None) -> str:
        """Save the elder's rating with its rating.create operation; returns the rating id."""
        if score not in SCORES:
            raise ValueError(score)
        now = self.clock.now()
        stamp = now.isoformat(timespec="seconds")
        rating_id = str(uuid.uuid4())
        chosen = list(dict.fromkeys(reasons))[:MAX_REASONS]
        with self.store.transaction() as conn:
            booking = own_booking(self.store, elder_id, booking_id)
            if not is_done(self.store, booking, now):
                raise BookingRejected("not_done")
            try:
                conn.execute(
                    "INSERT INTO ratings (id, booking_id, elder_id, provider_id, score, reasons, "
                    "staff_id, origin, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'local', ?)",
                    (rating_id, booking_id, elder_id, booking.provider_id, score,
                     json.dumps(chosen), staff_id, stamp))
            except sqlite3.IntegrityError as exc:  # one rating per booking
                raise BookingRejected("duplicate") from exc
            conn.execute("UPDATE bookings SET rating_asked = 1 WHERE id = ?", (booking_id,))
            outbox.enqueue(conn, "rating.create",
                           {"id": rating_id, "booking_id": booking_id, "elder_id": elder_id,
                            "score": score, "reasons": chosen, "staff_id": staff_id,
                            "created_at": stamp}, stamp)
        return rating_id


def own_booking(store: Store, elder_id: str, booking_id: str) -> Booking:
    """Her booking, to rate or complain about; refused if unknown or another elder's."""
    row = store.query_one("SELECT * FROM bookings WHERE id = ?", (booking_id,))
    if row is None:
        raise BookingRejected("unknown_booking")
    if row["elder_id"] != elder_id:
        raise BookingRejected("not_allowed")
    return Booking.from_row(row)
