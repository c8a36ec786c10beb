"""Starting from a damaged kiosk database (a truncated file, a garbage page): the file is kept
aside under a timestamped name, what still reads goes into a fresh one — unsent operations
first, found even where SQLite's own tables no longer lead to them — and staff are told, in
plain words and in a log line without personal data. Never an empty start in silence."""
from __future__ import annotations

import datetime as dt
import json
import logging
import os
import re
import sqlite3
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kiosk.store import Store

log = logging.getLogger(__name__)

NOTICE_KEY = "store_recovered"  # sync_state: the last recovery, as JSON
TOLD_KEY = "store_recovered_told"  # sync_state: "1" once the staff home has said it
DAMAGE_CODES = (11, 26)  # SQLITE_CORRUPT, SQLITE_NOTADB: the file, not the world around it
FIRST = ("outbox", "sync_state", "staff_pins", "staff")  # what no platform can give back
LOCAL_ONLY = ("staff_pins", "audit_log", "elder_edits", "attention_done")
OUTBOX_COLUMNS = ("seq", "op_id", "op_type", "payload", "priority", "state", "attempts",
                  "result", "created_at", "done_at")
STATES = ("pending", "applied", "rejected", "failed")  # states only move forward
ROWID_MIN, ROWID_MAX = -(2**63), 2**63 - 1


@dataclass(frozen=True)
class Recovery:
    at: str  # when (UTC)
    kept_as: str  # the damaged file's new name, in the data folder
    problem: str  # what SQLite said of it (no personal data: codes, page and table names)
    unsent: int  # unsent operations found again
    rows: int  # rows found again in all
    outbox_whole: bool  # every operation of the outbox could be read
    lost: tuple[str, ...]  # tables that could not be read whole

    @property
    def unsent_may_be_lost(self) -> bool:
        return not self.outbox_whole


def damage(path: Path) -> str | None:
    """What is wrong with the database file, or None if SQLite finds it sound (or absent)."""
    if not path.exists() or path.stat().st_size == 0:
        return None
    try:
        conn = sqlite3.connect(str(path), timeout=10.0)
        try:
            found = [row[0] for row in conn.execute("PRAGMA quick_check(5)")]
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        if getattr(exc, "sqlite_errorcode", 0) & 0xFF not in DAMAGE_CODES:
            raise  # locked, unreadable, disk failing: not for us to move the file
        return str(exc)
    return None if found == ["ok"] else "; ".join(found)[:300]


def set_aside(path: Path, now: dt.datetime) -> Path:
    """Rename the damaged file (and its -wal, -shm) out of the way, keeping all of it."""
    aside = path.with_name(f"{path.name}.damaged-{now.strftime('%Y%m%dT%H%M%S')}")
    for suffix in ("-wal", "-shm", ""):
        companion = path.with_name(path.name + suffix)
        if companion.exists():
            os.replace(companion, aside.with_name(aside.name + suffix))
    return aside


def salvage(store: Store, aside: Path, problem: str, now: dt.datetime) -> Recovery:
    """Copy what still reads of `aside` into the fresh, migrated `store`; record and log it."""
    source = _open(aside)
    tables = _tables(store.conn)
    counts: dict[str, int] = {}
    whole: dict[str, bool] = {}
    store.conn.execute("PRAGMA foreign_keys=OFF")  # rows come back in any order, or not at all
    try:
        with store.transaction() as conn:
            for table in sorted(tables, key=lambda t: (t not in FIRST, FIRST.index(t)
                                                       if t in FIRST else 0, t)):
                columns, rows, whole[table] = _read(source, table, tables[table])
                if table == "outbox" and not whole[table]:
                    rows = _with_scanned_outbox(aside, columns, rows)
                counts[table] = _insert(conn, table, columns, rows)
            # What the platform holds comes again from the start of its feed, as upserts.
            store.set_state("pull_cursor", "0")
            unsent = conn.execute("SELECT COUNT(*) FROM outbox WHERE state = 'pending'"
                                  ).fetchone()[0]
            recovery = Recovery(now.astimezone(dt.UTC).isoformat(timespec="seconds"),
                                aside.name, problem, unsent, sum(counts.values()),
                                whole.get("outbox", False),
                                tuple(sorted(t for t, ok in whole.items() if not ok)))
            store.set_state(NOTICE_KEY, json.dumps(asdict(recovery)))
            store.set_state(TOLD_KEY, "")
    finally:
        store.conn.execute("PRAGMA foreign_keys=ON")
        if source is not None:
            source.close()
    log.error("the kiosk database was damaged (%s): kept as %s; %d unsent operations and %d "
              "rows recovered; not read whole: %s", problem, aside.name, recovery.unsent,
              recovery.rows, ", ".join(recovery.lost) or "nothing")
    return recovery


def last_recovery(store: Store) -> Recovery | None:
    text = store.get_state(NOTICE_KEY)
    if not text:
        return None
    data = json.loads(text)
    return Recovery(**{**data, "lost": tuple(data.get("lost") or ())})


def notice_lines(recovery: Recovery, t, tz: dt.tzinfo) -> list[str]:
    """What staff are told, in their words."""
    when = dt.datetime.fromisoformat(recovery.at).astimezone(tz).strftime("%Y-%m-%d %H:%M")
    lines = [t("store.recovered", time=when, file=recovery.kept_as, count=recovery.unsent)]
    if recovery.unsent_may_be_lost:
        lines.append(t("store.recovered.unsent_lost"))
    if "staff_pins" in recovery.lost:
        lines.append(t("store.recovered.pins_lost"))
    return lines


def _open(aside: Path) -> sqlite3.Connection | None:
    try:
        source = sqlite3.connect(str(aside), timeout=10.0)
        # Read a file shorter than its header says, as far as it goes (SQLite's own .recover
        # does the same); nothing is ever written to it.
        source.execute("PRAGMA writable_schema=ON")
        source.execute("PRAGMA cell_size_check=ON")
        return source
    except sqlite3.Error:
        return None


def _tables(conn: sqlite3.Connection) -> dict[str, list[str]]:
    names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                        "AND name NOT LIKE 'sqlite_%'")]
    return {name: [r[1] for r in conn.execute(f'PRAGMA table_info("{name}")')]
            for name in names}


def _read(source: sqlite3.Connection | None, table: str,
          wanted: list[str]) -> tuple[list[str], list[tuple], bool]:
    """The columns both schemas have, the rows that read, and whether that was all of them."""
    if source is None:
        return wanted, [], False
    try:
        have = [r[1] for r in source.execute(f'PRAGMA table_info("{table}")')]
    except sqlite3.DatabaseError:
        return wanted, [], False
    if not have:  # not in that (older) schema: nothing was lost
        return wanted, [], True
    columns = [c for c in wanted if c in have]
    listed = ", ".join(f'"{c}"' for c in columns)
    scan = f'SELECT rowid, {listed} FROM "{table}" NOT INDEXED WHERE rowid > ? ORDER BY rowid'
    rows: list[tuple] = []
    whole, after = True, ROWID_MIN
    while True:
        try:
            for row in source.execute(scan, (after,)):
                after = row[0]
                rows.append(tuple(row[1:]))
            return columns, rows, whole
        except sqlite3.DatabaseError:
            whole = False
            after = _skip_damage(source, table, after)
            if after is None:
                return columns, rows, whole


def _first_rowid(source: sqlite3.Connection, table: str, at_least: int) -> int | None:
    """The first rowid ≥ `at_least` (None: there is none); raises where the way is damaged."""
    row = source.execute(f'SELECT rowid FROM "{table}" NOT INDEXED WHERE rowid >= ? '
                         f"ORDER BY rowid LIMIT 1", (at_least,)).fetchone()
    return None if row is None else row[0]


def _skip_damage(source: sqlite3.Connection, table: str, after: int) -> int | None:
    """Where to go on scanning past damage after rowid `after`: the row after it if only that
    row is broken, else past the first readable rowid beyond the damaged stretch."""
    try:
        broken = _first_rowid(source, table, after + 1)
        return None if broken is None else broken  # that row is lost; go on after it
    except sqlite3.DatabaseError:
        pass
    bad, step = after + 1, 1
    while True:  # farther and farther until the way is readable again, or the end
        probe = after + 1 + step
        if probe > ROWID_MAX // 2:
            return None
        try:
            found = _first_rowid(source, table, probe)
            break
        except sqlite3.DatabaseError:
            bad, step = probe, step * 2
    good = probe
    while good - bad > 1:  # then back to the first readable place
        middle = (bad + good) // 2
        try:
            found_here = _first_rowid(source, table, middle)
            good, found = middle, found_here
        except sqlite3.DatabaseError:
            bad = middle
    return None if found is None else found - 1


def _insert(conn: sqlite3.Connection, table: str, columns: list[str], rows: list[tuple]) -> int:
    if not rows:
        return 0
    listed = ", ".join(f'"{c}"' for c in columns)
    marks = ", ".join("?" * len(columns))
    before = conn.total_changes
    conn.executemany(f'INSERT OR IGNORE INTO "{table}" ({listed}) VALUES ({marks})', rows)
    return conn.total_changes - before


# -- the outbox from the file's pages, where SQLite's own tables no longer lead to it ------

UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
OP_TYPE = re.compile(r"^[a-z_]+\.[a-z_]+$")


def _with_scanned_outbox(aside: Path, columns: list[str], rows: list[tuple]) -> list[tuple]:
    """The rows read, and every further operation found in the file's pages."""
    if "op_id" not in columns:
        return rows
    index = columns.index("op_id")
    known = {row[index] for row in rows}
    found = [op for op in scan_outbox(aside) if op["op_id"] not in known]
    return rows + [tuple(op.get(c) for c in columns) for op in found]


def scan_outbox(path: Path) -> list[dict]:
    """Outbox rows found in the raw pages of a database file (table b-tree leaf cells), each
    operation once, in its most advanced state (stale copies in freed pages are older)."""
    try:
        data = path.read_bytes()
    except OSError:
        return []
    best: dict[str, dict] = {}
    for size in _page_sizes(data):
        for rowid, values in _leaf_records(data, size):
            op = _outbox_row(rowid, values)
            if op is None:
                continue
            held = best.get(op["op_id"])
            if held is None or STATES.index(op["state"]) > STATES.index(held["state"]):
                best[op["op_id"]] = op
        if best:
            break
    return sorted(best.values(), key=lambda op: op["seq"])


def _page_sizes(data: bytes) -> list[int]:
    """The header's page size when it reads, then the usual ones."""
    sizes = []
    if data[:16] == b"SQLite format 3\x00":
        size = int.from_bytes(data[16:18], "big")
        size = 65536 if size == 1 else size
        if 512 <= size <= 65536 and size & (size - 1) == 0:
            sizes.append(size)
    return sizes + [s for s in (4096, 1024, 8192, 16384, 32768, 65536, 512) if s not in sizes]


def _leaf_records(data: bytes, size: int):
    for start in range(0, len(data) - size + 1, size):
        page = data[start:start + size]
        head = 100 if start == 0 else 0
        if page[head] != 0x0D:  # a table b-tree leaf
            continue
        cells = int.from_bytes(page[head + 3:head + 5], "big")
        for n in range(min(cells, size // 2)):
            at = head + 8 + 2 * n
            offset = int.from_bytes(page[at:at + 2], "big")
            try:
                yield _cell(page, offset, size)
            except (IndexError, ValueError):
                continue


def _cell(page: bytes, offset: int, size: int) -> tuple[int, list]:
    length, at = _varint(page, offset)
    rowid, at = _varint(page, at)
    if length > size - 35:  # spilled onto overflow pages: not an outbox row
        raise ValueError("overflow")
    return rowid, _record(page[at:at + length])


def _record(payload: bytes) -> list:
    header, at = _varint(payload, 0)
    kinds = []
    while at < header:
        kind, at = _varint(payload, at)
        kinds.append(kind)
    values, at = [], header
    for kind in kinds:
        value, at = _value(payload, at, kind)
        values.append(value)
    if at > len(payload):
        raise ValueError("short record")
    return values


INT_SIZES = {1: 1, 2: 2, 3: 3, 4: 4, 5: 6, 6: 8}


def _value(payload: bytes, at: int, kind: int):
    if kind == 0:
        return None, at
    if kind in INT_SIZES:
        width = INT_SIZES[kind]
        return int.from_bytes(payload[at:at + width], "big", signed=True), at + width
    if kind in (8, 9):
        return kind - 8, at
    if kind == 7:
        return None, at + 8  # a float: never in the outbox
    if kind >= 12:
        width = (kind - 12) // 2
        raw = payload[at:at + width]
        if len(raw) < width:
            raise ValueError("short value")
        return (raw.decode("utf-8") if kind % 2 else raw), at + width
    raise ValueError("reserved serial type")


def _varint(data: bytes, at: int) -> tuple[int, int]:
    value = 0
    for n in range(9):
        byte = data[at + n]
        if n == 8:
            return (value << 8) | byte, at + 9
        value = (value << 7) | (byte & 0x7F)
        if byte < 0x80:
            return value, at + n + 1
    raise ValueError("varint")


def _outbox_row(rowid: int, values: list) -> dict | None:
    if len(values) != len(OUTBOX_COLUMNS):
        return None
    row = dict(zip(OUTBOX_COLUMNS, values, strict=True))
    if not (isinstance(row["op_id"], str) and UUID.match(row["op_id"])
            and isinstance(row["op_type"], str) and OP_TYPE.match(row["op_type"])
            and isinstance(row["payload"], str) and row["state"] in STATES
            and isinstance(row["created_at"], str) and isinstance(row["priority"], int)):
        return None
    try:
        if not isinstance(json.loads(row["payload"]), dict):
            return None
    except ValueError:
        return None
    row["seq"] = rowid
    row["attempts"] = row["attempts"] if isinstance(row["attempts"], int) else 0
    return row
