"""Accounts in a real browser against a real platform: a district admin adds an operator through
the form, every bad value is shown beside its field and nothing is made, switching an account
off signs it out, five wrong passwords lock it and a new password (on the page or by the
command line) unlocks it; other roles are refused; no form works without its CSRF token."""
from __future__ import annotations

import subprocess
import sys

import pytest
from sqlalchemy import func, select

from service_platform import operators
from service_platform.console import accounts, i18n
from service_platform.db import Database
from service_platform.schema import operator_audit, operator_sessions
from service_platform.schema import operators as operator_table
from tests.console.browser import save_screenshot
from tests.console.signin import sign_in
from tests.platform.servers import ROOT

COMMUNITY = "community-xingfu"  # the demo community
OTHER = "community-other"
PASSWORD = "a-good-long-password"
ZH = i18n.messages("zh_CN")


@pytest.fixture(scope="module")
def db(db):
    """The platform's database, with a second community besides the demo's."""
    operators.add_community(db, OTHER, "东风社区")
    return db


def _admin(new_page, platform, then: str = "/console/operators"):
    page = new_page(locale="zh-CN")
    sign_in(page, platform.base_url, "admin", then=then)
    return page


def _account(db: Database, username: str):
    with db.read() as conn:
        return accounts.by_username(conn, username)


def _count(db: Database) -> int:
    with db.read() as conn:
        return conn.execute(select(func.count()).select_from(operator_table)).scalar_one()


def _add(db: Database, username: str, role: str = "duty_worker",
         communities: tuple[str, ...] = (COMMUNITY,)) -> str:
    return db.run_write(lambda conn: accounts.create(conn, username, f"{username} 测试", role,
                                                     PASSWORD, list(communities)))


def _fill(page, base_url: str, username: str, name: str, role: str, communities: list[str],
          password: str, password2: str, provider: str | None = None):
    """Fill in the add form and send it; returns the response to the POST."""
    page.goto(base_url + "/console/operators/new")
    page.fill("#username", username)
    page.fill("#display_name", name)
    page.select_option("#role", role)
    for community in communities:
        page.check(f"input[name=community][value='{community}']")
    if provider is not None:
        page.select_option("#provider", provider)
    page.fill("#password", password)
    page.fill("#password2", password2)
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.click("form.operator-form button[type=submit]")
    page.wait_for_load_state()
    return answer.value


def test_admin_adds_a_duty_worker_who_signs_in_to_the_help_queue(new_page, console_platform, db):
    base = console_platform.base_url
    page = _admin(new_page, console_platform)
    page.click("a[href$='/operators/new']")
    page.wait_for_selector("form.operator-form")
    assert page.is_hidden("#provider-field")  # only for the provider role
    page.select_option("#role", "provider")
    assert page.is_visible("#provider-field")
    answer = _fill(page, base, "xiaowang", "小王", "duty_worker", [COMMUNITY], PASSWORD, PASSWORD)
    assert answer.status == 303
    page.wait_for_selector("#done")
    assert ZH["console.operators.done.added"] in page.inner_text("#done")
    row = _account(db, "xiaowang")
    assert (row["role"], row["display_name"], row["active"]) == ("duty_worker", "小王", True)
    with db.read() as conn:
        line = conn.execute(select(operator_audit).where(
            operator_audit.c.action == "operator.create",
            operator_audit.c.subject == row["id"])).mappings().one()
    assert (line["username"], line["community_id"]) == ("admin", COMMUNITY)
    assert "小王" not in (line["detail"] or "")  # ids and codes only

    page.click("a[href$='/console/operators']")
    listed = page.locator("tr[data-username='xiaowang']")
    listed.wait_for()
    cells = listed.locator("td").all_inner_texts()
    assert cells[:5] == ["xiaowang", "小王", ZH["console.role.duty_worker"], "幸福里社区养老服务站",
                         ZH["console.operators.yes"]]
    save_screenshot(page, "operators")

    worker = new_page(locale="zh-CN")
    sign_in(worker, base, "xiaowang", PASSWORD)
    assert worker.url == base + "/console/help"
    assert "小王" in worker.inner_text("header .who")


BAD_VALUES = [
    # (what, username, role, communities, password, password2, provider, field, message key)
    ("short password", "bad-short", "duty_worker", [COMMUNITY], "short", "short", None,
     "password", "console.error.password_short"),
    ("repetition differs", "bad-repeat", "duty_worker", [COMMUNITY], PASSWORD, PASSWORD + "x",
     None, "password2", "console.operators.password_mismatch"),
    ("user name taken", "duty", "duty_worker", [COMMUNITY], PASSWORD, PASSWORD, None,
     "username", "console.error.username_taken"),
    ("bad user name", "Bad Name!", "duty_worker", [COMMUNITY], PASSWORD, PASSWORD, None,
     "username", "console.error.username"),
    ("duty worker in two communities", "bad-two", "duty_worker", [COMMUNITY, OTHER], PASSWORD,
     PASSWORD, None, "communities", "console.error.communities_duty_worker"),
    ("provider without its provider", "bad-provider", "provider", [COMMUNITY], PASSWORD,
     PASSWORD, "", "provider", "console.error.unknown_provider"),
]


def test_each_bad_value_is_shown_beside_its_field_and_nothing_is_made(new_page,
                                                                        console_platform, db):
    base = console_platform.base_url
    page = _admin(new_page, console_platform)
    for what, username, role, places, password, password2, provider, field, key in BAD_VALUES:
        before = _count(db)
        answer = _fill(page, base, username, "新同事", role, places, password, password2,
                       provider)
        assert answer.status == 422, what
        error = page.locator(f"#{field}-error")
        assert error.inner_text() == ZH[key], what
        assert page.locator(".field-error").count() == 1, what  # only the bad field
        assert page.get_attribute(f"#{field}", "aria-invalid") == "true", what
        assert f"{field}-error" in page.get_attribute(f"#{field}", "aria-describedby"), what
        # what was typed is kept, never a password
        assert page.input_value("#username") == username, what
        assert page.input_value("#display_name") == "新同事", what
        assert page.input_value("#role") == role, what
        for community in places:
            assert page.is_checked(f"input[name=community][value='{community}']"), what
        assert page.input_value("#password") == "" and page.input_value("#password2") == ""
        assert PASSWORD not in page.content(), what
        assert _count(db) == before, what
        if username != "duty":
            assert _account(db, username) is None, what
    with db.read() as conn:
        assert conn.execute(select(func.count()).select_from(operator_audit).where(
            operator_audit.c.action == "operator.create",
            operator_audit.c.subject.like("bad%"))).scalar_one() == 0
    page.goto(base + "/console/operators")
    assert "bad-" not in page.inner_text("table")


def test_several_bad_values_show_at_once(new_page, console_platform, db):
    page = _admin(new_page, console_platform)
    answer = _fill(page, console_platform.base_url, "Bad Name!", "新同事", "duty_worker",
                   [COMMUNITY, OTHER], "short", "other")
    assert answer.status == 422
    assert page.inner_text("#username-error") == ZH["console.error.username"]
    assert page.inner_text("#password-error") == ZH["console.error.password_short"]
    assert page.inner_text("#password2-error") == ZH["console.operators.password_mismatch"]


def test_a_provider_account_is_made_with_its_provider(new_page, console_platform, db):
    page = _admin(new_page, console_platform)
    answer = _fill(page, console_platform.base_url, "canteen", "食堂负责人", "provider",
                   [COMMUNITY], PASSWORD, PASSWORD, "provider-xingfu-canteen")
    assert answer.status == 303
    page.wait_for_selector("#done")
    assert "幸福里长者食堂" in page.inner_text("dl.facts")
    with db.read() as conn:
        made = accounts.load(conn, _account(db, "canteen")["id"])
    assert (made.role, made.provider_id, made.community_ids) == (
        "provider", "provider-xingfu-canteen", (COMMUNITY,))


def test_switching_an_account_off_signs_it_out(new_page, console_platform, db):
    base = console_platform.base_url
    operator_id = _add(db, "switched")
    worker = new_page(locale="zh-CN")
    sign_in(worker, base, "switched", PASSWORD, then="/console/help")

    admin = _admin(new_page, console_platform, then=f"/console/operators/{operator_id}")
    admin.click("form.switch button")
    admin.wait_for_selector("#done")
    assert ZH["console.operators.done.off"] in admin.inner_text("#done")
    assert admin.inner_text("#active-state") == ZH["console.operators.off"]
    with db.read() as conn:
        assert conn.execute(select(func.count()).select_from(operator_sessions).where(
            operator_sessions.c.operator_id == operator_id,
            operator_sessions.c.ended_at.is_(None))).scalar_one() == 0

    worker.reload()
    worker.wait_for_selector("form[action$='/login']")
    assert worker.url.startswith(base + "/console/login?next=")
    worker.fill("#username", "switched")
    worker.fill("#password", PASSWORD)
    worker.click("form[action$='/login'] button[type=submit]")
    assert worker.inner_text("#login-error") == ZH["console.login.inactive"]

    admin.click("form.switch button")  # on again
    admin.wait_for_selector("#done")
    assert ZH["console.operators.done.on"] in admin.inner_text("#done")
    sign_in(worker, base, "switched", PASSWORD, then="/console/help")
    assert worker.url == base + "/console/help"
    with db.read() as conn:
        actions = conn.execute(select(operator_audit.c.action).where(
            operator_audit.c.subject == operator_id).order_by(operator_audit.c.id)).scalars()
        assert list(actions) == ["operator.deactivate", "operator.activate"]


def test_an_admin_cannot_switch_their_own_account_off(new_page, console_platform, db):
    admin_id = _account(db, "admin")["id"]
    page = _admin(new_page, console_platform, then=f"/console/operators/{admin_id}")
    assert page.locator("form.switch").count() == 0
    assert ZH["console.operators.not_yourself"] in page.inner_text("main")
    csrf = page.get_attribute("input[name=csrf]", "value")
    answer = page.request.post(f"{console_platform.base_url}/console/operators/{admin_id}/active",
                               form={"csrf": csrf, "active": "0"}, max_redirects=0)
    assert answer.status == 403
    assert _account(db, "admin")["active"]


def _try(page, base_url: str, username: str, password: str) -> str:
    """One sign-in attempt on the sign-in page; returns its error message ('' if signed in)."""
    page.goto(base_url + "/console/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("form[action$='/login'] button[type=submit]")
    page.wait_for_selector("#login-error, header .who")
    return page.inner_text("#login-error") if page.locator("#login-error").count() else ""


def _locked(base_url: str, page, username: str) -> None:
    wrong = ZH["console.login.wrong"]
    locked_start = ZH["console.login.locked"].split("{")[0]
    for attempt in range(1, accounts.LOCK_AFTER + 1):
        said = _try(page, base_url, username, f"wrong-password-{attempt}")
        assert said.startswith(locked_start) if attempt == accounts.LOCK_AFTER else said == wrong
    said = _try(page, base_url, username, PASSWORD)  # the right one, too late
    assert said.startswith(locked_start)


def test_five_wrong_passwords_lock_and_the_command_line_unlocks(new_page, console_platform, db,
                                                                tmp_path):
    base = console_platform.base_url
    _add(db, "locked-cli")
    page = new_page(locale="zh-CN")
    _locked(base, page, "locked-cli")
    assert _account(db, "locked-cli")["locked_until"] is not None

    secret = tmp_path / "password"
    secret.write_text("a-brand-new-password\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "service_platform.cli", "set-operator-password", "locked-cli",
         "--db", console_platform.db_target, "--password-file", str(secret)],
        cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert _try(page, base, "locked-cli", "a-brand-new-password") == ""
    assert page.url == base + "/console/help"


def test_a_new_password_on_the_page_unlocks(new_page, console_platform, db):
    base = console_platform.base_url
    operator_id = _add(db, "locked-page")
    worker = new_page(locale="zh-CN")
    _locked(base, worker, "locked-page")

    admin = _admin(new_page, console_platform)
    row = admin.locator("tr[data-username='locked-page']")
    assert row.locator("td").nth(5).inner_text() != "—"  # locked until …
    row.locator("a").click()
    admin.wait_for_selector("form.password-form")
    admin.fill("#password", "another-good-password")
    admin.fill("#password2", "another-good-passw0rd")
    with admin.expect_response(lambda r: r.request.method == "POST") as answer:
        admin.click("form.password-form button")
    assert answer.value.status == 422
    assert admin.inner_text("#password2-error") == ZH["console.operators.password_mismatch"]
    assert admin.get_attribute("#password2", "aria-invalid") == "true"
    assert _account(db, "locked-page")["locked_until"] is not None

    admin.fill("#password", "another-good-password")
    admin.fill("#password2", "another-good-password")
    admin.click("form.password-form button")
    admin.wait_for_selector("#done")
    assert ZH["console.operators.done.password"] in admin.inner_text("#done")
    assert _account(db, "locked-page")["locked_until"] is None
    assert _try(worker, base, "locked-page", "another-good-password") == ""
    with db.read() as conn:
        assert "operator.password" in conn.execute(select(operator_audit.c.action).where(
            operator_audit.c.subject == operator_id)).scalars().all()


def test_forms_without_the_csrf_token_change_nothing(new_page, console_platform, db):
    base = console_platform.base_url
    operator_id = _add(db, "csrf-target")
    admin = _admin(new_page, console_platform)
    before = _account(db, "csrf-target")
    lines = _audit_count(db)
    count = _count(db)
    posts = [
        ("/console/operators", {"username": "csrf-new", "display_name": "新", "role": "duty_worker",
                                "community": COMMUNITY, "password": PASSWORD,
                                "password2": PASSWORD}),
        (f"/console/operators/{operator_id}/active", {"active": "0"}),
        (f"/console/operators/{operator_id}/password", {"password": "csrf-password-1",
                                                         "password2": "csrf-password-1"}),
    ]
    for path, form in posts:
        for token in ({}, {"csrf": "not-the-token"}):
            answer = admin.request.post(base + path, form={**form, **token}, max_redirects=0)
            assert answer.status == 403, path
            assert ZH["console.refused.csrf"] in answer.text()
    assert _count(db) == count
    assert _account(db, "csrf-new") is None
    assert _account(db, "csrf-target") == before
    assert _audit_count(db) == lines


def _audit_count(db: Database) -> int:
    with db.read() as conn:
        return conn.execute(select(func.count()).select_from(operator_audit).where(
            operator_audit.c.action.like("operator.%"))).scalar_one()


@pytest.mark.parametrize("username", ["duty", "provider", "manager"])
def test_other_roles_may_not_manage_accounts(new_page, console_platform, db, username):
    base = console_platform.base_url
    page = new_page(locale="zh-CN")
    sign_in(page, base, username)
    target = _account(db, "duty")["id"]
    for path in ("/console/operators", "/console/operators/new", f"/console/operators/{target}"):
        assert page.goto(base + path).status == 403, path
        assert ZH["console.refused.role"] in page.inner_text("main")
    page.goto(base + "/console")  # its own start page, with its session's token
    assert page.locator("nav a[href$='/operators']").count() == 0
    csrf = page.get_attribute("form[action$='/logout'] input[name=csrf]", "value")
    answer = page.request.post(f"{base}/console/operators/{target}/active",
                               form={"csrf": csrf, "active": "0"}, max_redirects=0)
    assert answer.status == 403
    assert _account(db, "duty")["active"]
    expected = 200 if username == "manager" else 403
    assert page.goto(base + "/console/audit").status == expected
