"""What lets the platform serve a district: lease calls that change nothing write nothing, a
bound on calls in progress (503 + Retry-After), several processes on one PostgreSQL."""
from __future__ import annotations

import itertools
import os
import signal
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import psycopg
import requests
from sqlalchemy import func, select, text

from service_platform import operators
from service_platform.db import Database
from service_platform.schema import applied_ops, changes, leases, meal_slots
from service_platform.schema import bookings as bookings_table
from tests.platform.servers import ROOT, PlatformProcess, wait_until
from tests.platform.wire import (
    KioskClient,
    TestPlatform,
    booking_op,
    cancel_op,
    confirmed_in_feed,
)
from tests.sync.conftest import TestKiosk


def _written(platform, community: str) -> tuple:
    """What a lease call that writes would change: the feed, the leases, and (PostgreSQL) the
    slot rows' last locker (`xmax`, set by SELECT … FOR UPDATE even when nothing else is)."""
    with platform.db.read() as conn:
        feed = conn.execute(select(func.count()).select_from(changes).where(
            changes.c.community_id == community)).scalar_one()
        rows = conn.execute(select(leases).where(leases.c.community_id == community)
                            .order_by(leases.c.id)).all()
        lockers = None
        if conn.dialect.name == "postgresql":
            lockers = conn.execute(select(meal_slots.c.id, text("meal_slots.xmax")).where(
                meal_slots.c.community_id == community)).all()
    return feed, [tuple(row) for row in rows], lockers


def test_a_lease_call_that_changes_nothing_writes_nothing(platform):
    community = platform.community(elders=5)
    slots = [platform.slot(community, capacity=20) for _ in range(3)]
    full = platform.slot(community, capacity=1)
    kiosk = platform.kiosk(community)
    assert kiosk.push(booking_op("elder-001", full))[0]["status"] == "applied"  # no share left
    first = kiosk.leases(want=[{"slot_id": s} for s in [*slots, full]])
    before = _written(platform, community)

    again = kiosk.leases(want=[{"slot_id": s} for s in [*slots, full]],
                         returns=[{"lease_id": "00000000-0000-4000-8000-000000000000",
                                   "used": 0}])

    assert _written(platform, community) == before
    assert again["leases"] == first["leases"]
    assert again["returned"] == [{"lease_id": "00000000-0000-4000-8000-000000000000",
                                  "status": "unknown", "used": None}]


def test_a_lease_call_that_returns_or_grants_still_writes(platform):
    community = platform.community(elders=5)
    slot, other = platform.slot(community, capacity=20), platform.slot(community, capacity=20)
    kiosk = platform.kiosk(community)
    lease = kiosk.leases(want=[{"slot_id": slot}])["leases"][0]
    before = _written(platform, community)

    answer = kiosk.leases(want=[{"slot_id": other}],
                          returns=[{"lease_id": lease["lease_id"], "used": 0}])

    assert answer["returned"][0]["status"] == "returned"
    assert [x["slot_id"] for x in answer["leases"]] == [other]
    assert _written(platform, community) != before


def _hold_writes(target: str):
    """Hold the database so that a push waits (SQLite: the write lock; PostgreSQL: the applied
    operations' table); returns the function that lets go."""
    if "://" not in target:
        conn = sqlite3.connect(target, isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
    else:
        conn = psycopg.connect(target.replace("postgresql+psycopg://", "postgresql://"))
        conn.execute("LOCK TABLE applied_ops IN ACCESS EXCLUSIVE MODE")

    def release() -> None:
        conn.rollback()
        conn.close()
    return release


def test_calls_beyond_the_bound_get_503_and_the_kiosk_backs_off_losing_nothing(
        start_platform, new_database, tmp_path):
    target = new_database()
    # 2: a call's last moments after its answer went out may overlap the kiosk's next call
    process = start_platform(target, "--max-in-progress", "2")
    db = Database(target)
    platform = TestPlatform(process.base_url, db)
    community = platform.community(elders=5)
    slot = platform.slot(community, capacity=5)
    early = platform.kiosk(community)
    kiosk = TestKiosk(tmp_path / "kiosk", process.base_url,
                      operators.add_kiosk(db, community, "终端")[1])
    kiosk.sync_ok()  # enrolled, and knows the slot
    booking = kiosk.book("elder-002", slot)
    release = _hold_writes(target)
    stuck: list = []

    def push_until_admitted(elder: str) -> None:
        while (answer := early.post("/v1/push", {"operations": [booking_op(elder, slot)]})
               ).status_code == 503:
            pass  # the bound was taken by the probe below, or the other push: again
        stuck.append(answer)

    threads = [threading.Thread(target=push_until_admitted, args=(elder,))
               for elder in ("elder-001", "elder-003")]
    try:
        for thread in threads:
            thread.start()
        busy = wait_until(lambda: (r := requests.get(process.base_url + "/v1/time", timeout=10))
                          .status_code == 503 and [r], 30, "a call refused with 503")[0]
        assert 2 <= int(busy.headers["Retry-After"]) <= 6
        assert busy.json()["error"]["code"] == "unavailable"
        refused = kiosk.sync()
        assert not refused.ok and refused.retry_after is not None and refused.retry_after >= 2
        assert kiosk.pending() == 1
    finally:
        release()
        for thread in threads:
            thread.join(60)
    assert [answer.status_code for answer in stuck] == [200, 200]
    assert kiosk.sync_ok().applied == 1 and kiosk.pending() == 0
    assert kiosk.booking(booking.id).status == "confirmed"
    with db.read() as conn:
        held = conn.execute(select(func.count()).select_from(bookings_table).where(
            bookings_table.c.community_id == community)).scalar_one()
    assert held == 3  # each booking once
    kiosk.close()
    db.dispose()


def test_serve_with_workers_refuses_sqlite(tmp_path):
    done = subprocess.run([sys.executable, "-m", "service_platform.cli", "serve", "--workers",
                           "2", "--db", str(tmp_path / "p.sqlite3"), "--port", "1"],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "--workers needs PostgreSQL" in done.stderr


def _workers(pid: int) -> set[int]:
    """The worker processes `kiosk-platform serve --workers` started."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            cmdline = (stat.parent / "cmdline").read_bytes()
        except OSError:
            continue
        if int(fields[1]) == pid and b"spawn_main" in cmdline:
            found.add(int(stat.parent.name))
    return found


def test_serve_with_two_workers_serves_and_replaces_a_dead_worker(postgres_cluster, log_dir):
    target = postgres_cluster.new_database()
    process = PlatformProcess(target, log_dir, extra_args=("--workers", "2")).start()
    db = Database(target)
    try:
        first = wait_until(lambda: len(w := _workers(process.proc.pid)) == 2 and w, 30,
                           "two workers")
        platform = TestPlatform(process.base_url, db)
        community = platform.community(elders=8)
        slot = platform.slot(community, capacity=20)
        kiosk = platform.kiosk(community)
        results = [kiosk.push(booking_op(f"elder-{n:03d}", slot))[0] for n in range(1, 7)]
        assert [r["status"] for r in results] == ["applied"] * 6

        os.kill(min(first), signal.SIGKILL)
        again = wait_until(lambda: len(w := _workers(process.proc.pid)) == 2
                           and w != first and w, 60, "a new worker in place of the dead one")
        assert kiosk.push(booking_op("elder-007", slot))[0]["status"] == "applied"
        changes, _ = kiosk.pull_all()
        assert confirmed_in_feed(changes, slot) == 7
    finally:
        pid = process.proc.pid
        process.stop()
        db.dispose()
    assert not any(Path(f"/proc/{worker}").exists() for worker in again | {pid})


class RoundRobinKiosk(KioskClient):
    """A kiosk behind a load balancer that sends each call to the next platform process."""

    def __init__(self, urls: list[str], token: str, kiosk_id: str) -> None:
        super().__init__(urls[0], token, kiosk_id)
        self._urls = itertools.cycle(urls)

    @property
    def base_url(self) -> str:
        return next(self._urls)

    @base_url.setter
    def base_url(self, _value: str) -> None:
        pass


def test_two_processes_on_one_postgres_serve_a_kiosk_interchangeably(postgres_cluster, log_dir):
    target = postgres_cluster.new_database()
    one = PlatformProcess(target, log_dir).start()
    two = PlatformProcess(target, log_dir, demo=False).start()
    db = Database(target)
    try:
        platform = TestPlatform(one.base_url, db)
        community = platform.community(elders=12)
        slot, other = platform.slot(community, capacity=5), platform.slot(community, capacity=8)
        kiosks = []
        for start in (0, 1):
            enrolled = platform.kiosk(community)
            urls = [one.base_url, two.base_url][start:] + [one.base_url, two.base_url][:start]
            kiosks.append(RoundRobinKiosk(urls, enrolled.headers["Authorization"][7:],
                                          enrolled.kiosk_id))
        east, west = kiosks

        batch = [booking_op(f"elder-{n:03d}", slot) for n in range(1, 5)]
        first = east.push(*batch)  # to one process…
        retried = east.push(*batch)  # …its answer lost, the same batch to the other
        assert retried == first and [r["status"] for r in first] == ["applied"] * 4
        late = west.push(*(booking_op(f"elder-{n:03d}", slot) for n in range(5, 9)))
        assert [r["reason"] for r in late] == [None, "full", "full", "full"]

        lease = east.leases(want=[{"slot_id": other}])["leases"]
        assert east.leases(want=[{"slot_id": other}])["leases"] == lease  # the other process

        cancelled = first[0]["data"]["booking_id"]
        assert east.push(cancel_op(cancelled))[0]["status"] == "applied"
        paged, cursor = west.pull_all(limit=2)  # pages alternate between the processes
        whole, whole_cursor = KioskClient(two.base_url, west.headers["Authorization"][7:]
                                          ).pull_all()
        seqs = [change["seq"] for change in paged]
        assert seqs == sorted(set(seqs)) and paged == whole and cursor == whole_cursor
        assert confirmed_in_feed(paged, slot) == 4  # the cancellation is there at once
        states = {c["id"]: c["data"]["status"] for c in paged if c["kind"] == "booking"}
        assert states[cancelled] == "cancelled" and len(states) == 5
        with db.read() as conn:
            stored = conn.execute(select(func.count()).select_from(applied_ops).where(
                applied_ops.c.community_id == community)).scalar_one()
        assert stored == 4 + 4 + 1  # every operation once, whichever process took it
    finally:
        one.stop()
        two.stop()
        db.dispose()
