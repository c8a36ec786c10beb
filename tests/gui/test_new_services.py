"""Services as data in a real window (Tuesday 2026-11-24 08:00, the demo community): an activity
with a waiting list (文化活动), a companion visit (探望陪伴) that needs no screens of its own, a
service the platform adds that gets a tile with no code, and attendance at the door (签到)."""
from __future__ import annotations

import json

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from kiosk import staff
from kiosk.sync.pull import apply_page
from tests.gui.conftest import find_button, screen_says, tap, tap_service, type_card
from tests.gui.test_staff_mode import sign_in

LI, YANG = "10000002", "10000003"  # 李建国, 杨*华
TOMORROW = "2026-11-25"


def feed(core, *changes) -> None:
    """Changes as the platform's feed carries them, through the kiosk's own pull."""
    page = [{"seq": n, "op": "upsert", **change} for n, change in enumerate(changes, 1)]
    apply_page(core.store, core.clock, page, next_cursor=len(page))


def slot(slot_id, service, start, end, capacity, window=None, **extra) -> dict:
    return {"kind": "service_slot", "id": slot_id, "data": {
        "id": slot_id, "service": service, "provider_id": f"{service}-provider",
        "day": TOMORROW, "window": window, "department": None, "doctor": None,
        "start": f"{TOMORROW}T{start}:00+08:00", "end": f"{TOMORROW}T{end}:00+08:00",
        "cutoff": f"{TOMORROW}T08:00:00+08:00", "capacity": capacity, "price_cents": 0,
        **extra}}


def provider(service: str) -> dict:
    return {"kind": "provider", "id": f"{service}-provider", "data": {
        "id": f"{service}-provider", "name": "提供方", "services": [service], "teams": None,
        "kinds": {}, "subsidy_cents": {}, "needs": [], "departments": {}, "active": True}}


def ops(window, op_type: str) -> list[dict]:
    return [json.loads(r["payload"]) for r in window.core.store.query(
        "SELECT payload FROM outbox WHERE op_type = ? ORDER BY seq", (op_type,))]


def test_a_full_activity_offers_the_waiting_list_and_the_receipt_says_so(qtbot, window,
                                                                          speaker):
    feed(window.core, provider("activity"),
         slot("act:1", "activity", "18:30", "19:30", 1, title="剪纸", place="一楼手工室"))
    type_card(qtbot, window, LI)
    tap_service(qtbot, window, "activity")
    assert window.current.name == "service_day"
    assert speaker.said[-1] == "请选择哪一天参加活动。"  # the catalogue's prompt
    tap(qtbot, window, "明天")
    assert window.current.name == "session_list"
    tile = find_button(window, "18:30–19:30 剪纸")
    assert tile.text() == "18:30–19:30 剪纸\n一楼手工室 · 还剩1个名额"
    tap(qtbot, window, "18:30–19:30 剪纸")
    assert screen_says(window, "您要报名11月25日 星期三 18:30到19:30的剪纸，在一楼手工室，"
                               "费用0元（免费）。")
    tap(qtbot, window, "确认")
    assert window.current.name == "receipt"
    tap(qtbot, window, "回到首页")
    type_card(qtbot, window, YANG)  # the one place is Li's now
    tap_service(qtbot, window, "activity")
    tap(qtbot, window, "明天")
    assert find_button(window, "18:30–19:30 剪纸").text().endswith("已满，可以排候补")
    tap(qtbot, window, "18:30–19:30 剪纸")
    assert screen_says(window, "现在名额已满：确认后为您排候补，有人取消就自动给您补上。")
    tap(qtbot, window, "确认")
    assert screen_says(window, "已排候补，有人取消就补上")
    statuses = [r["status"] for r in window.core.store.query(
        "SELECT status FROM bookings WHERE slot_id = 'act:1' ORDER BY created_at")]
    assert statuses == ["tentative", "waitlisted"]
    assert [p["service"] for p in ops(window, "booking.create")] == ["activity", "activity"]


def test_a_companion_visit_needs_no_screens_of_its_own(qtbot, window):
    """探望陪伴 is a `window` service whose provider has no kinds: day → 上午 → confirm."""
    feed(window.core, provider("visit"),
         slot("visit:am", "visit", "09:00", "11:30", 3, window="am"),
         slot("visit:pm", "visit", "14:00", "17:00", 3, window="pm"))
    type_card(qtbot, window, LI)
    tap_service(qtbot, window, "visit")
    assert window.current.name == "window_day"
    tap(qtbot, window, "明天")
    tap(qtbot, window, "上午")
    assert window.current.name == "confirm"
    assert screen_says(window, "您要约11月25日 星期三上午的探望陪伴服务，到和平里 1号楼，"
                               "费用0元（免费）。")
    tap(qtbot, window, "确认")
    assert window.current.name == "receipt"
    [payload] = ops(window, "booking.create")
    assert (payload["service"], payload["slot_id"]) == ("visit", "visit:am")
    assert "kind" not in payload and "mode" not in payload


def test_a_service_the_platform_adds_gets_its_tile_and_is_booked_with_no_code(qtbot, window):
    feed(window.core, {"kind": "service", "id": "legal_aid", "data": {
        "key": "legal_aid", "slot_kind": "timed", "order": 45, "active": True,
        "names": {"zh_CN": "法律咨询", "en": "Legal advice"},
        "hints": {"zh_CN": "律师答疑", "en": "Ask a lawyer"},
        "prompts": {"zh_CN": "请选择咨询的日子。"}, "icon": "legal", "policy": {}}},
        provider("legal_aid"), slot("legal:1", "legal_aid", "10:00", "10:30", 1))
    type_card(qtbot, window, LI)
    tap_service(qtbot, window, "legal_aid")
    assert window.current.name == "service_day"
    tap(qtbot, window, "明天")
    tap(qtbot, window, "10:00–10:30")
    assert screen_says(window, "您要约11月25日 星期三 10:00的法律咨询，费用0元（免费）。")
    tap(qtbot, window, "确认")
    assert window.current.name == "receipt"
    assert screen_says(window, "11月25日 星期三 10:00 法律咨询，您付0元（免费）。")


def test_attendance_at_the_door_by_card(qtbot, window):
    staff.seed_demo_staff(window.core.store, window.core.clock)
    feed(window.core, provider("activity"),
         slot("act:1", "activity", "18:30", "19:30", 5, title="剪纸", place="一楼手工室"))
    li = window.core.store.query_one("SELECT id FROM elders WHERE card_no = ?", (LI,))["id"]
    window.core.bookings.book(window.core.bookings.quote(
        window.core.bookings.elder(li), "act:1"))
    window.core.clock.set(f"{TOMORROW}T18:00:00")
    sign_in(qtbot, window)
    tap(qtbot, window, "活动签到")
    tap(qtbot, window, "18:30 剪纸")  # the demo's sessions of the day are there too
    assert window.current.name == "staff_attendance"
    assert screen_says(window, "18:30 剪纸（一楼手工室）：请老人刷卡签到。已到0人，报名1人。")
    for card, said in ((LI, "李*国 签到成功"), (YANG, "杨*华 签到成功（未报名，已记下）"),
                       (LI, "李*国 已经签到过了")):
        QTest.keyClicks(window, card)
        QTest.keyClick(window, Qt.Key.Key_Return)
        assert screen_says(window, said)
    assert window.current.name == "staff_attendance"  # a scan here does not sign anyone in
    assert screen_says(window, "李*国 · ✓ 已签到")
    assert screen_says(window, "杨*华 · ✓ 已签到（未报名）")
    assert len(ops(window, "attendance.record")) == 2
