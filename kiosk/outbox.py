"""Operations waiting to reach the platform, written in the same transaction as their effect."""
from __future__ import annotations

import json
import sqlite3
import uuid
from dataclasses import dataclass

# Higher goes first: an urgent help request must not wait behind a morning of meal bookings.
PRIORITY_NORMAL = 0
PRIORITY_URGENT = 10


@dataclass(frozen=True)
class Operation:
    seq: int
    op_id: str
    op_type: str
    payload: dict
    created_at: str


def enqueue(conn: sqlite3.Connection, op_type: str, payload: dict, created_at: str,
            priority: int = PRIORITY_NORMAL) -> str:
    """Add an operation; call inside the transaction that writes its local effect."""
    if not conn.in_transaction:
        raise RuntimeError("outbox operations must be written inside the effect's transaction")
    op_id = str(uuid.uuid4())
    conn.execute(
        "INSERT INTO outbox (op_id, op_type, payload, priority, created_at) VALUES (?, ?, ?, ?, ?)",
        (op_id, op_type, json.dumps(payload, ensure_ascii=False, sort_keys=True), priority,
         created_at),
    )
    return op_id


def pending(conn: sqlite3.Connection, limit: int = 500) -> list[Operation]:
    rows = conn.execute(
        "SELECT seq, op_id, op_type, payload, created_at FROM outbox WHERE state = 'pending' "
        "ORDER BY priority DESC, seq LIMIT ?",
        (limit,),
    ).fetchall()
    return [Operation(r[0], r[1], r[2], json.loads(r[3]), r[4]) for r in rows]


def pending_count(conn: sqlite3.Connection) -> int:
    return conn.execute("SELECT COUNT(*) FROM outbox WHERE state = 'pending'").fetchone()[0]


def unsent(conn: sqlite3.Connection) -> tuple[int, str | None]:
    """(operations not yet acknowledged, when the first of them was made), each read from an
    index, so it stays cheap however long the outbox's history grows."""
    # Named: without statistics SQLite would sort every pending row found by outbox_pending.
    oldest = conn.execute("SELECT created_at FROM outbox INDEXED BY outbox_unsent "
                          "WHERE state = 'pending' ORDER BY seq LIMIT 1").fetchone()
    if oldest is None:
        return 0, None
    return pending_count(conn), oldest[0]
