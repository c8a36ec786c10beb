"""The community's services as the platform publishes them (docs/services.md), read from the
local store; a kiosk that has not heard from a platform yet offers the standard catalogue."""
from __future__ import annotations

import json
import logging
import sqlite3

from elder_wire.catalogue import STANDARD, Service
from kiosk.store import Store

log = logging.getLogger(__name__)


def entries(store: Store) -> list[Service]:
    """Every entry, in tile order; an entry that cannot be read is left out (and logged)."""
    rows = store.query("SELECT key, data FROM services")
    if not rows:
        return sorted(STANDARD, key=lambda s: (s.order, s.key))
    found = []
    for row in rows:
        try:
            found.append(Service.from_wire(json.loads(row["data"])))
        except (KeyError, TypeError, ValueError):
            log.warning("service %r cannot be read; not shown", row["key"])
    return sorted(found, key=lambda s: (s.order, s.key))


def entry(store: Store, key: str) -> Service | None:
    return next((s for s in entries(store) if s.key == key), None)


def offered(store: Store, group: str = "") -> list[Service]:
    """The tiles of the services screen (`group` ''), or of a group's screen: active entries
    whose slot kind this kiosk can book; a group only if it offers something itself."""
    every = [s for s in entries(store) if s.active and s.known]
    return [s for s in every if s.group == group
            and (s.slot_kind != "group" or any(m.group == s.key for m in every))]


def save(conn: sqlite3.Connection, items: list[dict], deleted: list[str], stamp: str) -> None:
    """Entries as pulled (kept as sent, unknown fields and all); removed ones go."""
    conn.executemany(
        "INSERT INTO services (key, data, updated_at) VALUES (?, ?, ?) "
        "ON CONFLICT (key) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at",
        [(item["key"], json.dumps(item, ensure_ascii=False), stamp) for item in items
         if isinstance(item.get("key"), str)])
    conn.executemany("DELETE FROM services WHERE key = ?", [(key,) for key in deleted])


def seed_standard(conn: sqlite3.Connection, stamp: str) -> None:
    """The standard catalogue, where none was pulled (the kiosk's own demo)."""
    conn.executemany("INSERT OR IGNORE INTO services (key, data, updated_at) VALUES (?, ?, ?)",
                     [(s.key, json.dumps(s.to_wire(), ensure_ascii=False), stamp)
                      for s in STANDARD])
