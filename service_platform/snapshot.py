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
row); `deleted` lists the entities whose last change removed them.
"""
from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, Select, or_, select

from service_platform import entities, feed
from service_platform.schema import bookings, changes, elders

# Kinds read from their tables; every other kind from the feed.
FROM_TABLES = ("elder", "booking")
SLOT_KINDS = ("meal_slot", "service_slot")


def snapshot(conn: Connection, community_id: str, kiosk_id: str) -> dict[str, Any]:
    """The community's current state as this kiosk may see it, and its feed cursor."""
    cursor, horizon = feed.head(conn, community_id)  # first: the state below is this one's
    kinds: dict[str, dict[str, Any]] = {}
    elder_rows = _tuples(conn, select(*(elders.c[name] for name in entities.ELDER_WIRE))
                         .where(elders.c.community_id == community_id).order_by(elders.c.id))
    _from_table(kinds, "elder", elder_rows, entities.ELDER_WIRE, entities.ELDER_CONVERSIONS)
    slot_ids = []
    for kind, entity_id, data in _last_changes(conn, community_id, kiosk_id, cursor):
        entry = _entry(kinds, kind)
        if data is None:
            entry["deleted"].append(entity_id)
        elif kind not in FROM_TABLES:
            _append_object(entry, json.loads(data))
            if kind in SLOT_KINDS:
                slot_ids.append(entity_id)
    _from_table(kinds, "booking", _bookings_of(conn, community_id, slot_ids),
                entities.BOOKING_WIRE, entities.BOOKING_CONVERSIONS)
    for kind in FROM_TABLES:  # removed once, and there again since
        entry = kinds[kind]
        if entry["deleted"] and entry["rows"]:
            at = entry["columns"].index("id")
            there = {row[at] for row in entry["rows"]}
            entry["deleted"] = [i for i in entry["deleted"] if i not in there]
    for entry in kinds.values():
        entry.pop("_names", None)
    return {"cursor": cursor, "horizon": horizon, "kinds": kinds}


def _bookings_of(conn: Connection, community_id: str, slot_ids: list[str]) -> list[tuple]:
    """The bookings of these slots (the columns their wire shape is made of), by the index of
    bookings by slot (in its order: sorting each slot's by id costs a fifth more), in chunks."""
    columns = [bookings.c[name] for name in entities.BOOKING_WIRE]
    found = []
    for start in range(0, len(slot_ids), 500):
        found += _tuples(conn, select(*columns).where(
            bookings.c.community_id == community_id,
            bookings.c.slot_id.in_(slot_ids[start:start + 500])).order_by(bookings.c.slot_id))
    return found


def _tuples(conn: Connection, statement: Select) -> list[tuple]:
    """The statement's rows as the database driver gives them (plain tuples: the columns read
    here are all text and numbers), without a SQLAlchemy row object each."""
    result = conn.execute(statement)
    try:
        return result.cursor.fetchall()
    finally:
        result.close()


def _entry(kinds: dict, kind: str) -> dict[str, Any]:
    return kinds.setdefault(kind, {"columns": [], "rows": [], "deleted": []})


def _from_table(kinds: dict, kind: str, rows: list[tuple], names: tuple[str, ...],
                conversions: dict) -> None:
    """A kind read from its table: its wire fields as the columns, its rows' values converted
    a column at a time."""
    entry = _entry(kinds, kind)
    entry["columns"] = list(names)
    entry["rows"] = entities.wire_rows(rows, names, conversions)


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
