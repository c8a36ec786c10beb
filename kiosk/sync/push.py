"""Push: the outbox in order, in batches under the platform's limits, results applied locally."""
from __future__ import annotations

import json
import logging
import sqlite3
from dataclasses import dataclass

from elder_wire.codes import LIVE, sql_list
from kiosk.bookings import booking_number, mark_moved_up
from kiosk.clock import Clock
from kiosk.elder_registry import take_back as take_back_elder_edits
from kiosk.store import Store
from kiosk.sync import errors
from kiosk.sync.client import PlatformClient

log = logging.getLogger(__name__)

MAX_OPS = 500
MAX_BODY = 1024 * 1024  # protocol §1: at most 1 MiB per request body
ENVELOPE = len(b'{"operations":[]}')
LIVE_SQL = sql_list(LIVE)
BOOKING_STATUSES = ("confirmed", "waitlisted", "cancelled", "completed")


@dataclass(frozen=True)
class OutboxRow:
    seq: int
    op_id: str
    op_type: str
    wire: bytes  # the operation as it goes out, its payload exactly as stored


@dataclass
class PushReport:
    applied: int = 0
    rejected: int = 0
    quarantined: int = 0
    batches: int = 0


def push_all(store: Store, client: PlatformClient, clock: Clock,
             max_ops: int = MAX_OPS, max_body: int = MAX_BODY) -> PushReport:
    """Push until the outbox is empty; a retryable fault propagates with nothing lost."""
    report = PushReport()
    limit = max_ops
    while True:
        batch = fit_batch(pending_rows(store, limit), max_body)
        if not batch:
            return report
        if _too_big_alone(batch, max_body):
            quarantine(store, clock, batch, {"code": "payload_too_large"})
            report.quarantined += 1
            continue
        try:
            answer = client.push(encode_batch(batch))
        except errors.InvalidBatch as exc:
            named = _named_ops(batch, exc.details)
            if not named and len(batch) > 1:
                limit = max(1, len(batch) // 2)  # find the culprit by halving
                continue
            quarantine(store, clock, named or batch, {"code": exc.code, "details": exc.details})
            report.quarantined += len(named or batch)
            continue
        except errors.PayloadTooLarge:
            if len(batch) == 1:
                quarantine(store, clock, batch, {"code": "payload_too_large"})
                report.quarantined += 1
            limit = max(1, len(batch) // 2)
            continue
        except errors.SyncRetryable:
            _count_attempt(store, batch)
            raise
        results = check_results(batch, answer)
        applied = apply_results(store, clock, batch, results)
        report.applied += applied
        report.rejected += len(batch) - applied
        report.batches += 1
        limit = max_ops


def pending_rows(store: Store, limit: int) -> list[OutboxRow]:
    rows = store.conn.execute(
        "SELECT seq, op_id, op_type, payload, created_at FROM outbox WHERE state = 'pending' "
        "ORDER BY priority DESC, seq LIMIT ?", (limit,)).fetchall()
    return [OutboxRow(r[0], r[1], r[2], _wire(r[1], r[2], r[3], r[4])) for r in rows]


def _wire(op_id: str, op_type: str, payload: str, created_at: str) -> bytes:
    head = json.dumps({"op_id": op_id, "type": op_type, "created_at": created_at},
                      ensure_ascii=False, separators=(",", ":"))
    return (head[:-1] + ',"payload":' + payload + "}").encode("utf-8")


def fit_batch(rows: list[OutboxRow], max_body: int) -> list[OutboxRow]:
    """The longest prefix of `rows` whose request stays under the body limit (at least one)."""
    size = ENVELOPE
    for count, row in enumerate(rows):
        size += len(row.wire) + (1 if count else 0)
        if size > max_body:
            return rows[:max(1, count)]
    return rows


def _too_big_alone(batch: list[OutboxRow], max_body: int) -> bool:
    return len(batch) == 1 and ENVELOPE + len(batch[0].wire) > max_body


def encode_batch(batch: list[OutboxRow]) -> bytes:
    return b'{"operations":[' + b",".join(row.wire for row in batch) + b"]}"


def _named_ops(batch: list[OutboxRow], details: list) -> list[OutboxRow]:
    ids, indexes = set(), set()
    for item in details:
        if isinstance(item, dict):
            if isinstance(item.get("op_id"), str):
                ids.add(item["op_id"].lower())
            if isinstance(item.get("index"), int):
                indexes.add(item["index"])
    return [row for n, row in enumerate(batch) if row.op_id.lower() in ids or n in indexes]


def check_results(batch: list[OutboxRow], answer: dict) -> list[dict]:
    results = answer.get("results")
    if not isinstance(results, list) or len(results) != len(batch):
        raise errors.PlatformAnswerInvalid("push: results do not match the batch")
    for row, result in zip(batch, results, strict=True):
        if not isinstance(result, dict) \
                or str(result.get("op_id", "")).lower() != row.op_id.lower():
            raise errors.PlatformAnswerInvalid("push: results out of order")
        if result.get("status") not in ("applied", "rejected"):
            raise errors.PlatformAnswerInvalid("push: unknown result status")
    return results


def apply_results(store: Store, clock: Clock, batch: list[OutboxRow],
                  results: list[dict]) -> int:
    """Mark the batch done and update its bookings, all in one local transaction."""
    stamp = clock.now().isoformat(timespec="seconds")
    done, confirmed, rejected, kept, elder_refused, unrated = [], [], [], [], [], []
    merged = []
    for row, result in zip(batch, results, strict=True):
        ok = result["status"] == "applied"
        done.append(("applied" if ok else "rejected", json.dumps(result, ensure_ascii=False),
                     stamp, row.seq))
        data = result.get("data") if isinstance(result.get("data"), dict) else {}
        if row.op_type == "booking.create":
            booking_id = _payload_field(row, "id")
            place = data.get("booking_id")
            if ok and isinstance(place, str) and place.lower() != str(booking_id).lower():
                merged.append((str(booking_id), place.lower()))
            elif ok:
                status = data.get("booking_status")
                position = data.get("waitlist_position")
                confirmed.append((status if status in BOOKING_STATUSES else "confirmed",
                                  position if isinstance(position, int) else None,
                                  stamp, booking_id))
            else:
                rejected.append((str(result.get("reason") or "unknown"), stamp, booking_id))
        elif row.op_type == "booking.cancel" and not ok and result.get("reason") == "closed":
            booking_id = _payload_field(row, "booking_id")
            kept.append((stamp, booking_id, booking_id))
        elif row.op_type == "elder.upsert" and not ok:
            elder_refused.append(row.op_id)
        elif row.op_type == "rating.create" and not ok:
            unrated.append((_payload_field(row, "id"),))
    with store.transaction() as conn:
        conn.executemany("UPDATE outbox SET state = ?, result = ?, done_at = ?, "
                         "attempts = attempts + 1 WHERE seq = ? AND state = 'pending'", done)
        _update_bookings(conn, confirmed, rejected, kept)
        _take_places(conn, merged, stamp)
        take_back_elder_edits(conn, elder_refused, stamp)
        # A refused rating did not count (another kiosk's came first, or the service is not
        # over): it is not kept as the elder's; the platform's, if any, comes by pull.
        conn.executemany("DELETE FROM ratings WHERE id = ? AND origin = 'local'", unrated)
    return sum(1 for item in done if item[0] == "applied")


def _update_bookings(conn: sqlite3.Connection, confirmed: list, rejected: list,
                     kept: list) -> None:
    mark_moved_up(conn, [booking_id for status, _, _, booking_id in confirmed
                         if status == "confirmed"])
    # Only live bookings change: one the elder cancelled meanwhile stays cancelled.
    conn.executemany(f"UPDATE bookings SET status = ?, waitlist_position = ?, reason = '', "
                     f"updated_at = ? WHERE id = ? AND status IN {LIVE_SQL}", confirmed)
    conn.executemany(f"UPDATE bookings SET status = 'rejected', reason = ?, updated_at = ? "
                     f"WHERE id = ? AND status IN {LIVE_SQL}", rejected)
    # A cancellation after the cut-off was refused: the meal is being cooked for the elder.
    conn.executemany("UPDATE bookings SET status = 'confirmed', reason = 'closed', "
                     "updated_at = ? WHERE status = 'cancelled' AND id IN (?, (" + MERGED_INTO
                     + "))", kept)


# The booking a booking made here became (protocol §3.1), by its create's stored answer.
MERGED_INTO = ("SELECT json_extract(result, '$.data.booking_id') FROM outbox "
               "WHERE op_type = 'booking.create' AND json_extract(payload, '$.id') = ? "
               "AND json_extract(result, '$.data.merged')")


def _take_places(conn: sqlite3.Connection, merged: list[tuple[str, str]], stamp: str) -> None:
    """The platform counted a booking made here as the place the elder already holds (booked
    at another kiosk; protocol §3.1): the booking here becomes that booking — confirmed, or
    cancelled if the elder cancelled it here meanwhile (that cancel cancels the place, §3.2) —
    still counted against the lease it was made under. A copy of it pulled before gives way."""
    for booking_id, place in merged:
        if conn.execute("SELECT 1 FROM bookings WHERE id = ?", (booking_id,)).fetchone() is None:
            continue
        conn.execute("DELETE FROM bookings WHERE id = ? AND origin = 'remote'", (place,))
        if conn.execute("SELECT 1 FROM bookings WHERE id = ?", (place,)).fetchone():
            continue
        conn.execute("UPDATE bookings SET id = ?, number = ?, updated_at = ?, "
                     "status = CASE WHEN status = 'tentative' THEN 'confirmed' ELSE status END "
                     "WHERE id = ?", (place, booking_number(place), stamp, booking_id))
        for table in ("ratings", "complaints"):
            conn.execute(f"UPDATE {table} SET booking_id = ? WHERE booking_id = ?",  # noqa: S608
                         (place, booking_id))


def _payload_field(row: OutboxRow, name: str) -> str | None:
    return json.loads(row.wire).get("payload", {}).get(name)


def quarantine(store: Store, clock: Clock, rows: list[OutboxRow], why: dict) -> None:
    """Take operations the platform will never accept out of the queue, kept for staff."""
    stamp = clock.now().isoformat(timespec="seconds")
    result = json.dumps({"status": "failed", **why}, ensure_ascii=False)
    with store.transaction() as conn:
        conn.executemany("UPDATE outbox SET state = 'failed', result = ?, done_at = ?, "
                         "attempts = attempts + 1 WHERE seq = ? AND state = 'pending'",
                         [(result, stamp, row.seq) for row in rows])
        conn.executemany(f"UPDATE bookings SET status = 'rejected', reason = 'sync_failed', "
                         f"updated_at = ? WHERE id = ? AND status IN {LIVE_SQL}",
                         [(stamp, _payload_field(row, "id")) for row in rows
                          if row.op_type == "booking.create"])
    log.warning("%d operation(s) quarantined: %s", len(rows), why.get("code"))


def _count_attempt(store: Store, batch: list[OutboxRow]) -> None:
    with store.transaction() as conn:
        conn.executemany("UPDATE outbox SET attempts = attempts + 1 WHERE seq = ?",
                         [(row.seq,) for row in batch])
