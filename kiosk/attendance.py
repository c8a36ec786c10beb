"""Attendance at the door (签到, docs/services.md): a card scanned at the kiosk for a session of a
service that takes attendance, recorded once per elder and session and synced; the sheet of a
session for staff — who signed up, who came, who came without signing up."""
from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from elder_wire.codes import EXPECTED, BookingStatus, sql_list
from elder_wire.privacy import mask_name
from kiosk import catalogue, outbox
from kiosk.clock import Clock
from kiosk.elders import Elder
from kiosk.errors import BookingRejected
from kiosk.slots import Slot, get_slot, slot_views
from kiosk.store import Store

OPENS_BEFORE = dt.timedelta(minutes=60)  # the door opens an hour before a session starts


@dataclass(frozen=True)
class Record:
    """An elder signed in at a session: `already` when the card was scanned before."""

    id: str
    elder: Elder
    slot: Slot
    booked: bool
    already: bool


@dataclass(frozen=True)
class SheetLine:
    elder_id: str
    masked_name: str
    booked: bool  # signed up (a live booking), else a walk-in
    waiting: bool  # on the waiting list
    attended: bool


class Attendance:
    def __init__(self, store: Store, clock: Clock) -> None:
        self.store = store
        self.clock = clock

    def sessions(self, day: dt.date | None = None) -> list[Slot]:
        """Sessions of the day, of every service that takes attendance, in time order."""
        day = day or self.clock.today()
        now = self.clock.now()
        keys = [e.key for e in catalogue.entries(self.store) if e.policy.attendance]
        slots = [view.slot for key in keys
                 for view in slot_views(self.store, key, day, day, "", now)]
        return sorted(slots, key=lambda slot: (slot.start, slot.title))

    def booked_sessions_open_now(self, elder_id: str) -> list[Slot]:
        """Today's sessions the elder signed up for whose door is open now (an elder who signs
        in at the kiosk then is signed in to them: she is at the centre)."""
        return [slot for slot in self.sessions()
                if self.open_now(slot) and self._booking(slot.id, elder_id) is not None]

    def open_now(self, slot: Slot) -> bool:
        now = self.clock.now()
        return slot.start - OPENS_BEFORE <= now < slot.end

    def record(self, slot_id: str, elder: Elder, staff_id: str | None = None) -> Record:
        """Sign the elder in; BookingRejected: not_allowed (no attendance for this service),
        closed (the door is not open), elder_inactive, unknown_slot."""
        if not elder.active:
            raise BookingRejected("elder_inactive")
        slot = get_slot(self.store, slot_id, self.clock.tz)
        if slot is None:
            raise BookingRejected("unknown_slot")
        entry = catalogue.entry(self.store, slot.service)
        if entry is None or not entry.policy.attendance:
            raise BookingRejected("not_allowed")
        if not self.open_now(slot):
            raise BookingRejected("closed")
        with self.store.transaction() as conn:
            booked = self._booking(slot.id, elder.id)
            found = self.store.query_one(
                "SELECT id FROM attendance WHERE slot_id = ? AND elder_id = ?",
                (slot.id, elder.id))
            if found is not None:
                return Record(found["id"], elder, slot, booked is not None, True)
            record_id = str(uuid.uuid4())
            stamp = self.clock.now().isoformat(timespec="seconds")
            conn.execute(
                "INSERT INTO attendance (id, slot_id, elder_id, booking_id, staff_id, origin, "
                "created_at) VALUES (?, ?, ?, ?, ?, 'local', ?)",
                (record_id, slot.id, elder.id, booked, staff_id, stamp))
            outbox.enqueue(conn, "attendance.record",
                           {"id": record_id, "slot_id": slot.id, "elder_id": elder.id,
                            "staff_id": staff_id, "created_at": stamp}, stamp)
        return Record(record_id, elder, slot, booked is not None, False)

    def _booking(self, slot_id: str, elder_id: str) -> str | None:
        row = self.store.query_one(
            f"SELECT id FROM bookings WHERE slot_id = ? AND elder_id = ? "
            f"AND status IN {sql_list(EXPECTED)}", (slot_id, elder_id))
        return None if row is None else row["id"]

    def sheet(self, slot_id: str) -> list[SheetLine]:
        """Everyone signed up, waiting or come, signed-up first, then by name."""
        rows = self.store.query(
            f"""
            SELECT e.id, e.name,
                MAX(b.status IN {sql_list(EXPECTED)}) AS booked,
                MAX(b.status = '{BookingStatus.WAITLISTED}') AS waiting,
                MAX(a.id IS NOT NULL) AS attended
            FROM elders e
            LEFT JOIN bookings b ON b.elder_id = e.id AND b.slot_id = :slot
            LEFT JOIN attendance a ON a.elder_id = e.id AND a.slot_id = :slot
            WHERE b.id IS NOT NULL OR a.id IS NOT NULL
            GROUP BY e.id
            """, {"slot": slot_id})
        lines = [SheetLine(r["id"], mask_name(r["name"]), bool(r["booked"]), bool(r["waiting"]),
                           bool(r["attended"])) for r in rows
                 if r["booked"] or r["waiting"] or r["attended"]]
        return sorted(lines, key=lambda line: (not line.booked, line.waiting, line.masked_name))
