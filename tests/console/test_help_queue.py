"""The live help queue in a real browser: a call pushed by a real kiosk appears without a reload,
is taken and resolved in the console, and the kiosk learns of it at its next pull."""
from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select, update

from kiosk.help import HelpDesk
from service_platform import clock, operators
from service_platform.db import Database
from service_platform.schema import help_events, help_requests, operator_audit
from tests.console.browser import save_screenshot
from tests.console.signin import sign_in
from tests.platform.servers import wait_until
from tests.sync.conftest import TestKiosk

COMMUNITY = "community-xingfu"  # the demo community
LIVE_MS = 20_000  # the most a live update may take on a loaded machine (no reload either way)


@pytest.fixture()
def kiosk(console_platform, db, tmp_path):
    code = operators.add_kiosk(db, COMMUNITY, "大厅一号机")[1]
    made = TestKiosk(tmp_path / "kiosk", console_platform.base_url, code)
    made.sync_ok()
    yield made
    made.close()


def _card(page, help_id: str):
    return page.locator(f"li[data-help-id='{help_id}']")


def _queue_page(new_page, console_platform, username: str = "duty", **options):
    page = new_page(locale="zh-CN", **options)
    sign_in(page, console_platform.base_url, username, then="/console/help")
    page.wait_for_selector("body[data-live='connected']")
    return page


def _kiosk_row(kiosk: TestKiosk, help_id: str):
    return kiosk.store.query_one("SELECT * FROM help_requests WHERE id = ?", (help_id,))


def test_a_call_appears_live_is_taken_and_the_kiosk_hears_of_it(new_page, console_platform,
                                                                   kiosk, db):
    page = _queue_page(new_page, console_platform)
    alarms_before = page.evaluate("window.consoleAlarm.count")
    request = HelpDesk(kiosk.store, kiosk.clock).ask("elder-0001")
    kiosk.sync_ok()  # the push has reached the platform when this returns
    card = _card(page, request.id)
    card.wait_for(state="visible", timeout=LIVE_MS)  # pushed to the page: it is not reloaded
    assert "王*英" in card.inner_text()  # masked; the whole name only after a deliberate tap
    assert "王秀英" not in page.content()
    assert "大厅一号机" in card.inner_text()
    page.wait_for_function(f"window.consoleAlarm.count > {alarms_before}")
    save_screenshot(page, "help-queue")

    card.locator("form[action$='/acknowledge'] button").click()
    page.wait_for_selector(f"li[data-help-id='{request.id}'].acknowledged")
    assert "小刘（演示）" in _card(page, request.id).inner_text()
    assert _kiosk_row(kiosk, request.id)["state"] == "open"
    kiosk.sync_ok()  # one sync cycle: the kiosk pulls the acknowledgement
    row = _kiosk_row(kiosk, request.id)
    assert row["state"] == "acknowledged"
    assert row["acknowledged_by_name"] == "小刘（演示）"


def test_resolving_needs_a_note_and_reaches_the_kiosk(new_page, console_platform, kiosk, db):
    page = _queue_page(new_page, console_platform)
    request = HelpDesk(kiosk.store, kiosk.clock).ask("elder-0002")
    kiosk.sync_ok()
    card = _card(page, request.id)
    card.wait_for()
    card.locator("a.button").click()  # 详情
    page.wait_for_selector("textarea#note")

    page.click("form[action$='/resolve'] button")  # no note: the browser's own check stops it
    assert page.evaluate("document.querySelector('#note').validity.valueMissing")
    page.evaluate("document.querySelector('#note').removeAttribute('required')")
    page.click("form[action$='/resolve'] button")  # the platform refuses it too, beside the field
    page.wait_for_selector("#note-error")
    assert page.get_attribute("#note", "aria-invalid") == "true"
    with db.read() as conn:
        assert conn.execute(select(help_requests.c.state).where(
            help_requests.c.id == request.id)).scalar_one() == "open"

    page.fill("#note", "已陪李伯去医务室，量了血压，正常。")
    page.click("form[action$='/resolve'] button")
    page.wait_for_selector("ol.timeline")
    assert "已陪李伯去医务室" in page.inner_text("dl.facts")
    kiosk.sync_ok()
    row = _kiosk_row(kiosk, request.id)
    assert row["state"] == "resolved"
    assert row["resolution_note"] == "已陪李伯去医务室，量了血压，正常。"


def test_contact_details_only_after_a_deliberate_and_logged_tap(new_page, console_platform,
                                                                kiosk, db):
    page = _queue_page(new_page, console_platform)
    request = HelpDesk(kiosk.store, kiosk.clock).ask("elder-0001")
    kiosk.sync_ok()
    _card(page, request.id).locator("a.button").click()
    page.wait_for_selector("section.contact form")
    assert "王秀英" not in page.content()
    assert "大厅一号机" in page.inner_text("dl.facts")  # the kiosk by its name
    page.click("section.contact form button")
    page.wait_for_selector("section.contact dl")
    assert "王秀英" in page.inner_text("section.contact")
    with db.read() as conn:
        events = conn.execute(select(help_events.c.what, help_events.c.actor_name).where(
            help_events.c.help_id == request.id)).all()
        audit = conn.execute(select(operator_audit.c.action, operator_audit.c.username).where(
            operator_audit.c.subject == request.id)).all()
    assert ("details_opened", "小刘（演示）") in events
    assert ("help.contact_opened", "duty") in audit


def test_a_form_without_its_csrf_token_changes_nothing(new_page, console_platform, kiosk, db):
    page = _queue_page(new_page, console_platform)
    request = HelpDesk(kiosk.store, kiosk.clock).ask(None)
    kiosk.sync_ok()
    _card(page, request.id).wait_for()
    path = f"/console/help/{COMMUNITY}/{request.id}/acknowledge"
    for form in ({}, {"csrf": "not-the-token"}):
        answer = page.request.post(console_platform.base_url + path, form=form,
                                   max_redirects=0)
        assert answer.status == 403
    with db.read() as conn:
        assert conn.execute(select(help_requests.c.state).where(
            help_requests.c.id == request.id)).scalar_one() == "open"


def test_an_overdue_call_turns_red_without_a_reload_and_rings_again(new_page, console_platform,
                                                                    kiosk, db):
    manager = _queue_page(new_page, console_platform, "manager")
    request = HelpDesk(kiosk.store, kiosk.clock).ask("elder-0003")
    kiosk.sync_ok()
    card = _card(manager, request.id)
    card.wait_for()
    assert "escalated" not in card.get_attribute("class")
    rang = manager.evaluate("window.consoleAlarm.count")
    # Received 4 minutes ago: past the demo community's 3 minutes; the platform's escalation
    # loop (every 5 s) marks it and the consoles hear of it.
    earlier = clock.stamp(clock.now() - dt.timedelta(minutes=4))
    db.run_write(lambda conn: conn.execute(update(help_requests).where(
        help_requests.c.id == request.id).values(received_at=earlier)))
    wait_until(lambda: _escalated(db, request.id), 15, "the platform to escalate the call")
    manager.wait_for_selector(f"li[data-help-id='{request.id}'].escalated")
    manager.wait_for_function(f"window.consoleAlarm.count > {rang}")
    save_screenshot(manager, "help-escalated")


def _escalated(db: Database, help_id: str) -> bool:
    with db.read() as conn:
        return conn.execute(select(help_requests.c.escalated_at).where(
            help_requests.c.id == help_id)).scalar_one() is not None


def test_the_queue_on_a_phone(new_page, console_platform, kiosk):
    page = _queue_page(new_page, console_platform, phone=True)
    request = HelpDesk(kiosk.store, kiosk.clock).ask("elder-0004")
    kiosk.sync_ok()
    button = _card(page, request.id).locator("form[action$='/acknowledge'] button")
    button.wait_for()
    box = button.bounding_box()
    assert box["height"] >= 48 and box["width"] >= 300  # a thumb's target, the card's width
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390  # nothing wider than the phone
    save_screenshot(page, "help-phone", full_page=True)


def test_response_times_are_shown_per_community_and_day(new_page, console_platform, kiosk):
    page = _queue_page(new_page, console_platform, "manager")
    request = HelpDesk(kiosk.store, kiosk.clock).ask("elder-0005")
    kiosk.sync_ok()
    page.reload()  # what is timed here is the answer, not the live update (tested above)
    _card(page, request.id).locator("form[action$='/acknowledge'] button").click()
    page.wait_for_selector(f"li[data-help-id='{request.id}'].acknowledged")
    page.goto(console_platform.base_url + "/console/help/times")
    table = page.inner_text("table")
    assert "幸福里社区养老服务站" in table
    assert json.dumps(dt.date.today().isoformat())[1:-1][:4] in table
