"""Complaints in a real browser against a real platform, filed by a real kiosk's push: a duty
worker takes one and resolves it in plain words (seeing what the elder's kiosk will say), the
elder's answer closes it; a provider sees only those about it and replies but cannot resolve;
overdue ones are flagged; the phone of an elder who asked to be called back is shown on
purpose and logged; bad input gets a plain message."""
from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect
from sqlalchemy import select, update

from service_platform import catalogue, clock, complaints
from service_platform.console import i18n
from service_platform.schema import complaints as complaints_table
from service_platform.schema import operator_audit
from tests.console.browser import save_screenshot
from tests.console.signin import sign_in
from tests.platform.wire import TestPlatform, answer_op, complaint_op, latest

COMMUNITY = "community-xingfu"  # the demo community
OURS = "provider-sunshine"  # the demo provider account's
THEIRS = "provider-xingfu-station"
TZ = ZoneInfo("Asia/Shanghai")
ZH = i18n.messages("zh_CN")


@pytest.fixture(scope="module")
def kiosk(console_platform, db):
    return TestPlatform(console_platform.base_url, db).kiosk(COMMUNITY, "意见测试终端")


def _file(kiosk, elder_id: str, **fields) -> str:
    made = complaint_op(elder_id, **fields)
    result = kiosk.push(made)[0]
    assert result["status"] == "applied", result
    return made["payload"]["id"]


def _url(base: str, complaint_id: str, step: str = "") -> str:
    return f"{base}/console/complaints/{COMMUNITY}/{complaint_id}" + (f"/{step}" if step else "")


def _csrf(page) -> str:
    return page.locator("header .who input[name=csrf]").get_attribute("value")


def _row(db, complaint_id: str) -> dict:
    with db.read() as conn:
        return dict(complaints.get(conn, COMMUNITY, complaint_id))


def _audit(db, complaint_id: str) -> list[dict]:
    with db.read() as conn:
        return [dict(row) for row in conn.execute(select(operator_audit).where(
            operator_audit.c.subject == complaint_id).order_by(operator_audit.c.id)).mappings()]


def _kiosk_words(created_day: dt.date, words: str) -> str:
    return f"您{created_day.month}月{created_day.day}日的意见已处理：{words}"


def test_a_duty_worker_takes_a_complaint_and_resolves_it_in_plain_words(
        new_page, console_platform, kiosk, db):
    complaint_id = _file(kiosk, "elder-0001", about="provider", provider_id=OURS,
                         reasons=["late", "rude"])
    base = console_platform.base_url
    page = new_page(locale="zh-CN")
    sign_in(page, base, "duty", then="/console/complaints")
    row = page.locator(f"tr[data-complaint-id='{complaint_id}']")
    expect(row).to_contain_text("王*英")
    expect(row).to_contain_text("阳光家政")
    expect(row).to_contain_text(ZH["console.provider.reason.late"])
    assert "王秀英" not in page.content()
    row.locator("a").click()

    page.click("#take")
    expect(page.locator("#state")).to_have_text(ZH["console.complaint.state.in_progress"])
    expect(page.locator("#owner")).to_have_text("小刘（演示）")
    page.click("#resolve")  # nothing written: a plain message beside the field, no step
    expect(page.locator("#resolution-error")).to_have_text(
        ZH["console.complaint.error.resolution_missing"])
    assert _row(db, complaint_id)["state"] == "in_progress"
    too_long = page.request.post(_url(base, complaint_id, "resolve"), max_redirects=0,
                                 form={"csrf": _csrf(page), "resolution": "好" * 501})
    assert too_long.status == 422
    assert ZH["console.complaint.error.resolution_long"].format(n=500) in too_long.text()

    words = "阳光家政已经向您道歉，以后会准时上门。"
    page.fill("#resolution", words)
    created = dt.datetime.now(TZ).date()  # the kiosk filed it just now, in Shanghai time
    expect(page.locator("#preview")).to_have_text(_kiosk_words(created, words))
    page.click("#resolve")
    expect(page.locator("#resolution-shown .kiosk-says")).to_have_text(
        _kiosk_words(created, words))
    expect(page.locator("#state")).to_have_text(ZH["console.complaint.state.resolved"])
    expect(page.locator("#answer")).to_have_text(ZH["console.complaint.no_answer"])

    fed = latest(kiosk.pull_all()[0], "complaint")[complaint_id]
    assert (fed["state"], fed["resolution"]) == ("resolved", words)
    assert kiosk.push(answer_op(complaint_id, "elder-0001", "satisfied"))[0]["data"][
        "state"] == "closed"
    page.reload()
    expect(page.locator("#state")).to_have_text(ZH["console.complaint.state.closed"])
    expect(page.locator("#answer")).to_have_text(ZH["console.provider.score.satisfied"])
    assert page.locator("#resolve-form").count() == 0
    assert [item.get_attribute("data-what") for item in page.locator("#timeline li").all()] == [
        "received", "taken", "resolved", "answered", "closed"]

    lines = _audit(db, complaint_id)
    assert [(line["username"], line["action"]) for line in lines] == [
        ("duty", "complaint.take"), ("duty", "complaint.resolve")]
    assert json.loads(lines[1]["detail"]) == {"state": "resolved", "was": "in_progress"}
    assert all(words not in (line["detail"] or "") for line in lines)


def test_a_provider_sees_its_own_complaints_and_replies_but_cannot_resolve(
        new_page, console_platform, kiosk, db):
    ours = _file(kiosk, "elder-0002", about="provider", provider_id=OURS, call_back=True)
    theirs = _file(kiosk, "elder-0003", about="provider", provider_id=THEIRS)
    centre = _file(kiosk, "elder-0003", about="centre")
    base = console_platform.base_url
    page = new_page(locale="zh-CN")
    sign_in(page, base, "provider", then="/console/complaints")
    shown = set(page.eval_on_selector_all(
        "[data-complaint-id]", "els => els.map(e => e.getAttribute('data-complaint-id'))"))
    assert ours in shown and not {theirs, centre} & shown
    with db.read() as conn:
        assert {row["provider_id"] for row in conn.execute(select(
            complaints_table.c.provider_id).where(complaints_table.c.id.in_(shown)))
            .mappings()} == {OURS}

    page.goto(_url(base, ours))
    expect(page.locator("#call-back")).to_contain_text(ZH["console.complaint.call_back_yes"])
    assert page.locator("#take, #resolve, #show-phone, #masked-phone, #close").count() == 0
    with db.read() as conn:
        phone = catalogue.get_elder(conn, COMMUNITY, "elder-0002")["phone"]
    assert phone[-4:] not in page.inner_text("main")
    page.fill("#reply-text", "我们已经打电话向老人道歉，下次提前联系。")
    page.click("#send-reply")
    expect(page.locator("#provider-reply")).to_contain_text("我们已经打电话向老人道歉")

    refused = page.request.post(_url(base, ours, "resolve"), max_redirects=0,
                                form={"csrf": _csrf(page), "resolution": "自己结案"})
    assert refused.status == 403
    assert (_row(db, ours)["state"], _row(db, ours)["resolution"]) == ("open", None)
    assert page.goto(_url(base, theirs)).status == 404  # another provider's: not there
    other = page.request.post(_url(base, theirs, "reply"), max_redirects=0,
                              form={"csrf": _csrf(page), "reply": "不是我们的"})
    assert other.status == 404 and _row(db, theirs)["provider_reply"] is None
    assert [line["action"] for line in _audit(db, ours)] == ["complaint.reply"]

    manager = new_page(locale="zh-CN")
    sign_in(manager, base, "manager", then=f"/console/complaints/{COMMUNITY}/{ours}")
    expect(manager.locator("#provider-reply")).to_contain_text("下次提前联系")
    expect(manager.locator("#timeline li[data-what='provider_replied']")).to_contain_text(
        "阳光家政（演示）")


def test_overdue_complaints_are_flagged_and_the_call_back_phone_shown_on_purpose(
        new_page, console_platform, kiosk, db):
    late = _file(kiosk, "elder-0001", about="centre", call_back=True, reasons=["long_wait"],
                 note="老人耳朵不好，请大声说", staff_id="staff-zhang")
    past = clock.stamp(clock.now() - dt.timedelta(hours=2))
    db.run_write(lambda conn: conn.execute(update(complaints_table).where(
        complaints_table.c.community_id == COMMUNITY,
        complaints_table.c.id == late).values(due_at=past)))  # its working days went by
    base = console_platform.base_url
    page = new_page(locale="zh-CN")
    sign_in(page, base, "manager", then="/console/complaints")
    row = page.locator(f"tr[data-complaint-id='{late}']")
    expect(row).to_have_class(re.compile(r"\boverdue\b"))
    expect(row.locator(".overdue-flag")).to_have_text(ZH["console.complaint.overdue"])
    assert int(page.inner_text("#counts [data-count='overdue'] strong")) >= 1
    page.check("#only-overdue")
    page.click("#filters button[type=submit]")
    page.wait_for_url("**overdue=1**")
    flagged = page.locator("tr[data-complaint-id]")
    assert flagged.count() >= 1
    assert all("overdue" in (item.get_attribute("class") or "") for item in flagged.all())
    page.goto(base + "/console/complaints")
    save_screenshot(page, "complaints", full_page=True)

    page.goto(_url(base, late))
    expect(page.locator("#state .overdue-flag")).to_be_visible()
    expect(page.locator("#staff-note")).to_have_text("老人耳朵不好，请大声说")
    expect(page.locator("#timeline li[data-what='received']")).to_contain_text("张社工")
    with db.read() as conn:
        phone = catalogue.get_elder(conn, COMMUNITY, "elder-0001")["phone"]
    expect(page.locator("#masked-phone")).to_have_text(f"{phone[:3]}****{phone[-4:]}")
    page.click("#show-phone")
    expect(page.locator("#phone")).to_have_text(phone)
    assert [line["action"] for line in _audit(db, late)] == ["complaint.phone_opened"]
    assert phone not in (_audit(db, late)[0]["detail"] or "")
    page.fill("#resolution", "门口排队的地方加了椅子，您下次来可以坐着等。")
    save_screenshot(page, "complaint", full_page=True)


def test_bad_input_gets_a_plain_message_never_a_500(new_page, console_platform, kiosk, db):
    base = console_platform.base_url
    page = new_page(locale="zh-CN")
    sign_in(page, base, "duty")
    for missing in (str(uuid.uuid4()), "not-a-complaint", "x" * 300):
        answer = page.goto(_url(base, missing))
        assert answer.status == 404
        expect(page.locator("h1")).to_have_text(ZH["console.not_found.title"])
    assert page.request.post(_url(base, str(uuid.uuid4()), "take"), max_redirects=0,
                             form={"csrf": _csrf(page)}).status == 404
    assert page.goto(f"{base}/console/complaints?state=nonsense&overdue=maybe").status == 200

    closed = _file(kiosk, "elder-0002", about="centre")
    done = page.request.post(_url(base, closed, "close"), max_redirects=0,
                             form={"csrf": _csrf(page), "note": "老人说不用处理了"})
    assert done.status == 303 and _row(db, closed)["state"] == "closed"
    page.goto(_url(base, closed))
    stale = page.request.post(_url(base, closed, "take"), max_redirects=0,
                              form={"csrf": _csrf(page)})  # from a page opened before
    assert stale.status == 409
    assert ZH["console.complaint.error.state"] in stale.text()
    long_note = page.request.post(_url(base, closed, "reopen"), max_redirects=0,
                                  form={"csrf": _csrf(page), "note": "长" * 501})
    assert long_note.status == 422 and _row(db, closed)["state"] == "closed"
    assert ZH["console.complaint.error.note_long"].format(n=500) in long_note.text()
    nobody = page.request.post(_url(base, closed, "assign"), max_redirects=0,
                               form={"csrf": _csrf(page), "owner": "op-nobody"})
    assert nobody.status == 422  # closed, or not one of the community's handlers


def test_the_centre_manager_sets_how_many_working_days_complaints_take(
        new_page, console_platform, kiosk, db):
    base = console_platform.base_url
    page = new_page(locale="zh-CN")
    sign_in(page, base, "manager", then=f"/console/communities/{COMMUNITY}")
    page.fill("#days", "99")
    page.click("#save-days")
    expect(page.locator("#days-error")).to_have_text(
        ZH["console.communities.error.days"].format(days_low=1, days_high=30))
    for bad in ("abc", "", "0", "3.5", "１"):
        answer = page.request.post(f"{base}/console/communities/{COMMUNITY}/complaint-days",
                                   form={"csrf": _csrf(page), "days": bad}, max_redirects=0)
        assert answer.status == 422, bad
    page.fill("#days", "5")
    page.click("#save-days")
    expect(page.locator("#saved-days")).to_be_visible()
    expect(page.locator(".complaint-days")).to_have_text(
        ZH["console.communities.working_days"].format(n=5))
    filed = _file(kiosk, "elder-0003", about="centre")
    row = _row(db, filed)
    assert row["due_at"] == complaints.due_at(row["received_at"], 5, "Asia/Shanghai")
    line = [line for line in _audit(db, COMMUNITY) if line["action"] ==
            "community.complaint_days"][-1]
    assert json.loads(line["detail"]) == {"days": 5, "was": 3}
    db.run_write(lambda conn: complaints.set_days(conn, COMMUNITY, 3))
