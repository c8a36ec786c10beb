"""Services as data (docs/services.md): the catalogue in the feed, one booking writer whose rules
come from the entry's policy, waiting lists and attendance."""
from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import json
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

from elder_wire.catalogue import STANDARD, Policy, Service
from service_platform import catalogue, cli, entities, services
from tests.platform.wire import (
    SHANGHAI,
    KioskClient,
    booking_op,
    cancel_op,
    latest,
    op,
    service_op,
    stamp,
    statuses,
)

ACTIVITIES = "provider-activities"
_days = itertools.count(1)


def _community(platform, elders: int = 12) -> str:
    community = platform.community(elders=elders)
    platform.services(community)
    platform.db.run_write(lambda conn: services.put_providers(conn, community, [
        {"id": ACTIVITIES, "name": "社区活动中心", "services": ["activity", "legal_aid"]}]))
    return community


def _session(platform, community: str, capacity: int, starts_in: dt.timedelta | None = None,
             service: str = "activity") -> str:
    """A session slot (书法): far away, or starting `starts_in` from now."""
    if starts_in is None:
        day = dt.date(2041, 1, 1) + dt.timedelta(days=next(_days))
        start = dt.datetime.combine(day, dt.time(9), SHANGHAI)
    else:
        start = (dt.datetime.now(SHANGHAI) + starts_in).replace(microsecond=0)
    slot = {"id": f"{service}:{uuid.uuid4().hex[:12]}", "service": service,
            "provider_id": ACTIVITIES, "day": start.date().isoformat(), "window": None,
            "department": None, "doctor": None, "start": start.isoformat(),
            "end": (start + dt.timedelta(minutes=90)).isoformat(),
            "cutoff": (start - dt.timedelta(minutes=10)).isoformat(), "capacity": capacity,
            "price_cents": 0, "title": "书法", "place": "二楼书画室", "host": "王老师"}
    platform.db.run_write(lambda conn: services.put_slots(conn, community, [slot]))
    return slot["id"]


def _join(elder: str, slot: str) -> dict:
    return service_op("activity", elder, slot)


def _attend(elder: str, slot: str, at: dt.datetime | None = None, **extra) -> dict:
    created = stamp(at)
    return op("attendance.record", {"id": str(uuid.uuid4()), "slot_id": slot,
                                    "elder_id": elder, "created_at": created, **extra}, created)


def test_a_new_community_gets_the_standard_catalogue_in_its_feed(platform):
    community = platform.community(elders=1)
    changes, _ = platform.kiosk(community).pull_all()
    fed = latest(changes, "service")
    assert fed == {entry.key: entry.to_wire() for entry in STANDARD}
    assert fed["activity"]["policy"]["waitlist"] is True
    assert Service.from_wire(fed["meal"]).policy.escrow is True


def test_a_community_is_added_only_with_a_time_zone_that_exists(platform, capsys):
    """`kiosk-platform add-community --tz`: a name of the time zone database, or a plain
    refusal and no community (its reports and days would be computed in that zone)."""
    for tz in ("Mars/Base", "../../etc/passwd", ""):
        code = cli.main(["add-community", "community-mars", "--name", "火星社区", "--tz", tz,
                         "--db", platform.db.url])
        assert code == 2 and "unknown time zone" in capsys.readouterr().err
    with platform.db.read() as conn:
        assert catalogue.get_community(conn, "community-mars") is None
    assert cli.main(["add-community", "community-west", "--name", "西部社区", "--tz",
                     "Asia/Urumqi", "--db", platform.db.url]) == 0
    with platform.db.read() as conn:
        assert catalogue.get_community(conn, "community-west")["tz"] == "Asia/Urumqi"


def test_rules_come_from_the_policy(platform):
    community = _community(platform)
    cleaning = platform.service_slot(community, "cleaning", capacity=3, window="am")
    visits = platform.service_slot(community, "home_visit", capacity=3)
    lunch = platform.slot(community, capacity=5)
    kiosk = platform.kiosk(community)
    without_mode = booking_op("elder-001", lunch)
    del without_mode["payload"]["mode"]
    results = kiosk.push(
        service_op("cleaning", "elder-001", cleaning),  # no kind
        service_op("home_visit", "elder-001", visits),  # elder-001 may not have visits
        service_op("karaoke", "elder-001", visits),  # no such service in the catalogue
        service_op("medical", "elder-001", visits),  # a group: a tile, nothing to book
        without_mode,
        booking_op("elder-001", lunch, mode="by_drone"),
        service_op("cleaning", "elder-002", cleaning, kind="standard", mode="pickup"))
    assert statuses(results) == [
        ("rejected", "unknown_kind"), ("rejected", "not_allowed"),
        ("rejected", "unknown_service"), ("rejected", "unknown_service"),
        ("rejected", "mode_not_allowed"), ("rejected", "mode_not_allowed"), ("applied", None)]
    booked = latest(kiosk.pull_all()[0], "booking")[results[-1]["data"]["booking_id"]]
    assert booked["mode"] is None  # cleaning has no ways of receiving it


def test_an_inactive_service_takes_no_new_bookings_but_keeps_its_own(platform):
    community = _community(platform)
    visits = platform.service_slot(community, "health_check", capacity=3)
    kiosk = platform.kiosk(community)
    first = service_op("health_check", "elder-001", visits)
    assert statuses(kiosk.push(first)) == [("applied", None)]
    entry = next(e for e in STANDARD if e.key == "health_check")
    platform.db.run_write(lambda conn: catalogue.put_services(
        conn, community, [dataclasses.replace(entry, active=False)]))
    assert statuses(kiosk.push(service_op("health_check", "elder-002", visits))) == [
        ("rejected", "unknown_service")]
    assert statuses(kiosk.push(cancel_op(first["payload"]["id"]))) == [("applied", None)]
    assert latest(kiosk.pull_all()[0], "service")["health_check"]["active"] is False


def test_a_service_added_as_data_is_booked_by_its_policy(platform):
    """No code names legal_aid: a `day` entry that needs the home-visit permission."""
    community = _community(platform)
    legal = Service("legal_aid", "day", {"zh_CN": "法律援助", "en": "Legal aid"},
                    policy=Policy(requires="home_visit_allowed"))
    platform.db.run_write(lambda conn: catalogue.put_services(conn, community, [legal]))
    slot = _session(platform, community, capacity=1, service="legal_aid")
    with platform.db.read() as conn:
        allowed = [{**entities.elder(catalogue.get_elder(conn, community, elder_id)),
                    "home_visit_allowed": True} for elder_id in ("elder-002", "elder-003")]
    platform.db.run_write(lambda conn: catalogue.put_elders(conn, community, allowed))
    kiosk = platform.kiosk(community)
    results = kiosk.push(service_op("legal_aid", "elder-001", slot),
                         service_op("legal_aid", "elder-002", slot),
                         service_op("legal_aid", "elder-003", slot))
    assert statuses(results) == [("rejected", "not_allowed"), ("applied", None),
                                 ("rejected", "full")]  # no waiting list in its policy


def test_a_full_session_puts_elders_on_its_waiting_list(platform):
    community = _community(platform)
    slot = _session(platform, community, capacity=2)
    kiosk = platform.kiosk(community)
    joins = [_join(f"elder-00{n}", slot) for n in range(1, 6)]
    results = kiosk.push(*joins, _join("elder-004", slot))
    assert [(r["status"], r["data"].get("booking_status"), r["data"].get("waitlist_position"))
            for r in results] == [
        ("applied", "confirmed", None), ("applied", "confirmed", None),
        ("applied", "waitlisted", 1), ("applied", "waitlisted", 2),
        ("applied", "waitlisted", 3), ("rejected", None, None)]  # elder-004 waits already
    assert results[-1]["reason"] == "duplicate"
    changes, cursor = kiosk.pull_all()
    booked = latest(changes, "booking")
    ids = [join["payload"]["id"] for join in joins]
    assert [(booked[i]["status"], booked[i]["waitlist_position"]) for i in ids] == [
        ("confirmed", None), ("confirmed", None), ("waitlisted", 1), ("waitlisted", 2),
        ("waitlisted", 3)]

    # A waiting booking cancelled frees nothing; those behind it move up a place.
    assert statuses(kiosk.push(cancel_op(ids[3]))) == [("applied", None)]
    changes, cursor = kiosk.pull_all(cursor)
    assert [(c["id"], c["data"]["status"], c["data"]["waitlist_position"])
            for c in changes] == [(ids[3], "cancelled", None), (ids[4], "waitlisted", 2)]

    # A confirmed one cancelled: the longest waiting is confirmed in the same transaction.
    assert statuses(kiosk.push(cancel_op(ids[0]))) == [("applied", None)]
    changes, cursor = kiosk.pull_all(cursor)
    assert [(c["id"], c["data"]["status"], c["data"]["waitlist_position"])
            for c in changes] == [(ids[0], "cancelled", None), (ids[2], "confirmed", None),
                                  (ids[4], "waitlisted", 1)]
    # The place is taken again: a new elder waits behind elder-005.
    late = _join("elder-006", slot)
    assert kiosk.push(late)[0]["data"] == {"booking_id": late["payload"]["id"],
                                           "booking_status": "waitlisted",
                                           "waitlist_position": 2, "within_lease": False}


def test_a_cancellation_after_the_start_is_refused_and_promotes_nobody(platform):
    community = _community(platform)
    slot = _session(platform, community, capacity=1, starts_in=dt.timedelta(minutes=30))
    kiosk = platform.kiosk(community)
    first, second = _join("elder-001", slot), _join("elder-002", slot)
    assert [r["data"]["booking_status"] for r in kiosk.push(first, second)] == [
        "confirmed", "waitlisted"]
    platform.pass_slot(community, slot, ends_in_hours=0.5)  # it started half an hour ago
    _, cursor = kiosk.pull_all()
    assert statuses(kiosk.push(cancel_op(first["payload"]["id"]))) == [("rejected", "closed")]
    assert kiosk.pull_all(cursor)[0] == []


def test_two_processes_cancelling_at_once_promote_two_different_bookings(platform,
                                                                         start_platform):
    """Each cancellation takes the slot's row lock: the second sees the first's promotion."""
    community = _community(platform, elders=40)
    other = start_platform(platform.db.url)
    for _round in range(3):
        slot = _session(platform, community, capacity=4)
        here = platform.kiosk(community)
        there_kiosk = platform.kiosk(community)
        there = KioskClient(other.base_url, None, there_kiosk.kiosk_id)
        there.headers = there_kiosk.headers
        joins = [_join(f"elder-{n:03d}", slot) for n in range(1, 9)]
        results = here.push(*joins)
        assert [r["data"]["booking_status"] for r in results] == ["confirmed"] * 4 + [
            "waitlisted"] * 4
        barrier = threading.Barrier(2)
        with ThreadPoolExecutor(max_workers=2) as pool:
            done = list(pool.map(_cancel_at_once, [
                (barrier, here, joins[0]["payload"]["id"]),
                (barrier, there, joins[1]["payload"]["id"])]))
        assert [r["status"] for r in done] == ["applied", "applied"]
        booked = latest(here.pull_all()[0], "booking")
        ids = [join["payload"]["id"] for join in joins]
        assert [(booked[i]["status"], booked[i]["waitlist_position"]) for i in ids] == [
            ("cancelled", None), ("cancelled", None), ("confirmed", None),
            ("confirmed", None), ("confirmed", None), ("confirmed", None),
            ("waitlisted", 1), ("waitlisted", 2)]


def _cancel_at_once(job) -> dict:
    barrier, kiosk, booking_id = job
    barrier.wait()
    return kiosk.push(cancel_op(booking_id))[0]


def test_attendance_at_the_door(platform):
    community = _community(platform)
    slot = _session(platform, community, capacity=3, starts_in=dt.timedelta(minutes=30))
    kiosk = platform.kiosk(community)
    booked = _join("elder-001", slot)
    kiosk.push(booked)
    _, cursor = kiosk.pull_all()
    first = _attend("elder-001", slot, staff_id="staff-zhang")
    results = kiosk.push(first, _attend("elder-002", slot), _attend("elder-001", slot))
    assert statuses(results) == [("applied", None)] * 3
    record = first["payload"]["id"]
    assert [r["data"] for r in results] == [
        {"attendance_id": record, "booking_id": booked["payload"]["id"], "walk_in": False},
        {"attendance_id": results[1]["data"]["attendance_id"], "booking_id": None,
         "walk_in": True},
        {"attendance_id": record, "booking_id": booked["payload"]["id"], "walk_in": False,
         "already": True}]
    changes, _ = kiosk.pull_all(cursor)
    assert [c["kind"] for c in changes] == ["attendance", "attendance"]  # never a second one
    assert changes[0]["data"] == {
        "id": record, "slot_id": slot, "elder_id": "elder-001",
        "booking_id": booked["payload"]["id"], "staff_id": "staff-zhang",
        "kiosk_id": kiosk.kiosk_id, "created_at": first["payload"]["created_at"]}


def test_attendance_refusals(platform):
    community = _community(platform)
    soon = _session(platform, community, capacity=3, starts_in=dt.timedelta(minutes=30))
    later = _session(platform, community, capacity=3, starts_in=dt.timedelta(hours=2))
    cleaning = platform.service_slot(community, "cleaning", capacity=3, window="am")
    lunch = platform.slot(community, capacity=5)
    kiosk = platform.kiosk(community)
    now = dt.datetime.now(SHANGHAI)
    results = kiosk.push(
        _attend("elder-001", "activity:nowhere"),
        _attend("elder-404", soon),
        _attend("elder-012", soon),  # the community's last elder is inactive
        _attend("elder-001", cleaning),  # cleaning takes no attendance
        _attend("elder-001", lunch),
        _attend("elder-001", later),  # opens an hour before the start
        _attend("elder-001", soon, at=now - dt.timedelta(minutes=45)),  # 75 min before
        _attend("elder-001", soon, at=now - dt.timedelta(minutes=25)))  # 55 min before
    assert statuses(results) == [
        ("rejected", "unknown_slot"), ("rejected", "unknown_elder"),
        ("rejected", "elder_inactive"), ("rejected", "not_allowed"),
        ("rejected", "not_allowed"), ("rejected", "closed"), ("rejected", "closed"),
        ("applied", None)]


def test_more_places_from_a_timetable_file_go_to_those_waiting(platform, tmp_path, capsys):
    """A session given more places in its timetable file confirms its waiting list in order."""
    community = _community(platform)
    file = {"from": "2042-03-03", "days": 1, "slot_ids": {"activity": "activity:{day}:choir"},
            "service_slots": [{"service": "activity", "provider_id": ACTIVITIES,
                               "day": "2042-03-03", "title": "合唱", "place": "多功能厅",
                               "from": "14:30", "until": "16:00", "capacity": 1,
                               "price_cents": 0, "cutoff": {"minutes_before": 10}}]}
    slot = "activity:2042-03-03:choir"

    def load(capacity: int) -> None:
        file["service_slots"][0]["capacity"] = capacity
        path = tmp_path / f"choir-{capacity}.json"
        path.write_text(json.dumps(file, ensure_ascii=False), encoding="utf-8")
        code = cli.main(["load", str(path), "--community", community,
                         "--db", platform.db.url])
        assert code == 0, capsys.readouterr()

    load(1)
    kiosk = platform.kiosk(community)
    joins = [_join(f"elder-00{n}", slot) for n in range(1, 5)]
    assert [r["data"]["booking_status"] for r in kiosk.push(*joins)] == [
        "confirmed", "waitlisted", "waitlisted", "waitlisted"]
    _, cursor = kiosk.pull_all()
    load(3)
    changes, cursor = kiosk.pull_all(cursor)
    ids = [join["payload"]["id"] for join in joins]
    assert [(c["id"], c["data"]["status"], c["data"]["waitlist_position"])
            for c in changes if c["kind"] == "booking"] == [
        (ids[1], "confirmed", None), (ids[2], "confirmed", None), (ids[3], "waitlisted", 1)]
    # A place freed while elder-004 waits is hers; a newcomer queues.
    assert statuses(kiosk.push(cancel_op(ids[0]))) == [("applied", None)]
    late = _join("elder-005", slot)
    assert kiosk.push(late)[0]["data"]["waitlist_position"] == 1
    booked = latest(kiosk.pull_all(cursor)[0], "booking")
    assert (booked[ids[3]]["status"], booked[late["payload"]["id"]]["status"]) == (
        "confirmed", "waitlisted")
