"""The staff attention list: everything an elder asked for that did not simply work —
help requests, refused bookings, complaints, refused elder edits, operations the platform
could not take. An item leaves the list only when staff resolved or dealt with it."""
from __future__ import annotations

import json
from dataclasses import dataclass

from kiosk import audit
from kiosk.clock import Clock
from kiosk.store import Store

KINDS = ("help", "booking", "complaint", "elder", "operation")


@dataclass(frozen=True)
class AttentionItem:
    kind: str  # one of KINDS
    item_id: str
    elder_id: str | None
    elder_name: str
    detail: str  # a code: help kind, refusal reason, complaint reasons, operation type
    state: str  # help: open/acknowledged (resolved in resolved_help); others: open
    created_at: str
    by: str = ""  # help: who acknowledged it (resolved it, once resolved): a name if known
    escalated: bool = False  # help: the platform escalated it, nobody having answered in time
    note: str = ""  # help: what the one who resolved it wrote


def _has(store: Store, table: str) -> bool:
    return store.query_one("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                           (table,)) is not None


NOT_DONE = "NOT EXISTS (SELECT 1 FROM attention_done d WHERE d.kind = ? AND d.item_id = {})"


def items(store: Store) -> list[AttentionItem]:
    """Urgent help first, then everything else, oldest first."""
    found = _help(store) + _bookings(store) + _complaints(store) + _elders(store) \
        + _operations(store)
    urgent = [i for i in found if i.kind == "help" and i.detail == "urgent"]
    rest = sorted((i for i in found if i not in urgent), key=lambda i: i.created_at)
    return sorted(urgent, key=lambda i: i.created_at) + rest


def _name(row) -> str:
    return row["name"] or ""


HELP = """
SELECT h.*, e.name, acknowledging.name AS acknowledged_staff, resolving.name AS resolved_staff
FROM help_requests h LEFT JOIN elders e ON e.id = h.elder_id
LEFT JOIN staff acknowledging ON acknowledging.id = h.acknowledged_by
LEFT JOIN staff resolving ON resolving.id = h.resolved_by
"""


def _help(store: Store) -> list[AttentionItem]:
    if not _has(store, "help_requests"):
        return []
    rows = store.query(HELP + "WHERE h.state != 'resolved' ORDER BY h.created_at")
    return [_help_item(r) for r in rows]


def resolved_help(store: Store, since: str) -> list[AttentionItem]:
    """Help requests resolved at or after `since` (a timestamp with offset), newest first:
    not to do any more, but staff see who dealt with them and how."""
    rows = store.query(HELP + "WHERE h.state = 'resolved' AND julianday(h.resolved_at) >= "
                       "julianday(?) ORDER BY h.resolved_at DESC", (since,))
    return [_help_item(r) for r in rows]


def _help_item(row) -> AttentionItem:
    """Who acknowledged (or resolved) it: an operator on the platform's console by the name
    the platform gave, kiosk staff by their name here (or their id if not known here)."""
    step = "resolved" if row["state"] == "resolved" else "acknowledged"
    by = row[f"{step}_by_name"] or row[f"{step}_staff"] or row[f"{step}_by"] or ""
    return AttentionItem("help", row["id"], row["elder_id"], _name(row), row["kind"],
                         row["state"], row["created_at"], by=by,
                         escalated=row["escalated_at"] is not None,
                         note=row["resolution_note"] or "")


def _bookings(store: Store) -> list[AttentionItem]:
    rows = store.query(
        "SELECT b.id, b.elder_id, b.reason, b.updated_at, e.name FROM bookings b "
        "LEFT JOIN elders e ON e.id = b.elder_id WHERE b.status = 'rejected' "
        "AND b.origin = 'local' AND " + NOT_DONE.format("b.id"), ("booking",))
    return [AttentionItem("booking", r["id"], r["elder_id"], _name(r), r["reason"] or "unknown",
                          "open", r["updated_at"]) for r in rows]


def _complaints(store: Store) -> list[AttentionItem]:
    if not _has(store, "complaints"):
        return []
    rows = store.query(
        "SELECT c.*, e.name FROM complaints c LEFT JOIN elders e ON e.id = c.elder_id "
        "WHERE c.state = 'open' AND " + NOT_DONE.format("c.id"), ("complaint",))
    return [AttentionItem("complaint", r["id"], r["elder_id"], _name(r),
                          ",".join(json.loads(r["reasons"])), "open", r["created_at"])
            for r in rows]


def _elders(store: Store) -> list[AttentionItem]:
    rows = store.query(
        "SELECT o.op_id, o.result, o.done_at, o.payload FROM outbox o "
        "WHERE o.op_type = 'elder.upsert' AND o.state = 'rejected' AND "
        + NOT_DONE.format("o.op_id"), ("elder",))
    found = []
    for r in rows:
        payload, result = json.loads(r["payload"]), json.loads(r["result"] or "{}")
        found.append(AttentionItem("elder", r["op_id"], payload.get("id"),
                                   payload.get("name") or "", result.get("reason") or "unknown",
                                   "open", r["done_at"] or ""))
    return found


def _operations(store: Store) -> list[AttentionItem]:
    """Operations the platform could never take (quarantined as 'failed')."""
    rows = store.query(
        "SELECT o.op_id, o.op_type, o.payload, o.done_at, e.name FROM outbox o "
        "LEFT JOIN elders e ON e.id = json_extract(o.payload, '$.elder_id') "
        "WHERE o.state = 'failed' AND " + NOT_DONE.format("o.op_id"), ("operation",))
    return [AttentionItem("operation", r["op_id"], json.loads(r["payload"]).get("elder_id"),
                          _name(r), r["op_type"], "open", r["done_at"] or "") for r in rows]


def mark_done(store: Store, clock: Clock, item: AttentionItem, staff_id: str) -> None:
    """Staff dealt with a refused booking, complaint, refused edit or failed operation."""
    if item.kind == "help":
        raise ValueError("help requests are acknowledged and resolved, not dismissed")
    stamp = clock.now().isoformat(timespec="seconds")
    with store.transaction() as conn:
        conn.execute("INSERT OR IGNORE INTO attention_done (kind, item_id, staff_id, done_at) "
                     "VALUES (?, ?, ?, ?)", (item.kind, item.item_id, staff_id, stamp))
        audit.record(conn, staff_id, f"attention.{item.kind}.done", item.item_id, stamp)


def elders_with_failed_bookings(store: Store) -> list[tuple[str, str, int]]:
    """(elder id, name, count) of elders whose bookings were refused and not yet dealt with."""
    counts: dict[tuple[str, str], int] = {}
    for item in _bookings(store):
        key = (item.elder_id or "", item.elder_name)
        counts[key] = counts.get(key, 0) + 1
    return [(eid, name, n) for (eid, name), n in sorted(counts.items())]
