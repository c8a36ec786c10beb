"""Our services in a real browser against a real platform: a provider's account sees its own
bookings (coming and recent), ratings and complaints, the elders by masked name only, and
nothing of another provider of the same community; other roles are refused."""
from __future__ import annotations

import datetime as dt
import json
import uuid
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import insert, select

from service_platform import clock
from service_platform.console import accounts, i18n
from service_platform.schema import bookings, complaints, ratings, service_slots
from tests.console.browser import save_screenshot
from tests.console.signin import sign_in

COMMUNITY = "community-xingfu"  # the demo community
OURS = "provider-sunshine"  # the demo provider account's (cleaning)
THEIRS = "provider-xingfu-station"  # clinic, home visits, health checks
PASSWORD = "a-good-long-password"
TZ = ZoneInfo("Asia/Shanghai")
ZH = i18n.messages("zh_CN")
ELDERS = {"elder-0001": ("王秀英", "王*英", "13530246633"),
          "elder-0002": ("李建国", "李*国", "13078106871"),
          "elder-0003": ("杨建华", "杨*华", "13918302983")}


def _slot(conn, provider_id: str, day: dt.date) -> dict:
    """The provider's first slot on `day` or after."""
    return dict(conn.execute(select(service_slots).where(
        service_slots.c.community_id == COMMUNITY, service_slots.c.provider_id == provider_id,
        service_slots.c.day >= day.isoformat()).order_by(
        service_slots.c.day, service_slots.c.start_at)).mappings().first())


def _past_slot(conn, provider_id: str, service: str, day: dt.date) -> str:
    """A slot of a day gone by (the demo's slots start today)."""
    start = dt.datetime.combine(day, dt.time(8, 30), tzinfo=TZ)
    slot_id = f"{service}:{day.isoformat()}:am"
    conn.execute(insert(service_slots).values(
        community_id=COMMUNITY, id=slot_id, service=service, provider_id=provider_id,
        day=day.isoformat(), window="am", start_at=start.isoformat(),
        end_at=(start + dt.timedelta(hours=3, minutes=30)).isoformat(),
        cutoff=(start - dt.timedelta(hours=14)).isoformat(), capacity=3,
        updated_at=clock.stamp(clock.now())))
    return slot_id


def _booking(conn, provider_id: str, service: str, slot_id: str, elder_id: str,
             status: str = "confirmed", kind: str | None = None,
             department: str | None = None) -> str:
    booking_id = str(uuid.uuid4())
    now = clock.stamp(clock.now())
    conn.execute(insert(bookings).values(
        id=booking_id, community_id=COMMUNITY, elder_id=elder_id, service=service,
        slot_id=slot_id, mode="", price_cents=6000, subsidy_cents=2000, staff_id=None,
        status=status, kiosk_id="kiosk-test", op_id=str(uuid.uuid4()), created_at=now,
        received_at=now, updated_at=now, kind=kind, department=department, units=1,
        provider_id=provider_id))
    return booking_id


def _rating(conn, provider_id: str, booking_id: str, elder_id: str, score: str,
            reasons: list[str]) -> str:
    rating_id = str(uuid.uuid4())
    now = clock.stamp(clock.now())
    conn.execute(insert(ratings).values(
        community_id=COMMUNITY, id=rating_id, booking_id=booking_id, elder_id=elder_id,
        provider_id=provider_id, score=score, reasons=json.dumps(reasons), kiosk_id="kiosk-test",
        created_at=now, received_at=now))
    return rating_id


def _complaint(conn, provider_id: str, booking_id: str, elder_id: str,
               reasons: list[str]) -> str:
    complaint_id = str(uuid.uuid4())
    now = clock.stamp(clock.now())
    conn.execute(insert(complaints).values(
        community_id=COMMUNITY, id=complaint_id, booking_id=booking_id, elder_id=elder_id,
        provider_id=provider_id, reasons=json.dumps(reasons), state="open",
        kiosk_id="kiosk-test", created_at=now, received_at=now))
    return complaint_id


@pytest.fixture(scope="module")
def seeded(db) -> dict:
    """Bookings, ratings and complaints of both providers, as kiosks would have sent them."""
    today = clock.now().astimezone(TZ).date()
    tomorrow, yesterday = today + dt.timedelta(days=1), today - dt.timedelta(days=2)

    def work(conn):
        ours_next = _slot(conn, OURS, tomorrow)
        theirs_next = _slot(conn, THEIRS, tomorrow)
        ours_past = _past_slot(conn, OURS, "cleaning", yesterday)
        theirs_past = _past_slot(conn, THEIRS, "home_visit", yesterday)
        made = {
            "ours_next": _booking(conn, OURS, "cleaning", ours_next["id"], "elder-0001",
                                  kind="standard"),
            "ours_cancelled": _booking(conn, OURS, "cleaning", ours_next["id"], "elder-0003",
                                       status="cancelled", kind="deep"),
            "ours_past": _booking(conn, OURS, "cleaning", ours_past, "elder-0002",
                                  status="completed", kind="standard"),
            "theirs_next": _booking(conn, THEIRS, theirs_next["service"], theirs_next["id"],
                                    "elder-0002", department=theirs_next["department"]),
            "theirs_past": _booking(conn, THEIRS, "home_visit", theirs_past, "elder-0003",
                                    status="completed"),
        }
        made["ours_start"] = ours_next["start_at"]
        made["ours_rating"] = _rating(conn, OURS, made["ours_past"], "elder-0002",
                                      "unsatisfied", ["late", "rude"])
        made["ours_complaint"] = _complaint(conn, OURS, made["ours_past"], "elder-0002",
                                            ["late"])
        made["theirs_rating"] = _rating(conn, THEIRS, made["theirs_past"], "elder-0003",
                                        "satisfied", ["professional"])
        made["theirs_complaint"] = _complaint(conn, THEIRS, made["theirs_past"], "elder-0003",
                                              ["long_wait"])
        return made
    return db.run_write(work)


def _ids(page, attribute: str) -> set[str]:
    return set(page.eval_on_selector_all(f"[{attribute}]",
                                         f"els => els.map(e => e.getAttribute('{attribute}'))"))


def test_the_provider_sees_its_own_services_and_no_one_elses(new_page, console_platform, seeded):
    page = new_page(locale="zh-CN")
    sign_in(page, console_platform.base_url, "provider")
    assert page.url == console_platform.base_url + "/console/provider"
    page.wait_for_selector("#upcoming")
    assert "阳光家政" in page.inner_text("h1")

    assert _ids(page, "data-booking-id") == {seeded["ours_next"], seeded["ours_cancelled"],
                                             seeded["ours_past"]}
    assert _ids(page, "data-rating-id") == {seeded["ours_rating"]}
    assert _ids(page, "data-complaint-id") == {seeded["ours_complaint"]}

    start = dt.datetime.fromisoformat(seeded["ours_start"]).astimezone(TZ)
    coming = page.locator(f"#upcoming tr[data-booking-id='{seeded['ours_next']}'] td")
    cells = coming.all_inner_texts()
    assert cells[1] == "助洁 · 日常保洁"
    assert cells[2].startswith(f"上午 · {start:%H:%M}–")
    assert cells[3] == "王*英"
    assert cells[4] == ZH["console.provider.status.confirmed"]
    cancelled = page.locator(f"#upcoming tr[data-booking-id='{seeded['ours_cancelled']}'] td")
    assert cancelled.all_inner_texts()[1] == "助洁 · 深度保洁"
    assert cancelled.last.inner_text() == ZH["console.provider.status.cancelled"]
    past = page.locator(f"#recent tr[data-booking-id='{seeded['ours_past']}'] td")
    assert past.nth(3).inner_text() == "李*国"
    assert past.nth(4).inner_text() == ZH["console.provider.status.completed"]

    rating = page.locator(f"tr[data-rating-id='{seeded['ours_rating']}'] td").all_inner_texts()
    assert rating[1:3] == ["不满意", "来晚了、态度不好"]
    assert rating[3].startswith("助洁 · ")
    assert "共 1 条" in page.inner_text("#rating-counts")
    complaint = page.locator(
        f"tr[data-complaint-id='{seeded['ours_complaint']}'] td").all_inner_texts()
    assert complaint[1] == "来晚了" and complaint[3] == "待处理"

    text = page.content()
    for name, _, phone in ELDERS.values():  # masked names only; no phone, no address
        assert name not in text and phone not in text
    assert "安康苑" not in text
    for other in ("theirs_next", "theirs_past", "theirs_rating", "theirs_complaint"):
        assert seeded[other] not in text
    assert "幸福里社区卫生服务站" not in text and "看得认真" not in text
    save_screenshot(page, "provider", full_page=True)


def test_another_provider_sees_only_its_own(new_page, console_platform, db, seeded):
    db.run_write(lambda conn: accounts.create(conn, "station", "服务站负责人", "provider",
                                              PASSWORD, [COMMUNITY], THEIRS))
    page = new_page(locale="zh-CN")
    sign_in(page, console_platform.base_url, "station", PASSWORD)
    page.wait_for_selector("#upcoming")
    assert "幸福里社区卫生服务站" in page.inner_text("h1")
    assert _ids(page, "data-booking-id") == {seeded["theirs_next"], seeded["theirs_past"]}
    assert _ids(page, "data-rating-id") == {seeded["theirs_rating"]}
    assert _ids(page, "data-complaint-id") == {seeded["theirs_complaint"]}
    assert "阳光家政" not in page.content()
    rating = page.locator(f"tr[data-rating-id='{seeded['theirs_rating']}'] td").all_inner_texts()
    assert rating[1:3] == ["满意", "看得认真"]


@pytest.mark.parametrize("username", ["admin", "manager", "duty"])
def test_other_roles_are_refused(new_page, console_platform, username):
    base = console_platform.base_url
    page = new_page(locale="zh-CN")
    sign_in(page, base, username)
    assert page.locator("nav a[href$='/provider']").count() == 0
    assert page.goto(base + "/console/provider").status == 403
    assert ZH["console.refused.role"] in page.inner_text("main")


def test_the_provider_may_not_read_accounts_or_the_audit_log(new_page, console_platform):
    base = console_platform.base_url
    page = new_page(locale="zh-CN")
    sign_in(page, base, "provider")
    for path in ("/console/operators", "/console/audit", "/console/help"):
        assert page.goto(base + path).status == 403, path
