"""The staff audit log: one local line per staff action, each synced as an `audit.append` op."""
from __future__ import annotations

import json
import re
import sqlite3
import uuid
from dataclasses import dataclass

from kiosk import outbox
from kiosk.clock import Clock
from kiosk.store import Store

ACTION = re.compile(r"^[a-z0-9_.]{1,64}$")
WORK_CURSOR = "audit_work_cursor"
# Operations that are not an action taken for an elder, or that audit themselves.
NOT_WORK = ("audit.append",)


@dataclass(frozen=True)
class AuditEntry:
    id: str
    staff_id: str
    staff_name: str
    action: str
    subject: str
    created_at: str


def record(conn: sqlite3.Connection, staff_id: str, action: str, subject: str,
           stamp: str) -> str:
    """One audit line and its `audit.append` op; call inside the action's transaction."""
    if not ACTION.fullmatch(action):
        raise ValueError(f"bad audit action {action!r}")
    entry_id = str(uuid.uuid4())
    subject = subject[:200]
    conn.execute("INSERT INTO audit_log (id, staff_id, action, subject, created_at) "
                 "VALUES (?, ?, ?, ?, ?)", (entry_id, staff_id, action, subject, stamp))
    outbox.enqueue(conn, "audit.append", {"id": entry_id, "staff_id": staff_id,
                                          "action": action, "subject": subject,
                                          "created_at": stamp}, stamp)
    return entry_id


def log(store: Store, clock: Clock, staff_id: str, action: str, subject: str = "") -> str:
    """An audit line in its own transaction (sign-in, export, settings …)."""
    stamp = clock.now().isoformat(timespec="seconds")
    with store.transaction() as conn:
        return record(conn, staff_id, action, subject, stamp)


def record_staff_work(store: Store, clock: Clock) -> int:
    """Audit every operation made for an elder by a staff member since the last call.

    Bookings, cancellations, help updates and elder edits carry `staff_id` in their payload;
    this turns each into an audit line (action = the operation type, subject = its id), so
    every service, present or added later, is audited the same way."""
    stamp = clock.now().isoformat(timespec="seconds")
    count = 0
    with store.transaction() as conn:
        since = int(store.get_state(WORK_CURSOR, "0"))
        rows = conn.execute("SELECT seq, op_type, payload FROM outbox WHERE seq > ? "
                            "ORDER BY seq", (since,)).fetchall()
        for seq, op_type, payload in rows:
            since = seq
            data = json.loads(payload)
            staff_id = data.get("staff_id")
            if op_type in NOT_WORK or not staff_id:
                continue
            subject = str(data.get("id") or data.get("booking_id") or "")
            record(conn, str(staff_id), op_type, subject, stamp)
            count += 1
        # the audit ops just written are not work themselves
        last = conn.execute("SELECT COALESCE(MAX(seq), 0) FROM outbox").fetchone()[0]
        store.set_state(WORK_CURSOR, str(max(since, last)))
    return count


def recent(store: Store, limit: int = 200) -> list[AuditEntry]:
    rows = store.query(
        "SELECT a.*, COALESCE(s.name, a.staff_id) AS staff_name FROM audit_log a "
        "LEFT JOIN staff s ON s.id = a.staff_id ORDER BY a.created_at DESC, a.rowid DESC "
        "LIMIT ?", (limit,))
    return [AuditEntry(r["id"], r["staff_id"], r["staff_name"], r["action"], r["subject"],
                       r["created_at"]) for r in rows]
