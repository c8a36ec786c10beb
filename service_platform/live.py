"""Live updates for the console: "something changed in community X", told to every process.

A write that changes what the console shows (a help request arriving, acknowledged, escalated)
calls `publish(conn, community_id)` inside its transaction. Once the transaction has committed
(not before: a console told earlier could read the state before it and miss the change):
- this process's listeners hear it at once (the hub below);
- on PostgreSQL, `pg_notify` tells every other platform process on the same database, whose
  listener thread (`PostgresListener`) passes it to its own hub.
Nothing is kept in one process's memory that another needs: the message only says "look again";
what to show is read from the database by whoever listens.
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import AsyncIterator

from sqlalchemy import Connection, Engine, event, text

from service_platform.db import after_commit

log = logging.getLogger(__name__)

CHANNEL = "platform_console"
_PENDING = "live_pending"


class Hub:
    """This process's listeners; thread-safe to announce to, each listener on its own loop."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queues: set[tuple[asyncio.AbstractEventLoop, asyncio.Queue]] = set()

    def announce(self, community_id: str) -> None:
        with self._lock:
            queues = list(self._queues)
        for loop, queue in queues:
            with contextlib.suppress(RuntimeError):  # its loop has closed
                loop.call_soon_threadsafe(queue.put_nowait, community_id)

    @contextlib.asynccontextmanager
    async def listen(self) -> AsyncIterator[asyncio.Queue]:
        """A queue of community ids announced from now on, until the block ends."""
        entry = (asyncio.get_running_loop(), asyncio.Queue())
        with self._lock:
            self._queues.add(entry)
        try:
            yield entry[1]
        finally:
            with self._lock:
                self._queues.discard(entry)


HUB = Hub()  # one per process


def publish(conn: Connection, community_id: str) -> None:
    """Tell listeners in every process about `community_id` once this transaction (a
    `Database.write`) has committed, so that what they read then shows the change."""
    pending: set[str] | None = conn.info.get(_PENDING)
    if pending is None:
        pending = conn.info[_PENDING] = set()
        after_commit(conn, lambda: _announce(conn.info.pop(_PENDING, ())))
    pending.add(community_id)
    if conn.dialect.name == "postgresql":  # delivered by PostgreSQL on commit
        conn.execute(text("SELECT pg_notify(:channel, :community)"),
                     {"channel": CHANNEL, "community": community_id})


def _announce(community_ids) -> None:
    for community_id in community_ids:
        HUB.announce(community_id)


@event.listens_for(Engine, "rollback")
def _after_rollback(conn: Connection) -> None:
    conn.info.pop(_PENDING, None)


class PostgresListener:
    """A thread holding one PostgreSQL connection that LISTENs and passes what it hears to HUB."""

    RECONNECT_AFTER = 2.0

    def __init__(self, engine: Engine, hub: Hub = HUB) -> None:
        self._conninfo = engine.url.set(drivername="postgresql").render_as_string(
            hide_password=False)
        self._hub = hub
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="live-listener", daemon=True)
        self.ready = threading.Event()

    def start(self) -> PostgresListener:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        import psycopg

        while not self._stop.is_set():
            try:
                with psycopg.connect(self._conninfo, autocommit=True) as pg:
                    pg.execute(f"LISTEN {CHANNEL}")
                    self.ready.set()
                    while not self._stop.is_set():
                        for note in pg.notifies(timeout=1.0):
                            self._hub.announce(note.payload)
            except Exception as exc:  # the database went away: listen again when it is back
                self.ready.clear()
                log.warning("live listener lost its database (%s); retrying",
                            type(exc).__name__)
                self._stop.wait(self.RECONNECT_AFTER)
