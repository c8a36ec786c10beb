"""The kiosk fleet page (/console/kiosks) in a real browser against a real platform process:
what kiosks report, which went silent, adding a kiosk (code and QR) that a kiosk then enrols
with, revoking after a confirmation page, and who may do any of it."""
from __future__ import annotations

import datetime as dt
import json
import re
import uuid

import pytest
import requests
from sqlalchemy import func, select, update

from kiosk.sync.client import PlatformClient
from service_platform import auth, clock, demo, operators
from service_platform.console import fleet_pages
from service_platform.db import Database
from service_platform.schema import kiosks, operator_audit
from tests.console.browser import save_screenshot
from tests.console.signin import sign_in
from tests.platform.servers import wait_until

DEMO = demo.load_community()["community"]["id"]


def _kiosk_row(db: Database, kiosk_id: str) -> dict:
    with db.read() as conn:
        return dict(conn.execute(select(kiosks).where(kiosks.c.id == kiosk_id))
                    .mappings().one())


def _count_kiosks(db: Database) -> int:
    with db.read() as conn:
        return conn.execute(select(func.count()).select_from(kiosks)).scalar_one()


def _enrolled(base_url: str, db: Database, community_id: str, name: str) -> tuple[str, str]:
    """A kiosk added by the operator's command and enrolled over HTTP: (kiosk id, token)."""
    kiosk_id, code = operators.add_kiosk(db, community_id, name)
    answer = PlatformClient(base_url).enrol(code)
    return kiosk_id, answer["token"]


def _seen(db: Database, kiosk_id: str, ago: dt.timedelta) -> None:
    stamp = clock.stamp(clock.now() - ago)
    db.run_write(lambda conn: conn.execute(
        update(kiosks).where(kiosks.c.id == kiosk_id).values(last_seen_at=stamp)))


def _row(page, kiosk_id: str):
    return page.locator(f"tr[data-kiosk='{kiosk_id}']")


def _submit(page, form: str) -> int:
    """Press the submit button of the form matched by `form`; the answer's HTTP status."""
    with page.expect_navigation() as navigation:
        page.locator(f"{form} button[type=submit]").click()
    return navigation.value.status


def _audit(db: Database, action: str) -> list[dict]:
    with db.read() as conn:
        return [dict(row) for row in conn.execute(
            select(operator_audit).where(operator_audit.c.action == action)).mappings()]


def test_the_fleet_shows_what_a_syncing_kiosk_reported(en_page, console_platform, db):
    base = console_platform.base_url
    kiosk_id, token = _enrolled(base, db, DEMO, f"Hall {uuid.uuid4().hex[:4]}")
    oldest = (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=25)).astimezone(
        dt.timezone(dt.timedelta(hours=8))).isoformat(timespec="seconds")
    client = PlatformClient(base, token, unsent=lambda: (7, oldest))
    client.changes(0, 50)  # a pull, as the kiosk's sync does, with its report in the headers
    client.close()
    # the platform writes held reports about once a second (protocol §2.1)
    wait_until(lambda: _kiosk_row(db, kiosk_id)["outbox_pending"] == 7, 10, "the report written")

    sign_in(en_page, base, "manager", then="/console/kiosks")
    row = _row(en_page, kiosk_id)
    row.wait_for()
    assert row.locator(".backlog").inner_text().strip() == "7"
    assert re.fullmatch(r"25 min \d\d s", row.locator(".oldest").inner_text().strip())
    assert row.locator(".state").inner_text().strip() == "Enrolled"
    assert "ago" in row.locator(".contact-ago").inner_text()
    assert "silent" not in (row.get_attribute("class") or "")
    assert en_page.locator("nav a[aria-current=page]").inner_text() == "Kiosks"


def test_a_kiosk_silent_over_an_hour_is_flagged_and_first(new_page, console_platform, db):
    base = console_platform.base_url
    quiet, _ = _enrolled(base, db, DEMO, "三楼活动室")
    recent, _ = _enrolled(base, db, DEMO, "二楼食堂")
    _seen(db, quiet, dt.timedelta(minutes=61))
    _seen(db, recent, dt.timedelta(minutes=59))

    page = new_page(locale="zh-CN")
    sign_in(page, base, "admin", then="/console/kiosks")
    flagged = _row(page, quiet)
    flagged.wait_for()
    assert "silent" in flagged.get_attribute("class")
    assert flagged.locator(".state .flag").inner_text().strip() == "⚠ 失联"  # a word, not colour
    assert page.locator("tbody tr").first.get_attribute("data-kiosk") == quiet
    assert "silent" not in _row(page, recent).get_attribute("class")
    assert _row(page, recent).locator(".state").inner_text().strip() == "正常"
    assert "59分" in _row(page, recent).locator(".contact-ago").inner_text()
    assert page.locator(".summary .flag").inner_text().startswith("1 台")
    save_screenshot(page, "fleet", full_page=True)

    phone = new_page(phone=True, locale="zh-CN")
    sign_in(phone, base, "admin", then="/console/kiosks")
    _row(phone, quiet).wait_for()
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert _row(phone, quiet).locator(".flag").is_visible()
    assert _row(phone, quiet).locator("a", has_text="停用").is_visible()


def test_add_a_kiosk_shows_its_code_once_and_a_kiosk_enrols_with_it(en_page, console_platform,
                                                                   db):
    base = console_platform.base_url
    sign_in(en_page, base, "manager", then="/console/kiosks")
    before = _count_kiosks(db)

    # a bad value: said beside its field, nothing added
    assert _submit(en_page, "form[action$='/kiosks/add']") == 422
    assert en_page.locator("#name").get_attribute("aria-invalid") == "true"
    assert en_page.locator("#name").get_attribute("aria-describedby") == "name-error"
    assert en_page.locator("#name-error").inner_text() == "Please give the kiosk a name."
    en_page.fill("#name", "Reading room")
    en_page.locator("details summary").click()
    en_page.fill("#url", "ftp://platform.example.org")
    assert _submit(en_page, "form[action$='/kiosks/add']") == 422
    assert en_page.locator("#url-error").is_visible()
    assert en_page.locator("#name").input_value() == "Reading room"
    assert _count_kiosks(db) == before

    en_page.fill("#url", "")  # the address the page was reached at
    assert _submit(en_page, "form[action$='/kiosks/add']") == 200
    code = en_page.locator("#enrol-code").inner_text().strip()
    assert re.fullmatch(r"[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}", code)
    assert en_page.locator(".platform-url").inner_text() == base
    kiosk_id = en_page.locator(".kiosk-id").inner_text().strip()
    # the QR code is the JSON the command line prints, drawn on the server as SVG
    svg = en_page.locator("#enrol-qr svg")
    assert svg.get_attribute("role") == "img"
    expected = fleet_pages.qr_svg(json.dumps({"v": 1, "platform": base, "code": code},
                                             separators=(", ", ": ")), "x")
    assert svg.locator("path").get_attribute("d") == re.search(r' d="([^"]+)"', expected)[1]
    assert svg.bounding_box()["width"] >= 200
    save_screenshot(en_page, "kiosk-added", full_page=True)

    assert _count_kiosks(db) == before + 1
    assert _kiosk_row(db, kiosk_id)["community_id"] == DEMO
    added = [line for line in _audit(db, "kiosk.add") if line["subject"] == kiosk_id]
    assert len(added) == 1 and added[0]["community_id"] == DEMO
    raw = auth.normalise_code(code)
    assert code not in added[0]["detail"] and raw not in added[0]["detail"]
    assert raw not in console_platform.log() and code not in console_platform.log()

    # shown once: the page is not kept, and the fleet lists the kiosk, waiting, without it
    en_page.goto(base + "/console/kiosks")
    assert _row(en_page, kiosk_id).locator(".state").inner_text().strip() == \
        "Waiting for enrolment"
    assert code not in en_page.content()

    answer = requests.post(base + "/v1/enrol", json={"code": code}, timeout=10)
    assert answer.status_code == 200, answer.text
    me = requests.get(base + "/v1/me", timeout=10,
                      headers={"Authorization": f"Bearer {answer.json()['token']}"})
    assert me.status_code == 200 and me.json()["kiosk_id"] == kiosk_id


def test_revoke_after_the_confirmation_page(en_page, console_platform, db):
    base = console_platform.base_url
    kiosk_id, token = _enrolled(base, db, DEMO, f"Lobby {uuid.uuid4().hex[:4]}")
    sign_in(en_page, base, "admin", then="/console/kiosks")
    _row(en_page, kiosk_id).locator("a", has_text="Revoke").click()
    en_page.wait_for_url(f"**/console/kiosks/{kiosk_id}/revoke")
    said = en_page.locator("main").inner_text()
    assert "stops syncing" in said and "unsent operations are lost" in said
    assert _kiosk_row(db, kiosk_id)["revoked_at"] is None  # looking changes nothing

    assert _submit(en_page, f"form[action$='/kiosks/{kiosk_id}/revoke']") == 200
    assert en_page.url.endswith(f"/console/kiosks?revoked={kiosk_id}")
    assert kiosk_id in en_page.locator("[role=status]").inner_text()
    row = _row(en_page, kiosk_id)
    assert row.locator(".state").inner_text().strip() == "Revoked"
    assert row.locator("a", has_text="Revoke").count() == 0
    assert _kiosk_row(db, kiosk_id)["revoked_at"] is not None
    assert [line["subject"] for line in _audit(db, "kiosk.revoke")].count(kiosk_id) == 1

    answer = requests.get(base + "/v1/me", headers={"Authorization": f"Bearer {token}"},
                          timeout=10)
    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == "kiosk_revoked"


def test_a_centre_manager_cannot_see_or_touch_another_communitys_kiosk(en_page,
                                                                       console_platform, db):
    base = console_platform.base_url
    other = f"other-{uuid.uuid4().hex[:6]}"
    operators.add_community(db, other, "别的社区")
    theirs, token = _enrolled(base, db, other, "Their kiosk")
    before = _count_kiosks(db)

    sign_in(en_page, base, "manager", then="/console/kiosks")
    assert _row(en_page, theirs).count() == 0
    assert en_page.locator(f"#community option[value='{other}']").count() == 0
    response = en_page.goto(f"{base}/console/kiosks/{theirs}/revoke")
    assert response.status == 403
    assert "not one of yours" in en_page.locator("main").inner_text()

    # forms pointed at the other community, sent with a good CSRF token: refused
    en_page.goto(base + "/console/kiosks")
    en_page.evaluate("""other => {
        const option = document.createElement("option");
        option.value = other; option.selected = true;
        document.querySelector("#community").append(option);
    }""", other)
    en_page.fill("#name", "Sneaky")
    assert _submit(en_page, "form[action$='/kiosks/add']") == 403
    assert _count_kiosks(db) == before

    en_page.goto(base + "/console/kiosks")
    mine, _ = _enrolled(base, db, DEMO, f"Mine {uuid.uuid4().hex[:4]}")
    en_page.goto(f"{base}/console/kiosks/{mine}/revoke")
    en_page.evaluate("""theirs => {
        const form = document.querySelector("form[action$='/revoke']");
        form.action = form.action.replace(/kiosks\\/[^/]+\\/revoke/, `kiosks/${theirs}/revoke`);
    }""", theirs)
    assert _submit(en_page, f"form[action$='/kiosks/{theirs}/revoke']") == 403
    assert _kiosk_row(db, theirs)["revoked_at"] is None
    assert requests.get(base + "/v1/me", headers={"Authorization": f"Bearer {token}"},
                        timeout=10).status_code == 200


def test_a_duty_worker_may_not_use_the_fleet(en_page, console_platform, db):
    base = console_platform.base_url
    kiosk_id, _ = _enrolled(base, db, DEMO, "Duty's hall")
    sign_in(en_page, base, "duty")
    assert en_page.locator("nav a[href$='/kiosks']").count() == 0
    for path in ("/console/kiosks", f"/console/kiosks/{kiosk_id}/revoke"):
        assert en_page.goto(base + path).status == 403
        assert en_page.locator("main h1").inner_text() == "Not allowed"


@pytest.mark.parametrize("form", ["add", "revoke"])
def test_a_form_without_its_csrf_token_is_refused(en_page, console_platform, db, form):
    base = console_platform.base_url
    kiosk_id, token = _enrolled(base, db, DEMO, f"Csrf {uuid.uuid4().hex[:4]}")
    before = _count_kiosks(db)
    sign_in(en_page, base, "admin", then="/console/kiosks")
    if form == "add":
        selector = "form[action$='/kiosks/add']"
        en_page.select_option("#community", DEMO)
        en_page.fill("#name", "No token")
    else:
        selector = f"form[action$='/kiosks/{kiosk_id}/revoke']"
        en_page.goto(f"{base}/console/kiosks/{kiosk_id}/revoke")
    en_page.evaluate("s => document.querySelector(s + ' input[name=csrf]').remove()", selector)
    assert _submit(en_page, selector) == 403
    assert en_page.locator("main h1").inner_text() == "Not allowed"
    assert _count_kiosks(db) == before
    assert _kiosk_row(db, kiosk_id)["revoked_at"] is None
