"""A community's current state for a kiosk joining (or one whose cursor fell below the feed's
horizon), with the feed cursor it corresponds to (protocol §5.2).

Read in one transaction that sees one state of the database (SQLite: a read transaction;
PostgreSQL: REPEATABLE READ), so the feed head read first is exactly the changes the state
holds: a kiosk applies the snapshot, saves its cursor and pulls the feed after it.

What is sent is what a kiosk pulling the compacted feed from 0 would end with (§5.1): each
entity's last change up to the head that this kiosk may see (others' leases are not shown),
except for the two kinds that make up nearly all of it, read from their tables instead of
parsing their stored changes: every elder of the community, and the bookings of the slots the
feed still holds (compaction retires a slot and its bookings together).

Each kind goes as a column list and rows of values (a fraction of the size of one object per
row); `deleted` lists the entities whose last change removed them. The state is made as
parts, in the order a kiosk applies them (`APPLY_FIRST`, then the others), the two big kinds
in parts of at most `PART_ROWS` rows: streamed, a part a line (§5.2's
`application/x-ndjson`), a kiosk applies one while the platform reads the next; or put
together into one answer (`snapshot`).
"""
from __future__ import annotations

import json
import queue
import threading
import zlib
from collections.abc import Iterator
from typing import Any

from sqlalchemy import Connection, Select, or_, select

from elder_wire import collector
from service_platform import entities, feed
from service_platform.schema import bookings, changes, elders

# Kinds read from their tables; every other kind from the feed.
FROM_TABLES = ("elder", "booking")
SLOT_KINDS = ("meal_slot", "service_slot")
# The order a kiosk applies kinds in (§5.2): a booking never before its elder or its slot.
APPLY_FIRST = ("service", "subsidy_level", "elder", "provider", "meal_slot", "service_slot",
               "booking")
PART_ROWS = 5_000
STREAMED = "application/x-ndjson"


def snapshot(conn: Connection, community_id: str, kiosk_id: str) -> dict[str, Any]:
    """The community's current state as this kiosk may see it, and its feed cursor: the parts
    put together, one entry per kind."""
    made = parts(conn, community_id, kiosk_id)
    whole = next(made)
    kinds: dict[str, dict[str, Any]] = {}
    for part in made:
        entry = kinds.setdefault(part["kind"], {"columns": part["columns"], "rows": [],
                                                "deleted": []})
        entry["rows"] += part["rows"]
        entry["deleted"] += part["deleted"]
    return {**whole, "kinds": kinds}


def parts(conn: Connection, community_id: str, kiosk_id: str) -> Iterator[dict[str, Any]]:
    """First {"cursor", "horizon"}; then {"kind", "columns", "rows", "deleted"} for each kind,
    kinds in the order a kiosk applies them, a kind's parts one after the other (its removals
    in the last one)."""
    cursor, horizon = feed.head(conn, community_id)  # first: the state below is this one's
    yield {"cursor": cursor, "horizon": horizon}
    from_feed: dict[str, dict[str, Any]] = {}
    slot_ids = []
    for kind, entity_id, data in _last_changes(conn, community_id, kiosk_id, cursor):
        entry = from_feed.setdefault(kind, {"columns": [], "rows": [], "deleted": []})
        if data is None:
            entry["deleted"].append(entity_id)
        elif kind not in FROM_TABLES:
            _append_object(entry, json.loads(data))
            if kind in SLOT_KINDS:
                slot_ids.append(entity_id)
    later = [kind for kind in from_feed if kind not in APPLY_FIRST]
    for kind in (*APPLY_FIRST, *later):
        deleted = from_feed.get(kind, {}).get("deleted", [])
        if kind == "elder":
            yield from _table_parts(kind, _elders_of(conn, community_id), entities.ELDER_WIRE,
                                    entities.ELDER_CONVERSIONS, deleted)
        elif kind == "booking":
            yield from _table_parts(kind, _bookings_of(conn, community_id, slot_ids),
                                    entities.BOOKING_WIRE, entities.BOOKING_CONVERSIONS, deleted)
        elif kind in from_feed:
            entry = from_feed[kind]
            entry.pop("_names", None)
            yield {"kind": kind, **entry}


def streamed(db, community_id: str, kiosk_id: str, server_time: str,
             gzipped: bool) -> Iterator[bytes]:
    """The parts as newline-delimited JSON, then {"end": {"parts": n}}; gzip-encoded (one
    stream, flushed after each part) when `gzipped`. The parts are read and encoded in a
    thread of their own at the database's pace, not the network's: the read transaction
    ends as soon as they are made, however slowly the kiosk takes them."""
    made: queue.Queue = queue.Queue()
    stop = threading.Event()

    def make() -> None:
        try:
            with collector.paused(), db.read_consistent() as conn:
                for chunk in _encoded(parts(conn, community_id, kiosk_id), server_time,
                                      gzipped):
                    if stop.is_set():
                        return
                    made.put(chunk)
            made.put(None)
        except BaseException as exc:  # raised to the answer's sender: the answer is cut
            made.put(exc)

    threading.Thread(target=make, name="snapshot", daemon=True).start()
    try:
        while (chunk := made.get()) is not None:
            if isinstance(chunk, BaseException):
                raise chunk
            yield chunk
    finally:
        stop.set()


def _encoded(made: Iterator[dict], server_time: str, gzipped: bool) -> Iterator[bytes]:
    """Each part a line (the first with the time), then the end line, which counts them."""
    packer = zlib.compressobj(1, wbits=31) if gzipped else None  # 31: with gzip's header
    yield _line({**next(made), "server_time": server_time}, packer)
    count = 0
    for part in made:
        count += 1
        yield _line(part, packer)
    end = _line({"end": {"parts": count}}, None)
    yield packer.compress(end) + packer.flush() if packer else end


def _line(part: dict, packer) -> bytes:
    line = json.dumps(part, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"
    return packer.compress(line) + packer.flush(zlib.Z_SYNC_FLUSH) if packer else line


def _table_parts(kind: str, batches: Iterator[list[tuple]], names: tuple[str, ...],
                 conversions: dict, deleted: list[str]) -> Iterator[dict[str, Any]]:
    """A kind read from its table: its wire fields as the columns, its rows' values converted
    a column at a time, a part for each batch; the removals in the last part, less those
    there again since (removed once, then back)."""
    gone, back, sent = set(deleted), set(), False
    at = names.index("id")
    for rows in batches:
        if gone:
            back.update(row[at] for row in rows if row[at] in gone)
        sent = True
        yield {"kind": kind, "columns": list(names),
               "rows": entities.wire_rows(rows, names, conversions), "deleted": []}
    if deleted or not sent:
        yield {"kind": kind, "columns": list(names), "rows": [],
               "deleted": [i for i in deleted if i not in back]}


def _elders_of(conn: Connection, community_id: str) -> Iterator[list[tuple]]:
    return _batches(conn, select(*(elders.c[name] for name in entities.ELDER_WIRE))
                    .where(elders.c.community_id == community_id).order_by(elders.c.id))


def _bookings_of(conn: Connection, community_id: str,
                 slot_ids: list[str]) -> Iterator[list[tuple]]:
    """The bookings of these slots (the columns their wire shape is made of), by the index of
    bookings by slot (in its order: sorting each slot's by id costs a fifth more), in
    chunks of slots."""
    columns = [bookings.c[name] for name in entities.BOOKING_WIRE]
    for start in range(0, len(slot_ids), 500):
        yield from _batches(conn, select(*columns).where(
            bookings.c.community_id == community_id,
            bookings.c.slot_id.in_(slot_ids[start:start + 500])).order_by(bookings.c.slot_id))


def _batches(conn: Connection, statement: Select) -> Iterator[list[tuple]]:
    """The statement's rows, PART_ROWS at a time, as the database driver gives them (plain
    tuples: the columns read here are all text and numbers), without a SQLAlchemy row object
    each. SQLite steps through them as they are taken; PostgreSQL's driver has them all once
    the statement has run."""
    result = conn.execute(statement)
    try:
        while rows := result.cursor.fetchmany(PART_ROWS):
            yield rows
    finally:
        result.close()


def _append_object(entry: dict[str, list], data: dict) -> None:
    """One entity as a row of the kind's columns; a field not seen before adds a column (the
    rows before it are null there)."""
    if tuple(data) == entry.setdefault("_names", ()):  # the columns, in order: the usual case
        entry["rows"].append(list(data.values()))
        return
    columns = entry["columns"]
    for name in data:
        if name not in columns:
            columns.append(name)
            for row in entry["rows"]:
                row.append(None)
    entry["_names"] = tuple(columns)
    entry["rows"].append([data.get(name) for name in columns])


def _last_changes(conn: Connection, community_id: str, kiosk_id: str,
                  cursor: int) -> list[tuple[str, str, str | None]]:
    """(kind, id, data) of each entity's last change up to `cursor` this kiosk may see, in the
    order of those changes: of every kind not read from the tables, and the removals of
    those that are."""
    rows = conn.execute(select(changes.c.kind, changes.c.entity_id, changes.c.data).where(
        changes.c.community_id == community_id, changes.c.seq <= cursor,
        or_(changes.c.kiosk_id.is_(None), changes.c.kiosk_id == kiosk_id),
        or_(changes.c.kind.not_in(FROM_TABLES), changes.c.op == "delete"),
    ).order_by(changes.c.seq)).all()
    last: dict[tuple[str, str], str | None] = {}
    for kind, entity_id, data in rows:
        last.pop((kind, entity_id), None)  # keeps them in the order of their last change
        last[(kind, entity_id)] = data
    return [(kind, entity_id, data) for (kind, entity_id), data in last.items()]
