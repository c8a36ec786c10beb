"""Cleaning, clinic, home visits and health checks: kinds, permissions, capacity, cut-offs."""
from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor
from zoneinfo import ZoneInfo

from service_platform import catalogue, demo
from tests.platform.wire import (
    CANTEEN,
    CLEANER,
    STATION,
    booking_op,
    cancel_op,
    latest,
    service_op,
    statuses,
)


def _served(platform, elders=12, teams=3):
    community = platform.community(elders=elders)
    platform.services(community, teams=teams)
    return community


def test_deep_clean_takes_two_of_the_windows_team_slots(platform):
    community = _served(platform, teams=3)
    window = platform.service_slot(community, "cleaning", capacity=3, window="am")
    kiosk = platform.kiosk(community)
    results = kiosk.push(
        service_op("cleaning", "elder-001", window, kind="deep", needs=["pets"]),
        service_op("cleaning", "elder-002", window, kind="deep"),  # 2 + 2 > 3
        service_op("cleaning", "elder-003", window, kind="standard"),  # 2 + 1 = 3
        service_op("cleaning", "elder-004", window, kind="standard"))
    assert statuses(results) == [("applied", None), ("rejected", "full"), ("applied", None),
                                 ("rejected", "full")]
    changes, _ = kiosk.pull_all()
    booked = latest(changes, "booking")
    first = booked[results[0]["data"]["booking_id"]]
    assert (first["service"], first["kind"], first["needs"], first["units"], first["mode"]) == (
        "cleaning", "deep", ["pets"], 2, None)
    assert first["provider_id"] == CLEANER


def test_cancelling_a_deep_clean_frees_both_units(platform):
    community = _served(platform, teams=2)
    window = platform.service_slot(community, "cleaning", capacity=2, window="pm")
    kiosk = platform.kiosk(community)
    deep = service_op("cleaning", "elder-001", window, kind="deep")
    kiosk.push(deep)
    assert kiosk.push(service_op("cleaning", "elder-002", window,
                                 kind="standard"))[0]["reason"] == "full"
    assert kiosk.push(cancel_op(deep["payload"]["id"]))[0]["status"] == "applied"
    again = kiosk.push(*(service_op("cleaning", f"elder-00{n}", window, kind="standard")
                         for n in (2, 3)))
    assert statuses(again) == [("applied", None)] * 2


def test_cleaning_kind_and_needs_come_from_the_provider(platform):
    community = _served(platform)
    window = platform.service_slot(community, "cleaning", capacity=3, window="am")
    kiosk = platform.kiosk(community)
    results = kiosk.push(
        service_op("cleaning", "elder-001", window, kind="windows_only"),
        service_op("cleaning", "elder-002", window, kind="standard", needs=["pets", "piano"]),
        service_op("cleaning", "elder-003", "meal:2040-01-01:lunch", kind="standard"),
        service_op("cleaning", "elder-004", window, kind="standard",
                   needs=["bring_tools", "mobility_help"]))
    assert statuses(results) == [("rejected", "unknown_kind"), ("rejected", "unknown_need"),
                                 ("rejected", "unknown_slot"), ("applied", None)]


def test_clinic_slot_holds_one_and_one_visit_per_department_a_day(platform):
    community = _served(platform)
    general = platform.service_slot(community, "clinic", capacity=1, department="general")
    kiosk = platform.kiosk(community)
    results = kiosk.push(
        service_op("clinic", "elder-001", general, department="tcm"),
        service_op("clinic", "elder-001", general, department="general"),
        service_op("clinic", "elder-002", general, department="general"))
    assert statuses(results) == [("rejected", "unknown_kind"), ("applied", None),
                                 ("rejected", "full")]
    # A second general slot the same day: elder-001 already sees the GP that day.
    day = general.split(":")[1]
    second = f"clinic:{day}:general:0900"
    from service_platform import services
    platform.db.run_write(lambda conn: services.put_slots(conn, community, [{
        "id": second, "service": "clinic", "provider_id": STATION, "day": day,
        "window": "am", "department": "general", "doctor": "陈医生",
        "start": f"{day}T09:00:00+08:00", "end": f"{day}T09:30:00+08:00",
        "cutoff": f"{day}T08:00:00+08:00", "capacity": 1, "price_cents": 100}]))
    results = kiosk.push(service_op("clinic", "elder-001", second, department="general"),
                         service_op("clinic", "elder-002", second, department="general"))
    assert statuses(results) == [("rejected", "duplicate"), ("applied", None)]


def test_home_visit_needs_the_profiles_permission(platform):
    community = _served(platform)
    elder = dict(catalogue_elder(platform, community, "elder-002"), home_visit_allowed=True)
    platform.db.run_write(lambda conn: catalogue.put_elders(conn, community, [elder]))
    visits = platform.service_slot(community, "home_visit", capacity=1)
    kiosk = platform.kiosk(community)
    results = kiosk.push(service_op("home_visit", "elder-001", visits),
                         service_op("home_visit", "elder-002", visits),
                         service_op("home_visit", "elder-002", visits),
                         service_op("health_check", "elder-002", visits))
    assert statuses(results) == [("rejected", "not_allowed"), ("applied", None),
                                 ("rejected", "duplicate"), ("rejected", "unknown_slot")]


def catalogue_elder(platform, community, elder_id):
    from service_platform import entities
    with platform.db.read() as conn:
        return entities.elder(catalogue.get_elder(conn, community, elder_id))


def test_health_check_day_capacity_under_a_race(platform):
    community = _served(platform, elders=30)
    check = platform.service_slot(community, "health_check", capacity=20)
    east, west = platform.kiosk(community), platform.kiosk(community)
    jobs = [(east if n % 2 else west, f"elder-{n:03d}") for n in range(1, 30)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(
            lambda job: job[0].push(service_op("health_check", job[1], check))[0], jobs))
    assert sum(r["status"] == "applied" for r in results) == 20
    assert {r["reason"] for r in results if r["status"] == "rejected"} == {"full"}


def test_cut_off_closes_booking_and_cancelling(platform):
    community = _served(platform)
    window = platform.service_slot(community, "cleaning", capacity=3, window="am")
    kiosk = platform.kiosk(community)
    booked = service_op("cleaning", "elder-001", window, kind="standard")
    kiosk.push(booked)
    platform.pass_slot(community, window, ends_in_hours=5)  # after cut-off, before the clean
    assert kiosk.push(service_op("cleaning", "elder-002", window,
                                 kind="standard"))[0]["reason"] == "closed"
    assert kiosk.push(cancel_op(booked["payload"]["id"]))[0]["reason"] == "closed"


def test_leases_are_meal_only(platform):
    community = _served(platform)
    window = platform.service_slot(community, "cleaning", capacity=3, window="am")
    meal = platform.slot(community, capacity=4)
    kiosk = platform.kiosk(community)
    granted = kiosk.leases(want=[{"slot_id": window}, {"slot_id": meal}])["leases"]
    assert [lease["slot_id"] for lease in granted] == [meal]
    result = kiosk.push(service_op("cleaning", "elder-001", window, kind="standard",
                                   lease_id=granted[0]["lease_id"]))[0]
    assert result["status"] == "applied" and result["data"]["within_lease"] is False
    assert kiosk.leases()["leases"][0]["uses"] == 0
    # The meal payload is exactly as before, and meal bookings name the canteen.
    kiosk.push(booking_op("elder-002", meal, granted[0]["lease_id"]))
    changes, _ = kiosk.pull_all()
    meal_booking = [b for b in latest(changes, "booking").values() if b["service"] == "meal"][0]
    assert (meal_booking["mode"], meal_booking["units"], meal_booking["provider_id"],
            meal_booking["kind"], meal_booking["needs"]) == (
        "pickup", 1, CANTEEN, None, [])


def test_demo_slots_are_deterministic_and_follow_the_timetable():
    tz = ZoneInfo("Asia/Shanghai")
    monday = dt.date(2026, 11, 23)
    timetable = demo.load_services()
    slots = demo.service_slots(timetable, monday, tz)
    assert slots == demo.service_slots(timetable, monday, tz)
    by_day: dict[str, list[dict]] = {}
    for slot in slots:
        by_day.setdefault(slot["day"], []).append(slot)
    assert len(by_day) == 14
    sunday = by_day["2026-11-29"]
    # the station and the volunteers rest on Sundays; chess and cards every day
    assert {s["service"] for s in sunday} == {"cleaning", "activity"}
    assert [(s["title"], s["place"], s["start"], s["end"], s["cutoff"], s["capacity"])
            for s in sunday if s["service"] == "activity"] == [
        ("棋牌", "棋牌室", "2026-11-29T14:00:00+08:00", "2026-11-29T16:30:00+08:00",
         "2026-11-29T13:50:00+08:00", 16)]
    wednesday = by_day["2026-11-25"]
    assert [s["capacity"] for s in wednesday if s["service"] == "health_check"] == [20]
    assert sorted(s["title"] for s in wednesday if s["service"] == "activity") == ["书法", "棋牌"]
    assert [(s["id"], s["capacity"]) for s in wednesday if s["service"] == "visit"] == [
        ("visit:2026-11-25:am", 3), ("visit:2026-11-25:pm", 3)]
    clinic = [s for s in wednesday if s["service"] == "clinic"]
    assert {s["department"] for s in clinic} == {"general", "tcm"}
    first = min(clinic, key=lambda s: s["start"])
    assert (first["start"], first["end"], first["cutoff"], first["capacity"]) == (
        "2026-11-25T08:30:00+08:00", "2026-11-25T09:00:00+08:00",
        "2026-11-25T07:30:00+08:00", 1)
    cleaning = [s for s in wednesday if s["service"] == "cleaning"]
    assert [(s["window"], s["capacity"], s["cutoff"]) for s in cleaning] == [
        ("am", 3, "2026-11-24T18:00:00+08:00"), ("pm", 3, "2026-11-24T18:00:00+08:00")]
    assert len({s["id"] for s in slots}) == len(slots)
    assert all(len(s["id"]) <= 64 for s in slots)


def test_demo_seed_tops_up_service_slots_of_an_existing_demo(new_database):
    from sqlalchemy import func, select

    from service_platform import migrations, services
    from service_platform.db import Database
    from service_platform.schema import service_slots

    db = Database(new_database())
    try:
        migrations.migrate(db)
        monday = dt.date(2026, 11, 23)
        assert db.run_write(lambda conn: demo.seed(conn, monday)) is True
        assert db.run_write(lambda conn: demo.seed(conn, monday)) is False
        with db.read() as conn:
            before = conn.execute(select(func.count()).select_from(service_slots)).scalar_one()
            assert services.get_provider(conn, "community-xingfu", CLEANER)
        db.run_write(lambda conn: demo.seed(conn, monday + dt.timedelta(days=7)))
        with db.read() as conn:
            after = conn.execute(select(func.count()).select_from(service_slots)).scalar_one()
        week = demo.service_slots(demo.load_services(), monday + dt.timedelta(days=14),
                                  ZoneInfo(demo.DEMO_TZ))
        assert after - before == len([s for s in week if s["day"] < "2026-12-14"])
    finally:
        db.dispose()
