"""Staff members, their PINs (kept here only as slow salted hashes) and lockouts; who is
signed in, and staff idle, is kiosk/staff_session.py."""
from __future__ import annotations

import dataclasses
import datetime as dt
import math
import os
import sqlite3
from dataclasses import dataclass, field

from kiosk.clock import Clock
from kiosk.errors import KnownError
from kiosk.store import Store

MAX_TRIES = 5
LOCK_S = 300  # the first round's lock; each round in a row locks twice as long as the last
MAX_LOCK_S = 24 * 3600
PIN_LENGTHS = range(4, 9)
# scrypt with 16 MiB of memory: about 50 ms per try here, far slower for a stolen database.
SCHEME = "scrypt:n=16384,r=8,p=1"
DEMO_STAFF = (("staff-zhang", "张社工"), ("staff-liu", "刘社工"))
DEMO_PIN = "1234"


@dataclass(frozen=True)
class StaffMember:
    id: str
    name: str
    active: bool = True
    # wrong PINs given for her since her last sign-in, told to her at this one
    failed_tries: int = field(default=0, compare=False)


class WrongPin(KnownError):
    message_key = "staff.error.wrong_pin"


class StaffLocked(KnownError):
    message_key = "staff.error.locked"

    def __init__(self, seconds: float) -> None:
        minutes = max(1, math.ceil(seconds / 60))
        super().__init__(minutes=minutes, hours=math.ceil(minutes / 60))
        if minutes > 60:
            self.message_key = "staff.error.locked_hours"


class NoPin(KnownError):
    message_key = "staff.error.no_pin"


def valid_pin(pin: str) -> bool:
    return pin.isascii() and pin.isdigit() and len(pin) in PIN_LENGTHS


def hash_pin(pin: str, salt: bytes, scheme: str = SCHEME) -> bytes:
    if scheme != SCHEME:
        raise ValueError(f"unknown PIN scheme {scheme!r}")
    import hashlib  # here, not at start-up: only a PIN needs it

    return hashlib.scrypt(pin.encode("ascii"), salt=salt, n=16384, r=8, p=1, dklen=32,
                          maxmem=64 * 1024 * 1024)


def list_staff(store: Store) -> list[StaffMember]:
    rows = store.query("SELECT * FROM staff WHERE active = 1 ORDER BY name, id")
    return [StaffMember(r["id"], r["name"], True) for r in rows]


def get_staff(store: Store, staff_id: str) -> StaffMember | None:
    row = store.query_one("SELECT * FROM staff WHERE id = ?", (staff_id,))
    return StaffMember(row["id"], row["name"], bool(row["active"])) if row else None


def upsert_staff(conn: sqlite3.Connection, members: list[dict], stamp: str) -> None:
    """The `staff` kind of the pull feed (protocol §10.5); PINs stay as they are."""
    conn.executemany(
        "INSERT INTO staff (id, name, active, updated_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (id) DO UPDATE SET name = excluded.name, active = excluded.active, "
        "updated_at = excluded.updated_at",
        [(str(m["id"]), str(m.get("name") or m["id"]), int(bool(m.get("active", True))), stamp)
         for m in members])


def set_pin(store: Store, clock: Clock, staff_id: str, pin: str) -> None:
    """A new PIN for a staff member; clears any lockout. The PIN itself is never stored."""
    if not valid_pin(pin):
        raise ValueError("a PIN is 4 to 8 digits")
    if get_staff(store, staff_id) is None:
        raise ValueError(f"no staff member {staff_id!r}")
    salt = os.urandom(16)
    stamp = clock.now().isoformat(timespec="seconds")
    with store.transaction() as conn:
        conn.execute(
            "INSERT INTO staff_pins (staff_id, scheme, salt, hash, failures, locked_until, "
            "updated_at) VALUES (?, ?, ?, ?, 0, '', ?) ON CONFLICT (staff_id) DO UPDATE SET "
            "scheme = excluded.scheme, salt = excluded.salt, hash = excluded.hash, "
            "failures = 0, locked_until = '', lock_rounds = 0, "
            "updated_at = excluded.updated_at",
            (staff_id, SCHEME, salt, hash_pin(pin, salt), stamp))


def locked_for_s(store: Store, clock: Clock, staff_id: str) -> int:
    """Seconds until the staff member may try again; 0 if not locked."""
    row = store.query_one("SELECT locked_until FROM staff_pins WHERE staff_id = ?", (staff_id,))
    if row is None or not row["locked_until"]:
        return 0
    left = (dt.datetime.fromisoformat(row["locked_until"]) - clock.now()).total_seconds()
    return max(0, math.ceil(left))


def verify_pin(store: Store, clock: Clock, staff_id: str, pin: str) -> StaffMember:
    """The staff member if the PIN is hers; WrongPin, StaffLocked or NoPin otherwise."""
    member = get_staff(store, staff_id)
    row = store.query_one("SELECT * FROM staff_pins WHERE staff_id = ?", (staff_id,))
    if member is None or not member.active or row is None:
        raise NoPin()
    left = locked_for_s(store, clock, staff_id)
    if left:
        raise StaffLocked(left)
    import hmac

    good = valid_pin(pin) and hmac.compare_digest(
        hash_pin(pin, bytes(row["salt"]), row["scheme"]), bytes(row["hash"]))
    now = clock.now()
    with store.transaction() as conn:
        if good:
            conn.execute("UPDATE staff_pins SET failures = 0, locked_until = '', "
                         "lock_rounds = 0, failed_since_sign_in = 0 WHERE staff_id = ?",
                         (staff_id,))
            return dataclasses.replace(member, failed_tries=row["failed_since_sign_in"])
        failures = row["failures"] + 1
        rounds = row["lock_rounds"] + (failures >= MAX_TRIES)
        lock_s = lock_seconds(rounds) if failures >= MAX_TRIES else 0
        until = (now + dt.timedelta(seconds=lock_s)).isoformat() if lock_s else ""
        conn.execute("UPDATE staff_pins SET failures = ?, locked_until = ?, lock_rounds = ?, "
                     "failed_since_sign_in = failed_since_sign_in + 1 WHERE staff_id = ?",
                     (0 if lock_s else failures, until, rounds, staff_id))
    if lock_s:
        raise StaffLocked(lock_s)
    raise WrongPin(tries_left=MAX_TRIES - failures)


def lock_seconds(rounds: int) -> int:
    """How long the `rounds`-th round of wrong tries in a row locks: 5, 10, 20 … min, ≤ 24 h
    (about 5 guesses a day once it is long, against 60 an hour)."""
    return min(MAX_LOCK_S, LOCK_S * 2 ** min(rounds - 1, 20))


def seed_demo_staff(store: Store, clock: Clock) -> bool:
    """Demo mode only: the two demo staff members, each with the demo PIN 1234."""
    if store.query_one("SELECT 1 FROM staff LIMIT 1"):
        return False
    stamp = clock.now().isoformat(timespec="seconds")
    with store.transaction() as conn:
        upsert_staff(conn, [{"id": i, "name": n, "active": True} for i, n in DEMO_STAFF], stamp)
    for staff_id, _ in DEMO_STAFF:
        set_pin(store, clock, staff_id, DEMO_PIN)
    return True
