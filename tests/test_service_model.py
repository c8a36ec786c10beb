"""One slot model and one booking writer for every service (docs/services.md), on a real SQLite
file with the demo community (Tuesday 2026-11-24 08:00, Asia/Shanghai): the policies of the
catalogue, a waiting list, attendance at the door, what an elder is told at sign-in, and the
store's move to one table of slots."""
from __future__ import annotations

import json
import sqlite3

import pytest

from kiosk import catalogue
from kiosk.attendance import Attendance
from kiosk.elders import get_elder
from kiosk.errors import BookingRejected
from kiosk.greeting import sign_in_news
from kiosk.i18n import Translator
from kiosk.migrations import MIGRATIONS
from kiosk.store import Store
from kiosk.sync.pull import apply_page

LI, YANG, WANG = "elder-0002", "elder-0003", "elder-0001"
CALLIGRAPHY = "activity:2026-11-25:0900"
T = Translator("zh_CN")


def feed(core, *changes) -> None:
    """Changes as a platform's feed carries them, applied by the kiosk's own pull."""
    page = [{"seq": n, "op": "upsert", **change} for n, change in enumerate(changes, 1)]
    apply_page(core.store, core.clock, page, next_cursor=len(page))


def session(slot_id=CALLIGRAPHY, capacity=1, day="2026-11-25", start="09:00", end="10:30",
            service="activity", **extra) -> dict:
    return {"kind": "service_slot", "id": slot_id, "data": {
        "id": slot_id, "service": service, "provider_id": "centre", "day": day,
        "window": None, "department": None, "doctor": None,
        "start": f"{day}T{start}:00+08:00", "end": f"{day}T{end}:00+08:00",
        "cutoff": f"{day}T08:00:00+08:00", "capacity": capacity, "price_cents": 0,
        "title": "书法", "place": "二楼书画室", **extra}}


def ops(core, op_type="booking.create") -> list[dict]:
    return [json.loads(r["payload"]) for r in core.store.query(
        "SELECT payload FROM outbox WHERE op_type = ? ORDER BY seq", (op_type,))]


def test_a_full_session_takes_a_waiting_list_place_and_the_payload_says_only_its_choices(core):
    feed(core, session())
    first = core.bookings.book(core.bookings.quote(get_elder(core.store, LI), CALLIGRAPHY))
    quote = core.bookings.quote(get_elder(core.store, YANG), CALLIGRAPHY)
    assert quote.waitlisted  # the confirm screen says so before she confirms
    second = core.bookings.book(quote)
    assert (first.status, second.status) == ("tentative", "waitlisted")
    payloads = ops(core)
    assert [p["service"] for p in payloads] == ["activity", "activity"]
    assert not {"mode", "kind", "needs", "department"} & set(payloads[1])
    views = core.flow("activity").days(WANG)[1].slots
    assert (views[0].free_units, views[0].waiting) == (0, 1)
    with pytest.raises(BookingRejected) as again:  # one live booking per elder and slot
        core.bookings.book(core.bookings.quote(get_elder(core.store, YANG), CALLIGRAPHY))
    assert again.value.reason == "duplicate"


def test_a_service_without_a_waiting_list_is_full(core):
    feed(core, session(slot_id="check:1", service="health_check", capacity=1))
    core.flow("health_check").book(LI, "check:1")
    with pytest.raises(BookingRejected) as full:
        core.flow("health_check").book(YANG, "check:1")
    assert full.value.reason == "full"


def test_an_activity_can_be_left_until_it_starts_a_meal_only_until_its_cutoff(core):
    feed(core, session())
    booking = core.bookings.book(core.bookings.quote(get_elder(core.store, LI), CALLIGRAPHY))
    core.clock.set("2026-11-25T08:59:59")  # past its 08:00 sign-up cut-off, before 09:00
    assert core.bookings.cancel(booking.id).status == "cancelled"
    again = core.store.query_one("SELECT status FROM bookings WHERE id = ?", (booking.id,))
    assert again["status"] == "cancelled"
    feed(core, session(slot_id="activity:2026-11-25:1400", start="14:00", end="15:00",
                       cutoff="2026-11-25T13:00:00+08:00"))
    later = core.bookings.book(core.bookings.quote(get_elder(core.store, LI),
                                                   "activity:2026-11-25:1400"))
    core.clock.set("2026-11-25T14:00:00")
    with pytest.raises(BookingRejected) as closed:
        core.bookings.cancel(later.id)
    assert closed.value.reason == "closed"


def test_a_slot_of_a_service_the_catalogue_does_not_have_is_refused_plainly(core):
    feed(core, session(slot_id="legal:1", service="legal_aid"))
    with pytest.raises(BookingRejected) as refused:
        core.bookings.quote(get_elder(core.store, LI), "legal:1")
    assert refused.value.reason == "unknown_service"
    assert "legal_aid" not in {s.key for s in catalogue.offered(core.store)}


def test_a_policy_names_the_permission_it_needs(core):
    feed(core, session(slot_id="visit:1", service="home_visit"))
    assert not get_elder(core.store, WANG).home_visit_allowed
    with pytest.raises(BookingRejected) as refused:
        core.flow("home_visit").book(WANG, "visit:1")
    assert refused.value.reason == "not_allowed"


def test_attendance_opens_an_hour_before_and_counts_each_elder_once(core):
    feed(core, session(capacity=5))
    core.bookings.book(core.bookings.quote(get_elder(core.store, LI), CALLIGRAPHY))
    door = Attendance(core.store, core.clock)
    li, yang = get_elder(core.store, LI), get_elder(core.store, YANG)
    core.clock.set("2026-11-25T07:59:59")  # 61 minutes before: not yet
    with pytest.raises(BookingRejected) as early:
        door.record(CALLIGRAPHY, li)
    assert early.value.reason == "closed"
    core.clock.set("2026-11-25T08:00:00")
    first = door.record(CALLIGRAPHY, li)
    again = door.record(CALLIGRAPHY, li)
    walk_in = door.record(CALLIGRAPHY, yang, staff_id="staff-zhang")
    assert (first.booked, first.already, again.already, again.id) == (True, False, True, first.id)
    assert (walk_in.booked, walk_in.already) == (False, False)
    assert [(p["elder_id"], p["slot_id"]) for p in ops(core, "attendance.record")] == [
        (LI, CALLIGRAPHY), (YANG, CALLIGRAPHY)]
    sheet = door.sheet(CALLIGRAPHY)
    assert [(line.masked_name, line.booked, line.attended) for line in sheet] == [
        ("李*国", True, True), ("杨*华", False, True)]
    core.clock.set("2026-11-25T10:30:00")  # over
    with pytest.raises(BookingRejected):
        door.record(CALLIGRAPHY, get_elder(core.store, WANG))


def test_a_service_that_takes_no_attendance_refuses_it(core):
    feed(core, session(slot_id="check:1", service="health_check", capacity=5))
    core.clock.set("2026-11-25T09:00:00")
    with pytest.raises(BookingRejected) as refused:
        Attendance(core.store, core.clock).record("check:1", get_elder(core.store, LI))
    assert refused.value.reason == "not_allowed"


def test_sign_in_tells_once_of_a_place_that_came_and_signs_her_in_at_the_door(core):
    feed(core, session())
    core.bookings.book(core.bookings.quote(get_elder(core.store, LI), CALLIGRAPHY))
    waiting = core.bookings.book(core.bookings.quote(get_elder(core.store, YANG), CALLIGRAPHY))
    yang = get_elder(core.store, YANG)
    assert sign_in_news(core.store, core.clock, T, yang) == []
    row = dict(core.store.query_one("SELECT * FROM bookings WHERE id = ?", (waiting.id,)))
    feed(core, {"kind": "booking", "id": waiting.id, "data": {  # Li cancelled elsewhere
        **row, "status": "confirmed", "waitlist_position": None, "needs": []}})
    core.clock.set("2026-11-25T08:30:00")
    news = sign_in_news(core.store, core.clock, T, yang)
    assert news[0].startswith("好消息") and "书法" in news[0]
    assert news[1] == "已为您签到：09:00 书法，在二楼书画室。"
    assert sign_in_news(core.store, core.clock, T, yang) == []  # each told once


def test_the_store_moves_every_slot_into_one_table_and_keeps_every_booking(tmp_path):
    path = tmp_path / "kiosk.sqlite3"
    conn = sqlite3.connect(path)
    for script in MIGRATIONS[:6]:
        conn.executescript(script)
    conn.executescript("""
        PRAGMA user_version = 6;
        INSERT INTO elders (id, card_no, name, updated_at) VALUES ('e1', '1', '王秀英', 'x');
        INSERT INTO meal_slots VALUES ('meal:2026-11-25:lunch', '2026-11-25', 'lunch',
            '2026-11-25T09:30:00+08:00', 40, 1500, '[{"name": "米饭", "tags": []}]');
        INSERT INTO service_slots (id, service, provider_id, day, day_part, starts_at, ends_at,
            cutoff, capacity) VALUES ('cleaning:2026-11-25:am', 'cleaning', 'p', '2026-11-25',
            'am', '2026-11-25T09:00:00+08:00', '2026-11-25T12:00:00+08:00',
            '2026-11-24T18:00:00+08:00', 3);
        INSERT INTO bookings (id, number, elder_id, service, slot_id, mode, price_cents,
            subsidy_cents, pay_cents, status, created_at, updated_at)
            VALUES ('b1', '1', 'e1', 'meal', 'meal:2026-11-25:lunch', 'pickup', 1500, 300, 1200,
                    'confirmed', 'x', 'x');
    """)
    conn.close()
    store = Store(path)
    try:
        slots = {r["id"]: dict(r) for r in store.query("SELECT * FROM slots")}
        lunch = slots["meal:2026-11-25:lunch"]
        assert (lunch["service"], lunch["part"], lunch["starts_at"], lunch["ends_at"]) == (
            "meal", "lunch", "2026-11-25T11:00:00+08:00", "2026-11-25T13:00:00+08:00")
        assert json.loads(lunch["menu"]) == [{"name": "米饭", "tags": []}]
        assert slots["cleaning:2026-11-25:am"]["part"] == "am"
        assert dict(store.query_one("SELECT status, pay_cents FROM bookings")) == {
            "status": "confirmed", "pay_cents": 1200}
        store.conn.execute("UPDATE bookings SET status = 'a_status_from_the_future'")  # no CHECK
    finally:
        store.close()
