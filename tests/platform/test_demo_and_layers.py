"""The demo platform agrees with the demo kiosk, and the platform never imports kiosk code."""
from __future__ import annotations

import ast
import datetime as dt
import json
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select

import service_platform
from service_platform import demo, migrations
from service_platform.db import Database
from service_platform.schema import changes

FORBIDDEN = {"kiosk", "ui", "PySide6"}


def test_demo_slots_match_the_kiosk_demo():
    from kiosk import demo as kiosk_demo
    from kiosk.clock import FixedClock

    clock = FixedClock("2026-11-23T08:00:00")
    data = demo.load_community()
    ours = demo.meal_slots(data, clock.today(), ZoneInfo("Asia/Shanghai"))
    theirs = list(kiosk_demo._slot_rows(data, clock, "09:30", "15:00"))
    assert ours == theirs
    assert ours[0]["cutoff"] == "2026-11-23T09:30:00+08:00"


def test_demo_services_match_the_kiosk_demo(tmp_path):
    """The providers, service slots and staff the demo platform's feed sends, stored as a kiosk's
    pull stores them, are what a kiosk with no platform seeds for itself (assets/demo)."""
    from kiosk import demo as kiosk_demo
    from kiosk.clock import FixedClock
    from kiosk.services import provider_row
    from kiosk.slots import service_slot_row
    from kiosk.staff import DEMO_STAFF
    from kiosk.store import Store

    clock = FixedClock("2026-11-23T08:00:00")
    store = Store(tmp_path / "kiosk.sqlite3")
    db = Database(tmp_path / "platform.sqlite3")
    try:
        kiosk_demo.seed_demo_services(store, clock)
        ours = {"provider": store.query("SELECT * FROM providers ORDER BY id"),
                "service_slot": store.query("SELECT * FROM slots WHERE service <> 'meal' "
                                            "ORDER BY id")}
        migrations.migrate(db)
        db.run_write(lambda conn: demo.seed(conn, clock.today()))
        with db.read() as conn:
            feed = conn.execute(select(changes.c.kind, changes.c.data)).all()
    finally:
        store.close()
        db.dispose()
    sent = {kind: sorted((json.loads(data) for k, data in feed if k == kind),
                         key=lambda item: item["id"])
            for kind in ("provider", "service_slot", "staff")}
    stamp = ours["provider"][0]["updated_at"]
    assert [dict(row) for row in ours["provider"]] == [
        provider_row(item, stamp) for item in sent["provider"]]
    assert [dict(row) for row in ours["service_slot"]] == [
        service_slot_row(item) for item in sent["service_slot"]]
    assert len(ours["service_slot"]) > 14 * 2  # two weeks, at least the two cleaning windows
    assert {(item["id"], item["name"]) for item in sent["staff"]} == set(DEMO_STAFF)


def test_demo_menus_rotate():
    data = demo.load_community()
    day = dt.date(2026, 11, 24)
    assert demo.demo_menu(data["dishes"], day, "lunch") != demo.demo_menu(
        data["dishes"], day + dt.timedelta(days=1), "lunch")


def test_platform_never_imports_kiosk_or_qt():
    package = Path(service_platform.__file__).parent
    for source in package.rglob("*.py"):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            for name in names:
                assert name.split(".")[0] not in FORBIDDEN, f"{source.name} imports {name}"


def test_demo_meals_already_eaten_match_the_kiosk_demo(tmp_path):
    """Yesterday's lunch of 曹建国, completed, to rate: the demo platform's feed sends the slot
    and the booking a kiosk with no platform seeds for itself (assets/demo, finished_meals),
    and his next sign-in there asks how it was."""
    from kiosk import demo as kiosk_demo
    from kiosk.clock import FixedClock
    from kiosk.ratings import Ratings
    from kiosk.slots import meal_slot_row
    from kiosk.store import Store
    from kiosk.sync.columns import ObjectColumns
    from kiosk.sync.pull import BOOKING_COLUMNS, _booking_rows

    clock = FixedClock("2026-11-24T08:00:00")
    store = Store(tmp_path / "kiosk.sqlite3")
    db = Database(tmp_path / "platform.sqlite3")
    try:
        kiosk_demo.seed_demo(store, clock, finished=True)
        [ours] = store.query("SELECT * FROM bookings")
        slot = dict(store.query_one("SELECT * FROM slots WHERE id = ?", (ours["slot_id"],)))
        due = Ratings(store, clock).due("elder-0010")
        migrations.migrate(db)
        db.run_write(lambda conn: demo.seed(conn, clock.today()))
        with db.read() as conn:
            feed = conn.execute(select(changes.c.kind, changes.c.data)).all()
    finally:
        store.close()
        db.dispose()
    [sent] = [json.loads(data) for kind, data in feed if kind == "booking"]
    [row] = _booking_rows(ObjectColumns([sent]))
    pulled = dict(zip(BOOKING_COLUMNS, row, strict=True))
    fields = ("id", "number", "elder_id", "service", "slot_id", "mode", "price_cents",
              "subsidy_cents", "pay_cents", "status")
    assert {name: ours[name] for name in fields} == {name: pulled[name] for name in fields}
    assert (ours["slot_id"], ours["status"], ours["pay_cents"]) == \
        ("meal:2026-11-23:lunch", "completed", 1200)  # basic subsidy: ¥15.00 less ¥3.00
    [sent_slot] = [json.loads(data) for kind, data in feed
                   if kind == "meal_slot" and json.loads(data)["id"] == ours["slot_id"]]
    assert slot == meal_slot_row(sent_slot)
    assert due is not None and due.id == ours["id"]
