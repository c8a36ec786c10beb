"""Capacity leases: places the platform lent this kiosk, within which a booking is final at once."""
from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass

# Local states in which the platform's own view never overrides the kiosk's: once the kiosk has
# stopped using a lease it must never book with it again.
DONE_STATES = ("returning", "returned", "expired")


@dataclass(frozen=True)
class CapacityLease:
    lease_id: str
    slot_id: str
    places: int
    used: int  # bookings this kiosk made with it, whatever became of them
    expires_at: dt.datetime

    @property
    def left(self) -> int:
        return max(0, self.places - self.used)


def used_count(conn: sqlite3.Connection, lease_id: str) -> int:
    """Every booking made with a lease consumes a place, whatever its outcome (protocol §6.4)."""
    return conn.execute("SELECT COUNT(*) FROM bookings WHERE lease_id = ? AND origin = 'local'",
                        (lease_id,)).fetchone()[0]


def active_leases(conn: sqlite3.Connection, now: dt.datetime,
                  slot_id: str | None = None) -> list[CapacityLease]:
    """Leases this kiosk may still book with: active and not past their expiry (the cut-off)."""
    sql = ("SELECT l.lease_id, l.slot_id, l.places, l.expires_at, "
           "(SELECT COUNT(*) FROM bookings b WHERE b.lease_id = l.lease_id "
           " AND b.origin = 'local') AS used "
           "FROM leases l WHERE l.state = 'active'")
    params: tuple = ()
    if slot_id is not None:
        sql += " AND l.slot_id = ?"
        params = (slot_id,)
    leases = []
    for row in conn.execute(sql + " ORDER BY l.expires_at, l.lease_id", params):
        expires = dt.datetime.fromisoformat(row[3])
        if expires.tzinfo is not None and expires > now:
            leases.append(CapacityLease(row[0], row[1], row[2], row[4], expires))
    return leases


def usable_lease(conn: sqlite3.Connection, slot_id: str, now: dt.datetime) -> str | None:
    """The id of a lease on this slot with a place left, or None (the booking is tentative)."""
    for lease in active_leases(conn, now, slot_id):
        if lease.left > 0:
            return lease.lease_id
    return None


def lease_places_left(conn: sqlite3.Connection, slot_id: str, now: dt.datetime) -> int:
    return sum(lease.left for lease in active_leases(conn, now, slot_id))
