"""Staff work synced from the kiosk: elders registered and edited, the audit log; staff, the CLI."""
from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys

from service_platform import catalogue, operators, schema
from service_platform.db import Database
from tests.platform.servers import ROOT
from tests.platform.wire import (
    TestPlatform,
    audit_op,
    booking_op,
    complaint_op,
    elder_op,
    help_op,
    latest,
    rating_op,
    service_op,
    statuses,
)

LEVELS = {"none": 0, "basic": 300}
DEMO = "community-xingfu"


def _community(platform):
    community = platform.community(elders=3)
    platform.db.run_write(lambda conn: catalogue.put_subsidy_levels(conn, community, LEVELS))
    return community, platform.kiosk(community)


def test_elders_are_registered_edited_and_deactivated(platform):
    community, kiosk = _community(platform)
    new = elder_op("elder-new-1", "20000001")
    results = kiosk.push(
        new,
        elder_op("elder-new-2", "90000001"),  # elder-001's card
        elder_op("elder-new-3", "20000003", subsidy_level="golden"),
        elder_op("elder-new-1", "20000001", phone="13811112222", active=False,
                 emergency_contact=None, mobility=None))
    assert statuses(results) == [("applied", None), ("rejected", "card_in_use"),
                                 ("rejected", "unknown_subsidy_level"), ("applied", None)]
    assert [r["data"].get("created") for r in results] == [True, None, None, False]
    changes, _ = kiosk.pull_all()
    states = [c["data"] for c in changes if c["kind"] == "elder" and c["id"] == "elder-new-1"]
    assert states[0]["mobility"] == "walker"
    assert states[0]["emergency_contact"] == {"name": "赵明", "phone": "13900000000"}
    assert (states[-1]["active"], states[-1]["phone"], states[-1]["emergency_contact"]) == (
        False, "13811112222", None)
    # A deactivated elder cannot book, and the existing elder's card can move to a new number.
    slot = platform.slot(community, capacity=5)
    assert kiosk.push(booking_op("elder-new-1", slot))[0]["reason"] == "elder_inactive"
    moved = kiosk.push(elder_op("elder-001", "30000001", name="长者1"))[0]
    assert moved["status"] == "applied" and moved["data"]["created"] is False


def test_bad_elder_payloads_are_422(platform):
    _, kiosk = _community(platform)
    for bad in ({"delivery_allowed": "yes"}, {"name": ""}, {"mobility": "Wheel Chair"},
                {"emergency_contact": {"name": "x"}}, {"staff_id": None}, {"colour": "red"}):
        op = elder_op("elder-x", "4000", **bad)
        answer = kiosk.post("/v1/push", {"operations": [op]})
        assert answer.status_code == 422, bad


def test_audit_log_is_append_only(platform):
    community, kiosk = _community(platform)
    line = audit_op("booking.for_elder", "elder-002")
    changed = {**line, "op_id": "5a0e1c3b-0000-4000-8000-000000000002",
               "payload": {**line["payload"], "action": "elder.delete"}}
    results = kiosk.push(line, audit_op("help.acknowledge", "help-1"), changed)
    assert statuses(results) == [("applied", None), ("applied", None),
                                 ("rejected", "duplicate")]
    rows = operators.listing(platform.db, schema.audit_log, community)
    assert sorted(row["action"] for row in rows) == ["booking.for_elder", "help.acknowledge"]
    assert {row["kiosk_id"] for row in rows} == {kiosk.kiosk_id}
    changes, _ = kiosk.pull_all()
    assert not [c for c in changes if c["kind"] == "audit"]


def test_staff_list_is_in_the_feed(platform):
    community, kiosk = _community(platform)
    zhang = operators.add_staff(platform.db, community, "张社工")
    liu = operators.add_staff(platform.db, community, "刘社工")
    operators.deactivate_staff(platform.db, liu)
    changes, _ = kiosk.pull_all()
    assert latest(changes, "staff") == {zhang: {"id": zhang, "name": "张社工", "active": True},
                                        liu: {"id": liu, "name": "刘社工", "active": False}}


def _cli(db_target: str, *args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "service_platform.cli", *args,
                           "--db", db_target], cwd=ROOT, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_operator_commands(new_database, start_platform):
    """add-staff, ratings, complaints, help-requests, audit, complete-bookings on a demo DB."""
    target = new_database()
    _cli(target, "init-demo")
    staff_id = _cli(target, "add-staff", "--community", DEMO, "--name", "王社工").strip()
    assert staff_id.startswith("staff-")
    process = start_platform(target)
    db = Database(target)
    try:
        demo = TestPlatform(process.base_url, db)
        kiosk = demo.kiosk(DEMO)
        changes, _ = kiosk.pull_all(limit=1000)
        assert latest(changes, "staff")[staff_id]["name"] == "王社工"
        now = dt.datetime.now(dt.UTC)
        slot = next(s for s in latest(changes, "service_slot").values()
                    if s["service"] == "cleaning" and dt.datetime.fromisoformat(s["cutoff"]) > now)
        booked = service_op("cleaning", "elder-0001", slot["id"], kind="deep",
                            needs=["call_ahead"])
        assert kiosk.push(booked)[0]["status"] == "applied", slot
        kiosk.push(complaint_op("elder-0001", booked["payload"]["id"], ("rude",)),
                   help_op("elder-0001"), audit_op("booking.for_elder", "elder-0001"))
        demo.pass_slot(DEMO, slot["id"])
        kiosk.push(rating_op(booked["payload"]["id"], "elder-0001", "satisfied", ("on_time",)))
    finally:
        db.dispose()
    ratings = _cli(target, "ratings", "--community", DEMO)
    assert "阳光家政" in ratings and "on_time:1" in ratings
    assert "rude" in _cli(target, "complaints")
    assert "urgent" in _cli(target, "help-requests", "--community", DEMO)
    audit = [json.loads(line) for line in _cli(target, "audit", "--json").splitlines()]
    assert [row["action"] for row in audit] == ["booking.for_elder"]
    assert _cli(target, "complete-bookings", "--before", "2000-01-01T00:00:00+08:00") \
        .startswith("0 booking")
    assert _cli(target, "complete-bookings").startswith("1 booking")
    assert _cli(target, "deactivate-staff", staff_id).startswith(f"staff {staff_id}")
