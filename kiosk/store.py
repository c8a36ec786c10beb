"""The kiosk's local SQLite store: connection settings, migrations, transactions."""
from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from kiosk.errors import StorageError
from kiosk.migrations import LATEST, MIGRATIONS
from kiosk.private import private_dir, private_file, tighten


class Store:
    """One connection to the kiosk database. Use one Store per thread.

    `check`: at the kiosk's start, a damaged file is set aside and what still reads is
    recovered into a fresh one (kiosk.recovery); `recovery` then says what happened.
    `cache_kib`: the most SQLite keeps of the file in this process (its default: 2,000 KiB)."""

    def __init__(self, path: Path | str, check: bool = False,
                 cache_kib: int | None = None) -> None:
        path = Path(path)
        self.recovery = None
        damaged = None
        try:
            # Personal data and PIN hashes: the kiosk's user only (SQLite gives its -wal and
            # -shm files the database file's mode).
            private_dir(path.parent)
            private_file(path)
            for companion in ("-wal", "-shm"):
                tighten(path.with_name(path.name + companion))
            if check:
                damaged = _set_aside_if_damaged(path)
                private_file(path)
            conn = sqlite3.connect(str(path), timeout=10.0, check_same_thread=False)
        except (OSError, sqlite3.Error) as exc:
            raise StorageError(str(exc)) from exc
        conn.row_factory = sqlite3.Row
        self.path = path
        self.conn = conn
        self.checked = check  # the kiosk's own store: its clean close is noted (recovery)
        self._db = None
        conn.execute("PRAGMA journal_mode=WAL")  # no transaction is open yet
        # FULL: a power cut must not roll back a booking already shown as accepted.
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA busy_timeout=10000")
        if cache_kib is not None:
            conn.execute(f"PRAGMA cache_size=-{int(cache_kib)}")
        self.migrate()
        if damaged is not None:
            from kiosk.recovery import salvage

            self.recovery = salvage(self, *damaged)
        self.fill_initials()

    @property
    def db(self):
        """sqlite-utils over the same connection, for bulk writes; imported when first needed
        since it costs a fifth of the kiosk's start-up."""
        if self._db is None:
            import sqlite_utils

            self._db = sqlite_utils.Database(self.conn, execute_plugins=False)
        return self._db

    def insert_all(self, table: str, rows, ignore: bool = False) -> None:
        """Insert dict rows (lists and dicts as JSON), skipping those already there with
        `ignore`; plain SQL, so demo seeding loads no sqlite-utils (some 10 MB)."""
        verb = "INSERT OR IGNORE" if ignore else "INSERT"
        groups: dict[tuple, list[tuple]] = {}
        for row in rows:
            groups.setdefault(tuple(row), []).append(tuple(map(_sql_value, row.values())))
        for columns, values in groups.items():
            listed = ", ".join(f'"{c}"' for c in columns)
            self.conn.executemany(f'{verb} INTO "{table}" ({listed}) '
                                  f'VALUES ({", ".join("?" * len(columns))})', values)

    @property
    def schema_version(self) -> int:
        return self.conn.execute("PRAGMA user_version").fetchone()[0]

    def migrate(self) -> None:
        version = self.schema_version
        if version > LATEST:
            raise StorageError(f"database schema {version} is newer than this kiosk ({LATEST})")
        for number in range(version, LATEST):
            with self.transaction():
                for statement in _split_sql(MIGRATIONS[number]):
                    self.conn.execute(statement)
                self.conn.execute(f"PRAGMA user_version = {number + 1}")

    def fill_initials(self) -> None:
        """Names written without their pinyin initials (a store from before they were kept,
        rows salvaged or imported in bulk) get them; one indexed look when there are none."""
        if self.query_one("SELECT 1 FROM elders WHERE initials = '' AND name != '' LIMIT 1"):
            from kiosk.name_initials import fill_missing

            with self.transaction() as conn:
                fill_missing(conn)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """All-or-nothing write; takes the write lock up front so it never fails half-way."""
        if self.conn.in_transaction:
            yield from self._savepoint()
            return
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise StorageError(str(exc)) from exc
        try:
            yield self.conn
        except sqlite3.OperationalError as exc:  # disk full, I/O error: the world, not a bug
            self._rollback()
            raise StorageError(str(exc)) from exc
        except BaseException:
            self._rollback()
            raise
        try:
            self.conn.execute("COMMIT")
        except sqlite3.Error as exc:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise StorageError(str(exc)) from exc

    def _rollback(self) -> None:
        if self.conn.in_transaction:
            self.conn.execute("ROLLBACK")

    def _savepoint(self) -> Iterator[sqlite3.Connection]:
        self.conn.execute("SAVEPOINT nested")
        try:
            yield self.conn
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK TO SAVEPOINT nested")
                self.conn.execute("RELEASE SAVEPOINT nested")
            raise
        self.conn.execute("RELEASE SAVEPOINT nested")

    def query(self, sql: str, params: tuple | dict = ()) -> list[sqlite3.Row]:
        return self.conn.execute(sql, params).fetchall()

    def query_one(self, sql: str, params: tuple | dict = ()) -> sqlite3.Row | None:
        return self.conn.execute(sql, params).fetchone()

    def get_state(self, key: str, default: str = "") -> str:
        row = self.query_one("SELECT value FROM sync_state WHERE key = ?", (key,))
        return row["value"] if row else default

    def set_state(self, key: str, value: str) -> None:
        self.conn.execute(
            "INSERT INTO sync_state (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    def close(self) -> None:
        self.conn.close()
        if self.checked:
            with contextlib.suppress(OSError, sqlite3.Error):  # the next start checks it
                mark_closed(self.path)


def _sql_value(value):
    if isinstance(value, list | dict | tuple):
        import json

        return json.dumps(value, ensure_ascii=False)
    return value


def closed_marker(path: Path) -> Path:
    return path.with_name(path.name + ".closed")


def _fingerprint(path: Path) -> str:
    found = path.stat()
    return f"{found.st_size} {found.st_mtime_ns} {found.st_ino} {found.st_dev}"


def mark_closed(path: Path) -> None:
    """At the kiosk's clean close: check the file (kiosk.recovery's check, at the end of the
    day rather than before the first frame) and, if sound, note it as it is now (size, time,
    inode), so the next start need not check it again."""
    from kiosk.recovery import damage

    marker = closed_marker(path)
    marker.unlink(missing_ok=True)
    if damage(path) is not None:
        return
    partial = private_file(marker.with_name(marker.name + ".partial"))
    partial.write_text(_fingerprint(path))
    os.replace(partial, marker)


def closed_cleanly(path: Path) -> bool:
    """Whether the file is exactly as the kiosk's last clean close checked and left it, with no
    write-ahead log pending: then the check at start is left out (it reads the whole file, a
    second or more at a district's size). A crash, a power cut while writing, or anything that
    has touched the file since brings the check back."""
    wal = path.with_name(path.name + "-wal")
    try:
        if wal.exists() and wal.stat().st_size:
            return False
        return closed_marker(path).read_text() == _fingerprint(path)
    except OSError:
        return False


def _set_aside_if_damaged(path: Path):
    """(where the damaged file went, what was wrong, when), or None for a sound file."""
    if closed_cleanly(path):
        return None
    import datetime as dt

    from kiosk.recovery import damage, set_aside

    problem = damage(path)
    if problem is None:
        return None
    now = dt.datetime.now().astimezone()
    return set_aside(path, now), problem, now


def _split_sql(script: str) -> list[str]:
    """The statements of a migration script, triggers' inner semicolons included."""
    statements, pending = [], ""
    for piece in script.split(";"):
        pending += piece + ";"
        if sqlite3.complete_statement(pending):
            if not _only_comments(pending.rstrip(";")):
                statements.append(pending.strip())
            pending = ""
    if pending.strip(" \n;"):
        raise StorageError("migration ends with an incomplete statement")
    return statements


def _only_comments(statement: str) -> bool:
    return all(not ln.strip() or ln.strip().startswith("--") for ln in statement.splitlines())
