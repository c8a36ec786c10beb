"""Activities (活动) in a real browser against the demo platform: a day's sessions with their
title, time, place, places booked, waiting list and attendance, elders by masked name only, and
only the operator's own communities."""
from __future__ import annotations

import datetime as dt
import uuid
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import insert, select

from service_platform import clock, demo, operators, services
from service_platform.schema import attendance, bookings, service_slots
from tests.console.browser import save_screenshot
from tests.console.signin import sign_in

COMMUNITY = "community-xingfu"
ELSEWHERE = "community-activities-elsewhere"
TZ = ZoneInfo("Asia/Shanghai")


@pytest.fixture(scope="module")
def full_session(db) -> dict:
    """The demo's full calligraphy class, one of its elders scanned in at the door, and a
    session of another community on the same day."""
    with db.read() as conn:
        slot_id = conn.execute(select(bookings.c.slot_id).where(
            bookings.c.community_id == COMMUNITY,
            bookings.c.status == "waitlisted")).scalars().first()
        slot = dict(conn.execute(select(service_slots).where(
            service_slots.c.community_id == COMMUNITY,
            service_slots.c.id == slot_id)).mappings().one())
        booked = conn.execute(select(bookings.c.elder_id, bookings.c.id).where(
            bookings.c.community_id == COMMUNITY, bookings.c.slot_id == slot_id,
            bookings.c.status == "confirmed")).first()
        names = _names()
        slot["elder_names"] = [names[elder_id] for elder_id in conn.execute(
            select(bookings.c.elder_id).where(bookings.c.community_id == COMMUNITY,
                                              bookings.c.slot_id == slot_id)).scalars()]
    now = clock.stamp(clock.now())
    db.run_write(lambda conn: conn.execute(insert(attendance).values(
        community_id=COMMUNITY, id=str(uuid.uuid4()), slot_id=slot_id,
        elder_id=booked.elder_id, booking_id=booked.id, staff_id=None, kiosk_id="kiosk-test",
        created_at=now, received_at=now)))
    operators.add_community(db, ELSEWHERE, "别处社区")
    start = clock.parse(slot["start_at"])
    db.run_write(lambda conn: services.put_slots(conn, ELSEWHERE, [{
        "id": "activity:elsewhere", "service": "activity", "provider_id": "provider-x",
        "day": slot["day"], "start": slot["start_at"],
        "end": (start + dt.timedelta(hours=1)).isoformat(),
        "cutoff": (start - dt.timedelta(minutes=10)).isoformat(), "capacity": 30,
        "price_cents": 0, "title": "太极拳", "place": "广场"}]))
    return slot


def _cell(row, selector: str) -> str:
    return row.query_selector(selector).inner_text()


def _names() -> dict[str, str]:
    return {elder["id"]: elder["name"] for elder in demo.load_community()["elders"]}


def test_a_days_sessions_for_a_duty_worker(new_page, console_platform, full_session):
    page = new_page(locale="zh-CN")
    sign_in(page, console_platform.base_url, "duty")
    page.click("nav a[href$='/console/activities']")
    page.wait_for_selector("#activities-summary")
    page.fill("#day", full_session["day"])
    page.click("form.filters button[type=submit]")
    row = page.wait_for_selector(f"tr[data-slot='{full_session['id']}']")
    assert "/console/activities?day=" + full_session["day"] in page.url
    assert row.eval_on_selector(".title", "e => e.firstChild.textContent.trim()") == "书法"
    start = clock.parse(full_session["start_at"]).astimezone(TZ)
    end = clock.parse(full_session["end_at"]).astimezone(TZ)
    assert _cell(row, ".time") == f"{start:%H:%M}–{end:%H:%M}" == "09:00–10:30"
    assert _cell(row, ".place") == "二楼书画室"
    assert " ".join(_cell(row, ".booked").split()) == "12 / 12 已满"
    assert (_cell(row, ".waiting"), _cell(row, ".attended")) == ("2", "1")
    # 14 masked names, 2 of them waiting; no full name of any of them anywhere on the page
    shown = _cell(row, ".names")
    assert shown.count("*") == 14 and "候补：" in _cell(row, ".waiting-names")
    html = page.content()
    assert len(full_session["elder_names"]) == 14
    assert [name for name in full_session["elder_names"] if name in html] == []
    assert "太极拳" not in page.content()  # another community's session
    save_screenshot(page, "activities", full_page=True)

    page.click("a[rel=next]")
    page.wait_for_selector("#activities-summary")
    after = dt.date.fromisoformat(full_session["day"]) + dt.timedelta(days=1)
    assert page.url.endswith(f"?day={after.isoformat()}")
    assert page.query_selector(f"tr[data-slot='{full_session['id']}']") is None


def test_an_admin_sees_every_community_in_english(new_page, console_platform, full_session):
    page = new_page(locale="en-GB")
    sign_in(page, console_platform.base_url, "admin",
            then=f"/console/activities?day={full_session['day']}")
    page.wait_for_selector(f"tr[data-slot='{full_session['id']}']")
    assert "太极拳" in page.inner_text(f"table[data-community='{ELSEWHERE}']")
    assert page.inner_text("th[scope=col] >> nth=0") == "Session"
    assert "full" in page.inner_text(f"tr[data-slot='{full_session['id']}'] .booked")


def test_a_provider_is_refused(new_page, console_platform):
    page = new_page(locale="zh-CN")
    sign_in(page, console_platform.base_url, "provider")
    assert page.goto(console_platform.base_url + "/console/activities").status == 403
