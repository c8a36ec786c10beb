"""A platform killed mid-push and mid-pull: after a restart all resumes and nothing is lost.

A pushed batch is one transaction (docs/protocol.md §4.1): killed while applying it, the
platform keeps all of it or none, and the kiosk's retry gets each operation applied once.
"""
from __future__ import annotations

import contextlib
import sqlite3
import threading
import time

import psycopg
import requests
from sqlalchemy import func, select

from service_platform.db import Database
from service_platform.schema import applied_ops, changes
from tests.platform.servers import PlatformProcess, wait_until
from tests.platform.wire import KioskClient, TestPlatform, booking_op, confirmed_in_feed

OPS = 500  # the largest batch (docs §4)


def _applied(db: Database, op_ids: list[str] | None = None) -> int:
    query = select(func.count()).select_from(applied_ops)
    if op_ids is not None:
        query = query.where(applied_ops.c.op_id.in_(op_ids))
    with db.read() as conn:
        return conn.execute(query).scalar_one()


def _feed_seqs(db: Database, community: str) -> list[int]:
    with db.read() as conn:
        return list(conn.execute(select(changes.c.seq).where(
            changes.c.community_id == community).order_by(changes.c.seq)).scalars())


def _sqlite_writing(path: str) -> bool:
    """A write transaction is open on the file (SQLite's write lock is taken)."""
    conn = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("ROLLBACK")
        return False
    except sqlite3.OperationalError:
        return True
    finally:
        conn.close()


def _postgres_writing(url: str) -> bool:
    """A transaction has stored an operation and not ended (it holds its lock on the table)."""
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"),
                         autocommit=True) as conn:
        return conn.execute(
            "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
            "WHERE c.relname = 'applied_ops' AND l.mode = 'RowExclusiveLock' "
            "AND l.pid <> pg_backend_pid()").fetchone()[0] > 0


def _push_until_killed(kiosk: KioskClient, batch: list[dict]) -> threading.Thread:
    def push():
        with contextlib.suppress(requests.ConnectionError):  # the platform goes away
            kiosk.post("/v1/push", {"operations": batch})
    pusher = threading.Thread(target=push)
    pusher.start()
    return pusher


def _kill_mid_batch(process: PlatformProcess, db: Database, kiosk: KioskClient,
                    batch: list[dict], batch_seconds: float, fraction: float) -> None:
    """Kill the platform while the batch is being applied: once it has begun writing, after
    `fraction` of the time a whole batch takes."""
    writing = (lambda: _sqlite_writing(process.db_target)) if db.is_sqlite \
        else (lambda: _postgres_writing(process.db_target))
    pusher = _push_until_killed(kiosk, batch)
    wait_until(writing, 30, "the batch to be written", interval=0.002)
    time.sleep(batch_seconds * fraction)
    process.kill()
    pusher.join(timeout=30)


def _kill_before_commit(process: PlatformProcess, community: str, kiosk: KioskClient,
                        batch: list[dict]) -> None:
    """PostgreSQL, exactly: hold the community's feed head, which a batch locks last, after all
    of its operations are written; kill the platform once the batch waits for it."""
    url = process.db_target.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url) as holder:
        holder.execute("SELECT 1 FROM feed_heads WHERE community_id = %s FOR UPDATE",
                       (community,))
        pusher = _push_until_killed(kiosk, batch)
        with psycopg.connect(url, autocommit=True) as watcher:
            wait_until(lambda: watcher.execute(
                "SELECT count(*) FROM pg_locks WHERE NOT granted").fetchone()[0] > 0,
                30, "the batch to wait for the feed head", interval=0.01)
        assert _postgres_writing(process.db_target)  # its operations are written, uncommitted
        process.kill()
        pusher.join(timeout=30)
        holder.rollback()


def test_batch_killed_mid_way_is_all_or_nothing_and_the_retry_applies_it_once(start_platform):
    process = start_platform()
    db = Database(process.db_target)
    try:
        setup = TestPlatform(process.base_url, db)
        community = setup.community(elders=OPS + 1)
        kiosk = setup.kiosk(community)
        token = kiosk.headers["Authorization"][7:]
        # How long a batch like it takes, to aim the kill at its middle.
        warm_slot = setup.slot(community, capacity=OPS)
        began = time.monotonic()
        kiosk.push(*[booking_op(f"elder-{n:03d}", warm_slot) for n in range(1, OPS + 1)])
        batch_seconds = time.monotonic() - began

        outcomes = []
        # SQLite locks the whole file, so the kill is aimed by time (a few tries); PostgreSQL
        # is stopped exactly: every operation written, the commit not yet made.
        fractions = (0.5, 0.3, 0.15, 0.05) if db.is_sqlite else (None,)
        for fraction in fractions:
            slot = setup.slot(community, capacity=OPS)
            batch = [booking_op(f"elder-{n:03d}", slot) for n in range(1, OPS + 1)]
            op_ids = [op["op_id"] for op in batch]
            feed_before = _feed_seqs(db, community)
            if db.is_sqlite:
                _kill_mid_batch(process, db, kiosk, batch, batch_seconds, fraction)
            else:
                _kill_before_commit(process, community, kiosk, batch)

            kept = _applied(db, op_ids)
            outcomes.append(kept)
            assert kept in (0, OPS), f"{kept} of {OPS} operations of a killed batch were kept"
            feed = _feed_seqs(db, community)
            assert len(feed) - len(feed_before) == (OPS if kept else 0)

            process = start_platform(process.db_target)
            kiosk = KioskClient(process.base_url, token)
            results = kiosk.push(*batch)
            assert [r["status"] for r in results] == ["applied"] * OPS
            assert kiosk.push(*batch) == results  # and once more: the stored results
            assert _applied(db, op_ids) == OPS
            pulled, _ = kiosk.pull_all()
            assert confirmed_in_feed(pulled, slot) == OPS
            assert len({c["id"] for c in pulled if c["kind"] == "booking"
                        and c["data"]["slot_id"] == slot}) == OPS
            seqs = _feed_seqs(db, community)
            assert seqs == list(range(1, len(seqs) + 1)), "the feed has a gap or a repeat"
            if kept == 0:
                break  # the kill landed inside the batch's transaction
        assert 0 in outcomes, f"no kill landed inside the batch: {outcomes}"
    finally:
        db.dispose()


def test_killed_mid_pull_loses_nothing(start_platform):
    process = start_platform()
    db = Database(process.db_target)
    try:
        setup = TestPlatform(process.base_url, db)
        community = setup.community(elders=OPS + 1)
        slot = setup.slot(community, capacity=OPS)
        kiosk = setup.kiosk(community)
        kiosk.push(*[booking_op(f"elder-{n:03d}", slot) for n in range(1, OPS + 1)])

        first = kiosk.get("/v1/changes", since=0, limit=40).json()
        process.kill()
        process = start_platform(process.db_target)
        kiosk = KioskClient(process.base_url, kiosk.headers["Authorization"][7:])
        rest, _ = kiosk.pull_all(since=first["next"], limit=40)
        pulled = first["changes"] + rest
        assert confirmed_in_feed(pulled, slot) == OPS
        assert len([c for c in pulled if c["kind"] == "booking"]) == OPS
    finally:
        db.dispose()
