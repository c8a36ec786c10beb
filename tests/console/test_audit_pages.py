"""The audit log in a real browser against a real platform: the sign-ins and the account changes
made through the console show, newest first, filtered and paged; a centre manager sees no line of
another community, in either tab."""
from __future__ import annotations

import uuid

import pytest
from sqlalchemy import insert

from service_platform import clock, operators
from service_platform.console import audit, i18n
from service_platform.schema import audit_log
from tests.console.browser import save_screenshot
from tests.console.signin import sign_in

COMMUNITY = "community-xingfu"  # the demo community, the demo manager's
OTHER = "community-audit-other"
PASSWORD = "a-good-long-password"
ZH = i18n.messages("zh_CN")


@pytest.fixture(scope="module")
def db(db):
    """The platform's database, with a second community besides the demo's."""
    operators.add_community(db, OTHER, "东风社区")
    return db


@pytest.fixture(scope="module")
def history(console_platform, db, browser):
    """Done once through the console: two accounts added (one in each community), one switched
    off and on and given a new password; a wrong sign-in. Returns their user names."""
    base = console_platform.base_url
    context = browser.new_context(locale="zh-CN")
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto(base + "/console/login")
    page.fill("#username", "nobody-here")
    page.fill("#password", "wrong-password")
    page.click("form[action$='/login'] button[type=submit]")
    page.wait_for_selector("#login-error")
    sign_in(page, base, "admin", then="/console/operators")
    for username, community in (("aud-here", COMMUNITY), ("aud-there", OTHER)):
        page.goto(base + "/console/operators/new")
        page.fill("#username", username)
        page.fill("#display_name", "审计测试")
        page.select_option("#role", "duty_worker")
        page.check(f"input[name=community][value='{community}']")
        page.fill("#password", PASSWORD)
        page.fill("#password2", PASSWORD)
        page.click("form.operator-form button[type=submit]")
        page.wait_for_selector("#done")
    page.click("form.switch button")  # aud-there off
    page.wait_for_selector("form.switch input[name=active][value='1']", state="attached")
    page.click("form.switch button")  # and on
    page.wait_for_selector("form.switch input[name=active][value='0']", state="attached")
    page.fill("#password", "another-good-password")
    page.fill("#password2", "another-good-password")
    page.click("form.password-form button")
    page.wait_for_selector("#done")
    context.close()
    return {"here": "aud-here", "there": "aud-there"}


def _rows(page):
    return page.locator("table.audit tbody tr")


def _lines(page) -> list[dict]:
    return page.evaluate("""() => [...document.querySelectorAll('table.audit tbody tr')].map(
        tr => ({action: tr.dataset.action, community: tr.dataset.community,
                cells: [...tr.cells].map(td => td.innerText.trim())}))""")


def test_the_admin_sees_sign_ins_and_actions_newest_first(new_page, console_platform, db,
                                                          history):
    page = new_page(locale="zh-CN")
    sign_in(page, console_platform.base_url, "admin", then="/console/audit")
    _rows(page).first.wait_for()
    lines = _lines(page)
    actions = [line["action"] for line in lines]
    assert actions[0] == "sign_in" and lines[0]["cells"][1] == "admin"  # this very sign-in
    for action in ("sign_in_refused_wrong", "operator.create", "operator.deactivate",
                   "operator.activate", "operator.password"):
        assert action in actions, action
    # newest first: the password change came after the switching, which came after the adding
    assert actions.index("operator.password") < actions.index("operator.activate") \
        < actions.index("operator.deactivate") < actions.index("operator.create")
    times = page.eval_on_selector_all("table.audit time", "els => els.map(e => e.dateTime)")
    assert times == sorted(times, reverse=True)

    added = next(line for line in lines if line["action"] == "operator.create"
                 and line["community"] == OTHER)
    assert added["cells"][1] == "admin"
    assert added["cells"][2] == ZH["console.audit.action.operator.create"]
    assert added["cells"][3] == "东风社区"
    assert added["cells"][4].startswith("aud-there (op-")
    assert "role: duty_worker" in added["cells"][5]
    assert "审计测试" not in page.inner_text("table.audit")  # no one's name, ids and codes only
    refused = next(line for line in lines if line["action"] == "sign_in_refused_wrong")
    assert refused["cells"][1] == "nobody-here"
    save_screenshot(page, "audit")

    page.select_option("#action", "operator.create")
    page.click("form.filters button")
    page.wait_for_url("**action=operator.create**")
    assert {line["action"] for line in _lines(page)} == {"operator.create"}

    page.select_option("#community", OTHER)
    page.click("form.filters button")
    page.wait_for_url(f"**community={OTHER}**")
    lines = _lines(page)
    assert lines and {(line["action"], line["community"]) for line in lines} == {
        ("operator.create", OTHER)}


def test_a_manager_sees_no_line_of_another_community(new_page, console_platform, db, history):
    base = console_platform.base_url
    page = new_page(locale="zh-CN")
    sign_in(page, base, "manager", then="/console/audit")
    _rows(page).first.wait_for()
    lines = _lines(page)
    assert {line["community"] for line in lines} == {COMMUNITY}
    assert ("operator.create", COMMUNITY) in {(line["action"], line["community"])
                                              for line in lines}
    assert "aud-there" not in page.inner_text("main")
    assert "东风社区" not in page.inner_text("main")
    options = page.eval_on_selector_all("#community option", "els => els.map(e => e.value)")
    assert options == ["", COMMUNITY]
    assert page.goto(base + f"/console/audit?community={OTHER}").status == 403
    assert ZH["console.refused.scope"] in page.inner_text("main")

    page.goto(base + "/console/audit?action=operator.deactivate")  # done in the other community
    assert page.locator("#no-lines").is_visible()


def test_lines_come_a_page_at_a_time(new_page, console_platform, db):
    def write(conn):
        for n in range(230):
            audit.record(conn, None, "paging-test", "test.paging", f"subject-{n}", COMMUNITY)
    db.run_write(write)
    page = new_page(locale="zh-CN")
    sign_in(page, console_platform.base_url, "admin",
            then="/console/audit?action=test.paging")
    seen: list[str] = []
    sizes = []
    while True:
        _rows(page).first.wait_for()
        subjects = [line["cells"][4] for line in _lines(page)]
        sizes.append(len(subjects))
        seen += subjects
        if page.locator("#older").count() == 0:
            break
        page.click("#older")
        page.wait_for_url("**before=**")
    assert sizes == [100, 100, 30]
    assert seen == [f"subject-{n}" for n in reversed(range(230))]
    assert page.locator("a.button", has_text=ZH["console.audit.newest"]).count() == 1


def test_the_kiosk_staff_tab_keeps_to_the_readers_communities(new_page, console_platform, db):
    now = clock.stamp(clock.now())

    def write(conn):
        conn.execute(insert(audit_log), [
            {"community_id": community, "id": str(uuid.uuid4()), "staff_id": staff,
             "action": "elder.update", "subject": subject, "kiosk_id": "kiosk-test",
             "created_at": now, "received_at": now}
            for community, staff, subject in ((COMMUNITY, "staff-here", "elder-0001"),
                                              (OTHER, "staff-there", "elder-9999"))])
    db.run_write(write)
    base = console_platform.base_url
    manager = new_page(locale="zh-CN")
    sign_in(manager, base, "manager", then="/console/audit?tab=kiosks")
    _rows(manager).first.wait_for()
    text = manager.inner_text("table.audit")
    assert "staff-here" in text and "staff-there" not in text
    assert {line["community"] for line in _lines(manager)} == {COMMUNITY}

    admin = new_page(locale="zh-CN")
    sign_in(admin, base, "admin", then="/console/audit?tab=kiosks")
    _rows(admin).first.wait_for()
    text = admin.inner_text("table.audit")
    assert "staff-here" in text and "staff-there" in text


@pytest.mark.parametrize("username", ["duty", "provider"])
def test_duty_workers_and_providers_may_not_read_it(new_page, console_platform, username):
    base = console_platform.base_url
    page = new_page(locale="zh-CN")
    sign_in(page, base, username)
    assert page.locator("nav a[href$='/audit']").count() == 0
    for path in ("/console/audit", "/console/audit?tab=kiosks"):
        assert page.goto(base + path).status == 403, path
        assert ZH["console.refused.role"] in page.inner_text("main")
