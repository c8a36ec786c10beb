"""意见/投诉 made on a kiosk reach a real platform with what they are about, the call-back and
the staff note; the elder's answer to a resolved one goes out as complaint.answer."""
from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import select, update

from elder_wire.operations import ComplaintAnswer
from kiosk.complaints import Complaints
from service_platform import demo, services
from service_platform.schema import complaints
from tests.sync.conftest import SHANGHAI


def _serve_providers(platform, community: str) -> None:
    platform.db.run_write(lambda conn: services.put_providers(
        conn, community, demo.load_services()["providers"]))


def _outbox(kiosk, op_type: str) -> list[dict]:
    return [dict(row) for row in kiosk.store.query(
        "SELECT state, payload, result FROM outbox WHERE op_type = ? ORDER BY seq", (op_type,))]


def test_complaints_with_the_new_fields_reach_the_platform(platform, make_kiosk):
    community = platform.community(elders=3)
    _serve_providers(platform, community)
    kiosk = make_kiosk(platform.url, platform.enrolment_code(community))
    kiosk.sync_ok()
    desk = Complaints(kiosk.store, kiosk.clock)
    about_provider = desk.file("elder-001", about="provider", provider_id="provider-sunshine",
                               reasons=("late", "rude"), call_back=True, note="下午三点后打",
                               staff_id="staff-zhang")
    about_centre = desk.file("elder-002", about="centre", reasons=("noisy",))

    kiosk.sync_ok()

    sent = _outbox(kiosk, "complaint.create")
    assert [row["state"] for row in sent] == ["applied", "applied"]
    first = json.loads(sent[0]["payload"])
    assert (first["about"], first["provider_id"], first["call_back"], first["note"]) == \
        ("provider", "provider-sunshine", True, "下午三点后打")
    with platform.db.read() as conn:
        rows = {row["id"]: row for row in conn.execute(select(complaints).where(
            complaints.c.community_id == community)).mappings()}
    assert set(rows) == {about_provider.id, about_centre.id}
    assert (rows[about_provider.id]["elder_id"], rows[about_provider.id]["state"]) == \
        ("elder-001", "open")
    assert rows[about_centre.id]["booking_id"] is None
    # applied, so the platform's closed schema took about, provider_id, call_back and note
    assert json.loads(sent[0]["result"])["data"]["complaint_id"] == about_provider.id


def test_her_answer_to_a_resolved_complaint_goes_out(platform, make_kiosk):
    community = platform.community(elders=2)
    kiosk = make_kiosk(platform.url, platform.enrolment_code(community))
    kiosk.sync_ok()
    desk = Complaints(kiosk.store, kiosk.clock)
    complaint = desk.file("elder-001", about="centre", reasons=("long_wait",))
    kiosk.sync_ok()
    resolved_at = dt.datetime.now(SHANGHAI).isoformat(timespec="seconds")
    platform.db.run_write(lambda conn: conn.execute(update(complaints).where(
        complaints.c.community_id == community, complaints.c.id == complaint.id).values(
        state="resolved", resolution="已经加了一位工作人员。", resolved_at=resolved_at)))
    _feed_resolved(platform, community, complaint.id)
    kiosk.sync_ok()
    due = desk.answer_due("elder-001")
    assert due is not None and due.resolution == "已经加了一位工作人员。"
    desk.mark_shown(due.id)
    desk.answer("elder-001", due.id, "satisfied")

    result = kiosk.sync()

    [answer] = _outbox(kiosk, "complaint.answer")
    payload = json.loads(answer["payload"])
    ComplaintAnswer.model_validate(payload)  # the wire's own model
    assert (payload["complaint_id"], payload["score"]) == (complaint.id, "satisfied")
    assert answer["state"] != "pending", result  # it reached the platform and has its answer
    outcome = json.loads(answer["result"])
    assert outcome["status"] == "applied", outcome
    with platform.db.read() as conn:
        row = conn.execute(select(complaints).where(
            complaints.c.community_id == community,
            complaints.c.id == complaint.id)).mappings().one()
    assert (row["answer"], row["state"]) == ("satisfied", "closed")  # a satisfied answer closes
    assert kiosk.store.query_one("SELECT answer FROM complaints")["answer"] == "satisfied"
    assert desk.answer_due("elder-001") is None


def _feed_resolved(platform, community: str, complaint_id: str) -> None:
    """The operator's resolution fed to kiosks (protocol §3.5: state, resolution, resolved_at
    in the `complaint` change), as the console does when it resolves one."""
    from service_platform import entities, feed
    from service_platform.feed import Change

    def write(conn):
        row = conn.execute(select(complaints).where(
            complaints.c.community_id == community,
            complaints.c.id == complaint_id)).mappings().one()
        data = {**entities.complaint(row), "state": row["state"],
                "resolution": row["resolution"], "resolved_at": row["resolved_at"]}
        feed.append(conn, community, [Change("complaint", complaint_id, data)])
    platform.db.run_write(write)
