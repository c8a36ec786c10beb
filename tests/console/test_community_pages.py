"""The communities pages (/console/communities) in a real browser against a real platform
process: a timetable file uploaded, previewed with nothing changed, then loaded into the kiosks'
feed; a bad file refused beside its field; the help escalation delay; who may do any of it."""
from __future__ import annotations

import json
import uuid

import pytest
from sqlalchemy import func, select

from kiosk.sync.client import PlatformClient
from service_platform import demo, escalation, feed, operators
from service_platform.db import Database
from service_platform.schema import communities, meal_slots, operator_audit, timetable_uploads
from tests.console.browser import save_screenshot
from tests.console.signin import sign_in
from tests.platform.servers import ROOT
from tests.platform.wire import KioskClient, latest

DEMO = demo.load_community()["community"]["id"]
EXAMPLE = ROOT / "docs" / "deploy" / "timetable-example.json"


def _community(db: Database, name: str = "测试社区") -> str:
    community_id = f"c-{uuid.uuid4().hex[:8]}"
    operators.add_community(db, community_id, name)
    return community_id


def _seq(db: Database, community_id: str) -> int:
    with db.read() as conn:
        return feed.latest_seq(conn, community_id)


def _uploads(db: Database, community_id: str) -> list[dict]:
    with db.read() as conn:
        return [dict(row) for row in conn.execute(select(timetable_uploads).where(
            timetable_uploads.c.community_id == community_id)).mappings()]


def _meal_slots(db: Database, community_id: str) -> int:
    with db.read() as conn:
        return conn.execute(select(func.count()).select_from(meal_slots).where(
            meal_slots.c.community_id == community_id)).scalar_one()


def _delay(db: Database, community_id: str) -> int:
    with db.read() as conn:
        return escalation.delay(conn, community_id)


def _submit(page, form: str) -> int:
    with page.expect_navigation() as navigation:
        page.locator(f"{form} button[type=submit]").click()
    return navigation.value.status


def _upload(page, community_id: str, file) -> int:
    page.set_input_files("#file", file)
    return _submit(page, f"form[action$='/communities/{community_id}/timetable']")


def _json_file(data, name: str = "timetable.json") -> dict:
    text = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)
    return {"name": name, "mimeType": "application/json", "buffer": text.encode("utf-8")}


def _kiosk(base: str, db: Database, community_id: str) -> KioskClient:
    kiosk_id, code = operators.add_kiosk(db, community_id, "大厅")
    return KioskClient(base, PlatformClient(base).enrol(code)["token"], kiosk_id)


def _kind(page, kind: str) -> dict:
    row = page.locator(f"tr[data-kind='{kind}']")
    return {what: int(row.locator(f".{what}").inner_text())
            for what in ("added", "changed", "removed", "unchanged")}


def test_upload_preview_then_load_reaches_the_kiosks(en_page, console_platform, db):
    base = console_platform.base_url
    community_id = _community(db)
    kiosk = _kiosk(base, db, community_id)
    _, cursor = kiosk.pull_all()
    seq = _seq(db, community_id)

    sign_in(en_page, base, "admin", then=f"/console/communities/{community_id}")
    assert _upload(en_page, community_id, EXAMPLE) == 200
    assert "/timetable/" in en_page.url
    assert en_page.locator("h1").inner_text() == "Preview: what loading it would change"
    assert _kind(en_page, "service_slot") == {"added": 20, "changed": 0, "removed": 0,
                                              "unchanged": 0}
    assert _kind(en_page, "meal_slot")["added"] == 4
    assert _kind(en_page, "provider")["added"] == 5
    assert _kind(en_page, "service") == {"added": 1, "changed": 0, "removed": 0,
                                         "unchanged": 0}  # 法律援助, a service of the file's
    assert en_page.locator("tr[data-kind='service'] th").inner_text() == "Services"
    assert en_page.locator(".filename").inner_text() == "timetable-example.json"
    save_screenshot(en_page, "timetable-preview", full_page=True)
    # nothing changed yet: no feed entries, no slots, the upload kept but not loaded
    assert _seq(db, community_id) == seq and _meal_slots(db, community_id) == 0
    [upload] = _uploads(db, community_id)
    assert upload["loaded_at"] is None and upload["filename"] == "timetable-example.json"
    assert kiosk.pull_all(cursor)[0] == []

    # another platform process could serve this: the preview is read back from the database
    en_page.reload()
    en_page.locator("#load-it").wait_for()
    second_tab = en_page.context.new_page()
    second_tab.goto(en_page.url)
    second_tab.locator("#load-it").wait_for()
    with en_page.expect_navigation() as navigation:
        en_page.locator("#load-it").click()
    assert navigation.value.status == 200
    assert en_page.locator("h1").inner_text() == "Timetable loaded"
    assert _kind(en_page, "service_slot")["added"] == 20
    assert _uploads(db, community_id)[0]["loaded_at"] is not None
    changes, _ = kiosk.pull_all(cursor)
    assert sorted(latest(changes, "meal_slot")) == [
        "meal:2026-12-07:dinner", "meal:2026-12-07:lunch", "meal:2026-12-08:lunch",
        "meal:2026-12-09:lunch"]
    assert len(latest(changes, "service_slot")) == 20
    with db.read() as conn:
        [line] = conn.execute(select(operator_audit).where(
            operator_audit.c.action == "timetable.load",
            operator_audit.c.community_id == community_id)).mappings().all()
    assert line["subject"] == upload["id"] and json.loads(line["detail"])["fed"] > 0

    # the same upload is loaded once only: pressed again in another tab, or opened again
    seq = _seq(db, community_id)
    with second_tab.expect_navigation():
        second_tab.locator("#load-it").click()
    assert second_tab.locator("h1").inner_text() == "This file was already loaded"
    en_page.go_back()
    assert en_page.locator("h1").inner_text() == "This file was already loaded"
    assert en_page.locator("#load-it").count() == 0
    assert _seq(db, community_id) == seq


@pytest.mark.parametrize(("file", "said"), [
    (_json_file({"days": 3, "colour": "red"}, "week.json"), "week.json: colour: unknown field"),
    (_json_file('{"days": 3,', "broken.json"), "broken.json: not JSON"),
    (_json_file({"from": "2040-03-05", "days": 1, "sessions": [{
        "service": "home_visit", "provider_id": "provider-nobody", "weekdays": ["mon"],
        "from": "14:00", "until": "17:00", "capacity": 4, "cutoff": {"minutes_before": 60}}]}),
     "sessions[0].provider_id: no provider provider-nobody"),
    ({"name": "timetable.txt", "mimeType": "text/plain", "buffer": b"{}"},
     "Please upload a .json file."),
    ({"name": "big.json", "mimeType": "application/json",
      "buffer": b"[" + b" " * (2 * 1024 * 1024) + b"]"}, "The file is too large: at most 2 MB."),
])
def test_a_bad_file_is_refused_beside_its_field(en_page, console_platform, db, file, said):
    base = console_platform.base_url
    community_id = _community(db)
    seq = _seq(db, community_id)
    sign_in(en_page, base, "admin", then=f"/console/communities/{community_id}")
    assert _upload(en_page, community_id, file) == 422
    field = en_page.locator("#file")
    assert field.get_attribute("aria-invalid") == "true"
    assert "file-error" in field.get_attribute("aria-describedby")
    assert said in en_page.locator("#file-error").inner_text()
    assert _seq(db, community_id) == seq and _uploads(db, community_id) == []


def test_the_escalation_delay_is_1_to_120_minutes(en_page, console_platform, db):
    base = console_platform.base_url
    community_id = _community(db)
    before = _delay(db, community_id)
    sign_in(en_page, base, "admin", then=f"/console/communities/{community_id}")
    form = f"form[action$='/communities/{community_id}/escalation']"
    for bad in ("0", "121", "2.5", ""):
        en_page.fill("#minutes", bad)
        assert _submit(en_page, form) == 422
        assert en_page.locator("#minutes").get_attribute("aria-invalid") == "true"
        assert en_page.locator("#minutes-error").inner_text() == \
            "Please give a whole number of minutes from 1 to 120."
        assert _delay(db, community_id) == before
    en_page.fill("#minutes", "5")
    assert _submit(en_page, form) == 200
    assert _delay(db, community_id) == 5
    assert "5 min" in en_page.locator("[role=status]").inner_text()
    assert en_page.locator("#minutes").input_value() == "5"
    en_page.goto(base + "/console/communities")
    assert en_page.locator(f"tr[data-community='{community_id}'] td").nth(4).inner_text() == \
        "5 min"


def test_a_district_admin_adds_a_community(en_page, console_platform, db):
    base = console_platform.base_url
    new = f"new-{uuid.uuid4().hex[:6]}"
    sign_in(en_page, base, "admin", then="/console/communities")
    en_page.fill("#id", new)
    en_page.fill("#cname", "光明里")
    en_page.fill("#tz", "Mars/Olympus")
    assert _submit(en_page, "form[action$='/communities/add']") == 422
    assert en_page.locator("#tz").get_attribute("aria-invalid") == "true"
    assert en_page.locator("#tz-error").is_visible()
    with db.read() as conn:
        assert conn.execute(select(communities).where(communities.c.id == new)).first() is None
    en_page.fill("#tz", "Asia/Urumqi")
    assert _submit(en_page, "form[action$='/communities/add']") == 200
    assert en_page.url.endswith(f"/console/communities/{new}")
    assert en_page.locator("h1").inner_text() == "光明里"
    en_page.goto(base + "/console/communities")
    en_page.fill("#id", new)
    en_page.fill("#cname", "again")
    assert _submit(en_page, "form[action$='/communities/add']") == 422
    assert en_page.locator("#id-error").inner_text() == "A community with this id exists."


def test_a_centre_manager_sees_and_acts_on_its_own_communities_only(en_page, console_platform,
                                                                    db, new_page):
    base = console_platform.base_url
    other = _community(db, "别的社区")
    before = _delay(db, other)

    # another operator's upload is not the manager's to see or load, even in its community
    admin = new_page(locale="en-GB")
    sign_in(admin, base, "admin", then=f"/console/communities/{DEMO}")
    assert _upload(admin, DEMO, _json_file({"sessions": []})) == 200
    admins_upload = admin.url

    sign_in(en_page, base, "manager", then="/console/communities")
    assert en_page.locator(f"tr[data-community='{DEMO}']").count() == 1
    assert en_page.locator(f"tr[data-community='{other}']").count() == 0
    assert en_page.locator("form[action$='/communities/add']").count() == 0
    assert en_page.goto(f"{base}/console/communities/{other}").status == 403
    assert en_page.locator("main").inner_text().count("not one of yours") == 1
    assert en_page.goto(admins_upload).status == 404

    # its own forms, pointed elsewhere with a good CSRF token: refused, nothing changed
    en_page.goto(f"{base}/console/communities/{DEMO}")
    en_page.evaluate("""([demo, other]) => document.querySelectorAll("form").forEach(form => {
        form.action = form.action.replace(`/communities/${demo}/`, `/communities/${other}/`);
    })""", [DEMO, other])
    en_page.fill("#minutes", "7")
    assert _submit(en_page, f"form[action$='/communities/{other}/escalation']") == 403
    assert _delay(db, other) == before
    en_page.go_back()
    en_page.evaluate("""([demo, other]) => document.querySelectorAll("form").forEach(form => {
        form.action = form.action.replace(`/communities/${demo}/`, `/communities/${other}/`);
    })""", [DEMO, other])
    assert _upload(en_page, other, EXAMPLE) == 403
    assert _uploads(db, other) == [] and _meal_slots(db, other) == 0
    en_page.goto(f"{base}/console/communities/{DEMO}")
    en_page.evaluate("""url => {
        const form = document.querySelector("form[action$='/escalation']");
        form.action = url + "/load";
    }""", admins_upload)
    assert _submit(en_page, "form[action$='/load']") == 404
    assert all(row["loaded_at"] is None for row in _uploads(db, DEMO))

    en_page.goto(f"{base}/console/communities/{DEMO}")
    en_page.evaluate("""() => {
        const form = document.querySelector("form[action$='/escalation']");
        form.action = form.action.replace(/communities\\/.*$/, "communities/add");
        for (const [name, value] of [["id", "sneaky"], ["name", "x"], ["tz", "Asia/Shanghai"]]) {
            const input = document.createElement("input");
            input.type = "hidden"; input.name = name; input.value = value; form.append(input);
        }
    }""")
    assert _submit(en_page, "form[action$='/communities/add']") == 403
    with db.read() as conn:
        assert conn.execute(select(communities).where(communities.c.id == "sneaky")
                            ).first() is None


def test_a_duty_worker_may_not_use_the_communities_pages(en_page, console_platform):
    base = console_platform.base_url
    sign_in(en_page, base, "duty")
    assert en_page.locator("nav a[href$='/communities']").count() == 0
    for path in ("/console/communities", f"/console/communities/{DEMO}"):
        assert en_page.goto(base + path).status == 403
        assert en_page.locator("main h1").inner_text() == "Not allowed"


@pytest.mark.parametrize("form", ["escalation", "timetable", "load", "add"])
def test_a_form_without_its_csrf_token_is_refused(en_page, console_platform, db, form):
    base = console_platform.base_url
    community_id = _community(db)
    sign_in(en_page, base, "admin", then=f"/console/communities/{community_id}")
    if form == "escalation":
        en_page.fill("#minutes", "9")
    elif form == "timetable":
        en_page.set_input_files("#file", EXAMPLE)
    elif form == "load":
        assert _upload(en_page, community_id, EXAMPLE) == 200
    else:
        en_page.goto(base + "/console/communities")
        en_page.fill("#id", f"csrf-{community_id}")
        en_page.fill("#cname", "x")
    selector = f"form[action$='/{form}']"
    seq, delay = _seq(db, community_id), _delay(db, community_id)
    uploads = _uploads(db, community_id)
    en_page.evaluate("s => document.querySelector(s + ' input[name=csrf]').remove()", selector)
    assert _submit(en_page, selector) == 403
    assert en_page.locator("main h1").inner_text() == "Not allowed"
    assert (_seq(db, community_id), _delay(db, community_id)) == (seq, delay)
    assert _uploads(db, community_id) == uploads
    with db.read() as conn:
        assert conn.execute(select(communities).where(
            communities.c.id == f"csrf-{community_id}")).first() is None
