"""Every role against every page and form of the console, in a real browser.

Each console route must appear in the tables below (a test checks it), so a new page cannot
ship without saying who may use it. Expected answers are written out here, not derived from
the code under test. Forms are sent with the operator's own valid CSRF token, so a refusal is
the role or the community speaking, and afterwards nothing has changed.
"""
from __future__ import annotations

import json
import re
import uuid

import pytest
from sqlalchemy import func, select

from kiosk.help import HelpDesk
from service_platform import clock, operators
from service_platform.console import (
    activity_pages,
    audit_pages,
    community_pages,
    complaint_pages,
    fleet_pages,
    help_pages,
    operator_pages,
    provider_pages,
    report_pages,
)
from service_platform.db import Database
from service_platform.schema import (
    communities,
    complaints,
    help_requests,
    kiosks,
    timetable_uploads,
)
from service_platform.schema import (
    operators as operators_table,
)
from tests.console.signin import sign_in
from tests.sync.conftest import TestKiosk

OWN = "community-xingfu"  # the demo accounts' community
OTHER = "community-roles-other"
ROLES = ("admin", "manager", "duty", "provider")
HELP = {"admin", "manager", "duty"}
MANAGE = {"admin", "manager"}
ADMIN = {"admin"}
REPORTS = {"admin", "manager", "provider"}
FILES = ("/console/events", "/console/reports/export/{name}.{fmt}",
         "/console/reports/quality.pdf", "/console/kitchen.pdf")  # fetched, not opened


@pytest.fixture(scope="module")
def world(console_platform, tmp_path_factory):
    """Two communities, each with a kiosk that has sent a help call, and an upload each."""
    db = Database(console_platform.db_target)
    operators.add_community(db, OTHER, "另一个社区")
    made = {}
    calls = []
    for community in (OWN, OTHER):
        kiosk_id, code = operators.add_kiosk(db, community, f"角色测试-{community}")
        kiosk = TestKiosk(tmp_path_factory.mktemp("kiosk"), console_platform.base_url, code)
        kiosk.sync_ok()
        call = HelpDesk(kiosk.store, kiosk.clock).ask(None)
        kiosk.sync_ok()
        kiosk.close()
        made[community] = {"kiosk": kiosk_id, "help": call.id}
        calls.append(call.id)
    with db.read() as conn:
        ids = dict(conn.execute(select(operators_table.c.username, operators_table.c.id)).all())
    content = (console_platform_root() / "docs/deploy/timetable-example.json").read_text()
    for community, owner in ((OWN, "manager"), (OTHER, "admin")):
        upload = str(uuid.uuid4())
        db.run_write(lambda conn, c=community, o=owner, u=upload: conn.execute(
            timetable_uploads.insert().values(
                id=u, community_id=c, operator_id=ids[o], filename="t.json", content=content,
                created_at=clock.stamp(clock.now()))))
        made[community]["upload"] = upload
    made["duty_id"] = ids["duty"]
    now = clock.stamp(clock.now())
    for community, key, provider in ((OWN, "ours", "provider-sunshine"),
                                     (OWN, "theirs", "provider-xingfu-station"),
                                     (OTHER, "ours", None)):
        complaint_id = str(uuid.uuid4())
        db.run_write(lambda conn, c=community, i=complaint_id, p=provider: conn.execute(
            complaints.insert().values(
                community_id=c, id=i, booking_id=None, elder_id="elder-0001", provider_id=p,
                reasons="[]", state="resolved", kiosk_id="kiosk-x", created_at=now,
                received_at=now, about="provider" if p else "centre", call_back=True,
                due_at=now, resolution="已处理", resolved_at=now)))
        made[community][f"complaint_{key}"] = complaint_id
    yield db, made
    db.dispose()


def console_platform_root():
    from tests.platform.servers import ROOT
    return ROOT


def _get_cases(made: dict) -> list[tuple[str, str, dict[str, int]]]:
    """(route template, concrete path, {role: status}); roles not named get 403."""
    own, other = made[OWN], made[OTHER]

    def only(roles: set[str]) -> dict[str, int]:
        return {role: 200 for role in roles}
    return [
        ("/console", "/console", {role: 200 for role in ROLES}),
        ("/console/", "/console/", {role: 200 for role in ROLES}),
        ("/console/login", "/console/login", {role: 200 for role in ROLES}),
        ("/console/help", "/console/help", only(HELP)),
        ("/console/help/queue", "/console/help/queue", only(HELP)),
        ("/console/help/times", "/console/help/times", only(HELP)),
        ("/console/events", "/console/events", only(HELP)),
        ("/console/help/{community_id}/{help_id}", f"/console/help/{OWN}/{own['help']}",
         only(HELP)),
        ("/console/help/{community_id}/{help_id}", f"/console/help/{OTHER}/{other['help']}",
         only(ADMIN)),
        ("/console/kiosks", "/console/kiosks", only(MANAGE)),
        ("/console/kiosks/{kiosk_id}/revoke", f"/console/kiosks/{own['kiosk']}/revoke",
         only(MANAGE)),
        ("/console/kiosks/{kiosk_id}/revoke", f"/console/kiosks/{other['kiosk']}/revoke",
         only(ADMIN)),
        ("/console/communities", "/console/communities", only(MANAGE)),
        ("/console/communities/{community_id}", f"/console/communities/{OWN}", only(MANAGE)),
        ("/console/communities/{community_id}", f"/console/communities/{OTHER}", only(ADMIN)),
        # an upload is its uploader's alone: another admin finds nothing there
        ("/console/communities/{community_id}/timetable/{upload_id}",
         f"/console/communities/{OWN}/timetable/{own['upload']}",
         {"manager": 200, "admin": 404}),
        ("/console/communities/{community_id}/timetable/{upload_id}",
         f"/console/communities/{OTHER}/timetable/{other['upload']}", only(ADMIN)),
        ("/console/operators", "/console/operators", only(ADMIN)),
        ("/console/operators/new", "/console/operators/new", only(ADMIN)),
        ("/console/operators/{operator_id}", f"/console/operators/{made['duty_id']}",
         only(ADMIN)),
        ("/console/audit", "/console/audit", only(MANAGE)),
        ("/console/audit", f"/console/audit?community={OTHER}", only(ADMIN)),
        ("/console/provider", "/console/provider", {"provider": 200}),
        ("/console/activities", "/console/activities", only(HELP)),
        ("/console/complaints", "/console/complaints", {role: 200 for role in ROLES}),
        ("/console/complaints", f"/console/complaints?community={OTHER}", only(ADMIN)),
        ("/console/complaints/{community_id}/{complaint_id}",
         f"/console/complaints/{OWN}/{own['complaint_ours']}", {role: 200 for role in ROLES}),
        # another provider's complaint is not there for a provider's account
        ("/console/complaints/{community_id}/{complaint_id}",
         f"/console/complaints/{OWN}/{own['complaint_theirs']}",
         {**only(HELP), "provider": 404}),
        ("/console/complaints/{community_id}/{complaint_id}",
         f"/console/complaints/{OTHER}/{other['complaint_ours']}", only(ADMIN)),
        ("/console/activities", "/console/activities?day=2026-12-24", only(HELP)),
        # a provider's account sees its own provider's figures, whatever it asks for
        ("/console/reports", "/console/reports", only(REPORTS)),
        ("/console/reports", f"/console/reports?community={OTHER}", {"admin": 200,
                                                                    "provider": 200}),
        ("/console/reports/export/{name}.{fmt}", "/console/reports/export/settlement.csv",
         only(REPORTS)),
        ("/console/reports/export/{name}.{fmt}",
         f"/console/reports/export/all.xlsx?community={OTHER}", {"admin": 200, "provider": 200}),
        ("/console/reports/quality.pdf", "/console/reports/quality.pdf?month=2026-11",
         only(REPORTS)),
        ("/console/kitchen", "/console/kitchen", only(set(ROLES))),
        ("/console/kitchen", f"/console/kitchen?community={OTHER}", {"admin": 200,
                                                                    "provider": 200}),
        ("/console/kitchen.pdf", "/console/kitchen.pdf", only(set(ROLES))),
    ]


def _post_cases(made: dict) -> list[tuple[str, str, set[str], dict]]:
    """(route template, concrete path, roles that must be refused, form fields)."""
    own, other = made[OWN], made[OTHER]
    narrow = {"manager", "duty", "provider"}
    return [
        ("/console/help/{community_id}/{help_id}/acknowledge",
         f"/console/help/{OTHER}/{other['help']}/acknowledge", narrow, {}),
        ("/console/help/{community_id}/{help_id}/acknowledge",
         f"/console/help/{OWN}/{own['help']}/acknowledge", {"provider"}, {}),
        ("/console/help/{community_id}/{help_id}/resolve",
         f"/console/help/{OTHER}/{other['help']}/resolve", narrow, {"note": "x"}),
        ("/console/help/{community_id}/{help_id}/contact",
         f"/console/help/{OTHER}/{other['help']}/contact", narrow, {}),
        ("/console/kiosks/add", "/console/kiosks/add", narrow,
         {"community": OTHER, "name": "偷偷加的"}),
        ("/console/kiosks/add", "/console/kiosks/add", {"duty", "provider"},
         {"community": OWN, "name": "偷偷加的"}),
        ("/console/kiosks/{kiosk_id}/revoke", f"/console/kiosks/{other['kiosk']}/revoke",
         narrow, {}),
        ("/console/kiosks/{kiosk_id}/revoke", f"/console/kiosks/{own['kiosk']}/revoke",
         {"duty", "provider"}, {}),
        ("/console/communities/add", "/console/communities/add", narrow,
         {"id": "community-sneaky", "name": "偷偷加的", "tz": "Asia/Shanghai"}),
        ("/console/communities/{community_id}/escalation",
         f"/console/communities/{OTHER}/escalation", narrow, {"minutes": "7"}),
        ("/console/communities/{community_id}/escalation",
         f"/console/communities/{OWN}/escalation", {"duty", "provider"}, {"minutes": "7"}),
        ("/console/communities/{community_id}/timetable",
         f"/console/communities/{OTHER}/timetable", narrow, {"file": "upload"}),
        ("/console/communities/{community_id}/timetable/{upload_id}/load",
         f"/console/communities/{OTHER}/timetable/{other['upload']}/load", narrow, {}),
        *[(f"/console/complaints/{{community_id}}/{{complaint_id}}/{step}",
           f"/console/complaints/{community}/{made[community]['complaint_ours']}/{step}",
           refused, fields)
          for step, fields in (("take", {}), ("start", {}), ("assign", {"owner": "x"}),
                               ("resolve", {"resolution": "x"}), ("close", {}),
                               ("reopen", {}), ("phone", {}))
          for community, refused in ((OWN, {"provider"}), (OTHER, narrow))],
        ("/console/complaints/{community_id}/{complaint_id}/reply",
         f"/console/complaints/{OWN}/{own['complaint_ours']}/reply", {"manager", "duty"},
         {"reply": "x"}),
        ("/console/complaints/{community_id}/{complaint_id}/reply",
         f"/console/complaints/{OTHER}/{other['complaint_ours']}/reply", narrow,
         {"reply": "x"}),
        ("/console/communities/{community_id}/complaint-days",
         f"/console/communities/{OTHER}/complaint-days", narrow, {"days": "7"}),
        ("/console/communities/{community_id}/complaint-days",
         f"/console/communities/{OWN}/complaint-days", {"duty", "provider"}, {"days": "7"}),
        ("/console/operators", "/console/operators", narrow,
         {"username": "sneaky", "display_name": "偷偷加的", "role": "district_admin",
          "password": "a-long-password", "password_again": "a-long-password"}),
        ("/console/operators/{operator_id}/active",
         f"/console/operators/{made['duty_id']}/active", narrow, {"active": "0"}),
        ("/console/operators/{operator_id}/password",
         f"/console/operators/{made['duty_id']}/password", narrow,
         {"password": "another-long-pw", "password_again": "another-long-pw"}),
    ]


# Routes that need no role: signing in and out, the language.
OPEN_FORMS = {("POST", "/console/login"), ("POST", "/console/logout"),
              ("POST", "/console/language")}


def test_every_console_route_is_in_the_tables(world):
    _db, made = world
    covered = {("GET", template) for template, _, _ in _get_cases(made)}
    covered |= {("POST", template) for template, _, _, _ in _post_cases(made)}
    from service_platform.console import home_pages
    routes = {(method, route.path)
              for module in (home_pages, help_pages, fleet_pages, community_pages,
                             operator_pages, audit_pages, provider_pages, activity_pages,
                             complaint_pages, report_pages)
              for route in module.router.routes for method in route.methods}
    assert sorted(routes - covered - OPEN_FORMS) == []


@pytest.mark.parametrize("role", ROLES)
def test_each_role_opens_only_its_pages(role, world, new_page, console_platform):
    _db, made = world
    page = new_page(locale="zh-CN")
    sign_in(page, console_platform.base_url, role)
    wrong = []
    for template, path, expected in _get_cases(made):
        want = expected.get(role, 403)
        if template in FILES:  # a stream or a download: its status, then let it go
            got = page.evaluate("""url => fetch(url, {headers: {Accept: 'text/event-stream'}})
                .then(r => { const s = r.status; r.body.cancel(); return s; })""",
                                console_platform.base_url + path)
        else:
            got = page.goto(console_platform.base_url + path).status
        if got != want:
            wrong.append((path, want, got))
        if want == 403 and template not in FILES:  # refused, not sent to sign in
            assert page.url.endswith(path), page.url
    assert wrong == []


def _state(db: Database, made: dict) -> dict:
    with db.read() as conn:
        return {
            "help": dict(conn.execute(select(help_requests.c.id, help_requests.c.state)).all()),
            "kiosks": conn.execute(select(kiosks.c.id, kiosks.c.revoked_at)
                                   .order_by(kiosks.c.id)).all(),
            "communities": conn.execute(select(communities.c.id, communities.c.escalate_after_min,
                                               communities.c.complaint_days)
                                        .order_by(communities.c.id)).all(),
            "complaints": conn.execute(select(complaints.c.id, complaints.c.state,
                                              complaints.c.owner_id, complaints.c.resolution,
                                              complaints.c.provider_reply)
                                       .order_by(complaints.c.id)).all(),
            "uploads": conn.execute(select(timetable_uploads.c.id, timetable_uploads.c.loaded_at)
                                    .order_by(timetable_uploads.c.id)).all(),
            "operators": conn.execute(select(operators_table.c.id, operators_table.c.active,
                                             operators_table.c.password_hash)
                                      .order_by(operators_table.c.id)).all(),
            "count": conn.execute(select(func.count()).select_from(operators_table)).scalar(),
        }


@pytest.mark.parametrize("role", ("manager", "duty", "provider"))
def test_each_role_changes_nothing_it_may_not(role, world, new_page, console_platform):
    db, made = world
    page = new_page(locale="zh-CN")
    sign_in(page, console_platform.base_url, role)
    csrf = page.locator("header .who input[name=csrf]").get_attribute("value")
    assert re.fullmatch(r"[\w-]{20,}", csrf)
    before = _state(db, made)
    wrong = []
    for _template, path, refused, fields in _post_cases(made):
        if role not in refused:
            continue
        url = console_platform.base_url + path
        if fields.get("file") == "upload":
            answer = page.request.post(url, max_redirects=0, multipart={
                "csrf": csrf, "file": {"name": "t.json", "mimeType": "application/json",
                                       "buffer": json.dumps({}).encode()}})
        else:
            answer = page.request.post(url, form={"csrf": csrf, **fields}, max_redirects=0)
        if answer.status != 403:
            wrong.append((path, answer.status))
    assert wrong == []
    assert _state(db, made) == before
