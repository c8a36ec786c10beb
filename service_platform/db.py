"""The platform's database connection: SQLite (a file, WAL) or PostgreSQL, and its transactions."""
from __future__ import annotations

import contextlib
import json
import logging
import os
import random
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from sqlalchemy import (
    Column,
    ColumnElement,
    Connection,
    Engine,
    Result,
    String,
    Table,
    Text,
    any_,
    bindparam,
    cast,
    create_engine,
    event,
    func,
    literal_column,
    select,
    true,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSON
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.sql.expression import Executable, Select

log = logging.getLogger(__name__)

T = TypeVar("T")

# PostgreSQL's "try again" states: serialization failure and deadlock.
RETRYABLE_SQLSTATES = {"40001", "40P01"}
WRITE_ATTEMPTS = 5


def database_url(target: str | Path) -> str:
    """A SQLAlchemy URL from a URL or a file path (a path means SQLite)."""
    text = str(target)
    if "://" not in text:
        path = Path(text).expanduser().resolve()
        path.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileExistsError):  # new: personal data, the platform's user's
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        return f"sqlite:///{path}"
    for prefix in ("postgresql://", "postgres://"):
        if text.startswith(prefix):
            return "postgresql+psycopg://" + text[len(prefix):]
    return text


class Database:
    """One engine and the two ways to use it: `read()` and `write()` transactions."""

    def __init__(self, target: str | Path) -> None:
        self.url = database_url(target)
        self.engine = _make_engine(self.url)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self.engine.connect() as conn, conn.begin():
            yield conn

    @contextmanager
    def read_consistent(self) -> Iterator[Connection]:
        """A read transaction whose statements all see one state of the database: PostgreSQL's
        REPEATABLE READ (its default, READ COMMITTED, gives each statement its own); a read
        transaction of SQLite's sees one state already."""
        with self.engine.connect() as conn:
            if not self.is_sqlite:
                conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                yield conn

    @contextmanager
    def write(self, durable: bool = True) -> Iterator[Connection]:
        """A write transaction; on SQLite it takes the write lock at once (BEGIN IMMEDIATE).

        `durable=False` is for what may be lost to a power cut without harm (when a kiosk last
        called): its commit does not wait for the disk — PostgreSQL's `synchronous_commit =
        off` for the transaction; SQLite `synchronous=NORMAL` for it, which in WAL mode keeps
        the database consistent and may lose only the last commits. Never for operations.
        """
        with self.engine.connect() as conn:
            conn.execution_options(platform_write=True)
            relaxed = not durable and self.is_sqlite
            if relaxed:  # on the driver's connection: outside any transaction, as it must be
                conn.connection.dbapi_connection.execute("PRAGMA synchronous=NORMAL")
            try:
                with conn.begin():
                    if not durable and not self.is_sqlite:
                        conn.exec_driver_sql("SET LOCAL synchronous_commit = off")
                    yield conn
            except BaseException:
                conn.info.pop(_AFTER_COMMIT, None)
                raise
            finally:
                if relaxed:
                    conn.connection.dbapi_connection.execute("PRAGMA synchronous=FULL")
            for action in conn.info.pop(_AFTER_COMMIT, ()):
                try:
                    action()
                except Exception:  # committed: the write's caller must not be told it failed
                    log.exception("an action after a commit failed")

    def run_write(self, work: Callable[[Connection], T]) -> T:
        """Run `work` in a write transaction, again if the database asks us to retry."""
        for attempt in range(1, WRITE_ATTEMPTS + 1):
            try:
                with self.write() as conn:
                    return work(conn)
            except OperationalError as exc:
                if attempt == WRITE_ATTEMPTS or not is_transient(exc):
                    raise
                log.info("transient database error, attempt %d: %s", attempt, type(exc.orig))
                time.sleep(random.uniform(0, 0.05 * 2**attempt))
        raise AssertionError("unreachable")

    def dispose(self) -> None:
        self.engine.dispose()


_AFTER_COMMIT = "platform_after_commit"


def after_commit(conn: Connection, action: Callable[[], None]) -> None:
    """Run `action` once the write transaction `conn` is in (`Database.write`) has committed;
    never if it rolls back. SQLAlchemy's own "commit" event comes just *before* the database
    commits: whoever is told then and reads at once may still see the state before."""
    conn.info.setdefault(_AFTER_COMMIT, []).append(action)


class Savepoints:
    """One savepoint after another inside a transaction: `with savepoints.each():` is released
    when the block ends, rolled back to when it raises, the rest of the transaction unharmed.
    Use it as a context manager: `with Savepoints(conn) as savepoints:`.

    For the operations of a pushed batch, each of which pays for its savepoint, so: plain SQL on
    the driver's cursor rather than `conn.begin_nested()`, which costs 10 times as much
    (measured on SQLite: ~70 µs against ~7 µs), and on PostgreSQL a savepoint is released
    together with the next one's start, one round trip instead of two. Not for nesting.
    """

    def __init__(self, conn: Connection) -> None:
        self._cursor = conn.connection.dbapi_connection.cursor()
        self._together = conn.dialect.name != "sqlite"  # sqlite3 runs one statement a call
        self._unreleased = False

    @contextmanager
    def each(self) -> Iterator[None]:
        if self._unreleased:
            self._cursor.execute("RELEASE SAVEPOINT platform_op; SAVEPOINT platform_op")
            self._unreleased = False
        else:
            self._cursor.execute("SAVEPOINT platform_op")
        try:
            yield
        except BaseException:
            self._cursor.execute("ROLLBACK TO SAVEPOINT platform_op")
            self._cursor.execute("RELEASE SAVEPOINT platform_op")
            raise
        if self._together:
            self._unreleased = True
        else:
            self._cursor.execute("RELEASE SAVEPOINT platform_op")

    def __enter__(self) -> Savepoints:
        return self

    def __exit__(self, exc_type, _exc, _tb) -> None:
        try:
            if self._unreleased and exc_type is None:
                self._cursor.execute("RELEASE SAVEPOINT platform_op")
        finally:
            self._unreleased = False
            self._cursor.close()


def is_transient(exc: OperationalError) -> bool:
    if getattr(exc.orig, "sqlstate", None) in RETRYABLE_SQLSTATES:
        return True
    return "database is locked" in str(exc.orig)


def _make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        # 15 connections at most, as on PostgreSQL, but all kept once opened: a connection
        # beyond a pool of 5 was closed when given back, and opened again (its pragmas too)
        # at the next burst of kiosk calls.
        engine = create_engine(url, hide_parameters=True, connect_args={"timeout": 30},
                               pool_size=15, max_overflow=0)
        _configure_sqlite(engine)
        return engine
    # psycopg prepares a statement run 5 times; PostgreSQL may then plan it once for any
    # parameters (a generic plan), and for a batch's `op_id IN (500 values)` that plan scanned
    # the whole table: 0.5 s a query once applied_ops held some 60,000 rows. So none of ours
    # is prepared (`prepare_threshold=None`): each is planned for its values, as an unnamed
    # statement always is. Not by forcing custom plans for the session
    # (`plan_cache_mode=force_custom_plan`, as before): that also planned anew the foreign-key
    # check PostgreSQL runs for every row inserted — two fifths of its CPU in a push.
    return create_engine(url, hide_parameters=True, pool_pre_ping=True, pool_size=5,
                         max_overflow=10, connect_args={"prepare_threshold": None})


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record) -> None:
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves, below
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")  # an acknowledged operation survives power loss
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        immediate = conn.get_execution_options().get("platform_write", False)
        # on the driver's connection: every transaction starts here, and SQLAlchemy's statement
        # machinery (events, a result) costs many times what SQLite takes to begin
        conn.connection.dbapi_connection.execute("BEGIN IMMEDIATE" if immediate else "BEGIN")


class WriteBehind:
    """INSERTs held back and sent together (`insert_rows`) just before the connection's next
    statement of any kind, and at the end of the block: whatever the transaction reads next sees
    the rows already. For a pushed batch, whose operations each insert one booking: one round
    trip for all of them rather than one each. A constraint the held rows break fails that next
    statement instead of their own, so use it only where any failure redoes the whole block.

        with WriteBehind(conn) as held:
            held.insert(table, row)      # or conn.execute(insert(table), row) outside it
    """

    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        self._held: dict[tuple, list[tuple]] = {}

    def insert(self, table: Table, row: dict) -> None:
        self._held.setdefault((table, tuple(row)), []).append(tuple(row.values()))

    def flush(self) -> None:
        held, self._held = self._held, {}
        for (table, columns), rows in held.items():  # in the order first held: one table order
            _send_rows(self._conn, table, columns, rows)

    def _before(self, *_args) -> None:
        if self._held:
            self.flush()

    def __enter__(self) -> WriteBehind:
        self._conn.info[_WRITE_BEHIND] = self
        event.listen(self._conn, "before_cursor_execute", self._before)
        return self

    def __exit__(self, exc_type, _exc, _tb) -> None:
        event.remove(self._conn, "before_cursor_execute", self._before)
        self._conn.info.pop(_WRITE_BEHIND, None)
        if exc_type is None:
            self.flush()
        else:
            self._held = {}


_WRITE_BEHIND = "platform_write_behind"


def held_insert(conn: Connection, table: Table, row: dict) -> None:
    """Insert `row` into `table` now, or with the next statement inside `WriteBehind(conn)`."""
    behind: WriteBehind | None = conn.info.get(_WRITE_BEHIND)
    if behind is None:
        conn.execute(table.insert(), row)
    else:
        behind.insert(table, row)


class Lookup:
    """Rows of a table by a key, for many keys at once (a pushed batch's hundreds, or one):
    `Lookup(columns, key, *where).rows(conn, keys, **params)` with `params` the values
    `where`'s bindparams ask for. The statement is built once per kind of database: building
    one costs more than SQLite takes to run a small one. Keys are plain text or numbers.

    On SQLite: `key IN` the keys of a JSON array, read by `json_each` (an expanding
    `IN (?, ?, …)` is rendered anew at every run); each key is probed in the index with the
    most of `where`'s equalities and the key. On PostgreSQL, a `unique` key (at most one row
    each under `where`: a primary key) is probed in its index, key by key: a LATERAL
    subquery, with LIMIT 1, for each key of a JSON array of text read by
    `json_array_elements_text` — `key = ANY(keys)` was planned, for a young table without
    statistics, as a scan of all the community's rows (milliseconds more a batch for every
    few thousand rows); a JSON array, not a parameter array, because psycopg writes a list of
    strings as an array literal in Python, 1.2–1.5 µs a key (a pushed batch looks up three
    such keys an operation), and `json.dumps` takes a tenth of that. Other keys go as
    `key = ANY(keys)`: where several indexes fit a probe equally well, the planner without
    statistics may pick the one that makes each probe a scan, and key by key that would be a
    scan for every key."""

    def __init__(self, columns: Sequence[ColumnElement], key: Column,
                 *where: ColumnElement[bool], unique: bool = True) -> None:
        self._columns = columns
        self._key = key
        self._where = where
        self._unique = unique
        self._built: dict[str, Executable] = {}

    def rows(self, conn: Connection, keys: Sequence, **params) -> Result:
        dialect = conn.dialect.name
        statement = self._built.get(dialect)
        if statement is None:
            statement = self._built[dialect] = self._build(dialect)
        as_array = dialect == "postgresql" and not self._unique
        params["keys"] = list(keys) if as_array else json.dumps(list(keys))
        return conn.execute(statement, params)

    def _build(self, dialect: str) -> Executable:
        if dialect != "postgresql":
            return select(*self._columns).where(*self._where, self._key.in_(
                select(literal_column("value")).select_from(func.json_each(bindparam("keys")))))
        if not self._unique:
            keys = bindparam("keys", type_=ARRAY(self._key.type))
            return select(*self._columns).where(*self._where, self._key == any_(keys))
        wanted = func.json_array_elements_text(cast(bindparam("keys", type_=Text), JSON)) \
            .table_valued("value").render_derived(name="wanted")
        # text against a text key as it is (no cast: a VARCHAR(n) cast would cut a longer key)
        key = wanted.c.value if isinstance(self._key.type, String) \
            else cast(wanted.c.value, self._key.type)
        found = select(*self._columns).where(
            *self._where, self._key == key).limit(literal_column("1")).lateral("found")
        return select(*found.c).select_from(wanted).join(found, true())


class CursorRead:
    """A SELECT built once and run on the driver's cursor, for the reads of every kiosk call
    (its token, its community's feed head): running a small statement through SQLAlchemy
    (events, compiled-cache look-up, result objects) costs several times what the database
    takes to answer it. Compiled once per kind of database; only for columns whose values need
    no conversion (text, numbers). Errors are raised as SQLAlchemy's, as `conn.execute` would."""

    def __init__(self, statement: Select) -> None:
        self._statement = statement
        self.columns = tuple(column.name for column in statement.selected_columns)
        self._compiled: dict[str, tuple[str, tuple[str, ...] | None]] = {}

    def first(self, conn: Connection, params: dict) -> tuple | None:
        """The first row for these parameters, as a tuple in the order of `columns`."""
        dialect = conn.dialect
        compiled = self._compiled.get(dialect.name)
        if compiled is None:
            done = self._statement.compile(dialect=dialect)
            compiled = self._compiled[dialect.name] = (
                done.string, tuple(done.positiontup) if done.positional else None)
        sql, order = compiled
        dbapi = dialect.loaded_dbapi
        cursor = conn.connection.dbapi_connection.cursor()
        try:
            cursor.execute(sql, params if order is None else tuple(params[n] for n in order))
            return cursor.fetchone()
        except dbapi.Error as exc:
            raise DBAPIError.instance(sql, None, exc, dbapi.Error, dialect=dialect) from exc
        finally:
            cursor.close()


def insert_rows(conn: Connection, table: Table, columns: tuple[str, ...],
                rows: list[tuple]) -> None:
    """Insert many rows of plain values (text, numbers, None: no SQLAlchemy types applied),
    each a tuple of the `columns`' values in their order, in as few statements as the database
    allows; whatever a `WriteBehind` holds goes first."""
    if not rows:
        return
    behind: WriteBehind | None = conn.info.get(_WRITE_BEHIND)
    if behind is not None:
        behind.flush()
    _send_rows(conn, table, columns, rows)


def _send_rows(conn: Connection, table: Table, columns: tuple[str, ...],
               rows: list[tuple]) -> None:
    """On the driver's cursor: SQLite runs the INSERT for each row in C (`executemany`);
    PostgreSQL gets the rows by `COPY … FROM STDIN`, one round trip, each row formatted in C —
    psycopg's `executemany` sends each row as a statement of its own, at some 40 µs of Python
    a row. Errors are raised as SQLAlchemy's (IntegrityError, OperationalError), as
    `conn.execute` raises them."""
    quote = conn.dialect.identifier_preparer.quote
    target = f"{quote(table.name)} ({', '.join(map(quote, columns))})"
    dbapi = conn.dialect.loaded_dbapi
    cursor = conn.connection.dbapi_connection.cursor()
    statement = ""
    try:
        if conn.dialect.name == "sqlite":
            statement = f"INSERT INTO {target} VALUES ({', '.join('?' * len(columns))})"
            cursor.executemany(statement, rows)
        else:
            statement = f"COPY {target} FROM STDIN"
            with cursor.copy(statement) as copy:
                for row in rows:
                    copy.write_row(row)
    except dbapi.Error as exc:
        raise DBAPIError.instance(statement, None, exc, dbapi.Error,
                                  dialect=conn.dialect) from exc
    finally:
        cursor.close()
