"""A platform killed mid-push and mid-pull: after a restart all resumes and nothing is lost."""
from __future__ import annotations

import contextlib
import threading

import requests
from sqlalchemy import func, select

from service_platform.db import Database
from service_platform.schema import applied_ops
from tests.platform.servers import wait_until
from tests.platform.wire import KioskClient, TestPlatform, booking_op, confirmed_in_feed

OPS = 200


def _applied(db: Database) -> int:
    with db.read() as conn:
        return conn.execute(select(func.count()).select_from(applied_ops)).scalar_one()


def test_killed_mid_push_and_mid_pull_loses_nothing(start_platform):
    process = start_platform()
    db = Database(process.db_target)
    try:
        setup = TestPlatform(process.base_url, db)
        community = setup.community(elders=OPS + 1)
        slot = setup.slot(community, capacity=OPS)
        kiosk = setup.kiosk(community)
        batch = [booking_op(f"elder-{n:03d}", slot) for n in range(1, OPS + 1)]

        def push_until_cut():
            with contextlib.suppress(requests.ConnectionError):  # the platform goes away
                kiosk.post("/v1/push", {"operations": batch})

        pusher = threading.Thread(target=push_until_cut)
        pusher.start()
        wait_until(lambda: _applied(db) >= 5, 30, "the first operations to be applied",
                   interval=0.01)
        process.kill()
        pusher.join(timeout=30)
        applied_before = _applied(db)
        assert applied_before < OPS, "the push finished before the kill; make it longer"

        process = start_platform(process.db_target)
        kiosk = KioskClient(process.base_url, kiosk.headers["Authorization"][7:])
        results = kiosk.push(*batch)
        assert [r["status"] for r in results] == ["applied"] * OPS
        assert _applied(db) == OPS >= applied_before

        first = kiosk.get("/v1/changes", since=0, limit=40).json()
        process.kill()
        process = start_platform(process.db_target)
        kiosk = KioskClient(process.base_url, kiosk.headers["Authorization"][7:])
        rest, _ = kiosk.pull_all(since=first["next"], limit=40)
        changes = first["changes"] + rest
        assert confirmed_in_feed(changes, slot) == OPS
        assert len([c for c in changes if c["kind"] == "booking"]) == OPS
    finally:
        db.dispose()
