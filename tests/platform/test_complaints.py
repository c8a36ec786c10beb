"""Complaints handled to the end through a real platform: what each is about, its due time,
the operators' steps, the elder's answer (complaint.answer) and what kiosks see in the feed."""
from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import uuid

import pytest
from sqlalchemy import insert, select, text, update

from service_platform import clock, complaints, migrations, schema
from service_platform.complaints import Actor, Filter, Refusal
from service_platform.db import Database
from tests.platform.servers import ROOT
from tests.platform.wire import (
    CLEANER,
    STATION,
    answer_op,
    complaint_op,
    latest,
    service_op,
    statuses,
)

NOBODY = "00000000-0000-4000-8000-000000000000"
DUTY = Actor("op-duty", "小刘", operator=True)


def complaint(elder_id: str, booking_id: str | None = None, **fields) -> dict:
    return complaint_op(elder_id, booking_id, **fields)


def _booked(platform):
    """A community with the demo providers and a cleaning booking of elder-001."""
    community = platform.community()
    platform.services(community)
    window = platform.service_slot(community, "cleaning", capacity=3, window="am")
    kiosk = platform.kiosk(community)
    booking = service_op("cleaning", "elder-001", window, kind="standard")
    kiosk.push(booking)
    return community, kiosk, booking["payload"]["id"]


def _step(platform, community: str, step, *args):
    """An operator's step, as the console takes it: in one transaction of its own."""
    return platform.db.run_write(lambda conn: step(conn, community, *args, clock.now()))


def _row(platform, community: str, complaint_id: str) -> dict:
    with platform.db.read() as conn:
        return dict(complaints.get(conn, community, complaint_id))


def test_a_complaint_is_about_a_booking_a_provider_or_the_centre(platform):
    community, kiosk, booking = _booked(platform)
    made = [
        complaint("elder-001", booking, about="booking", call_back=True, note="老人说话慢"),
        complaint("elder-002", about="provider", provider_id=STATION),
        complaint("elder-003", about="centre"),
        complaint("elder-001", booking),  # an older kiosk: about the booking
        complaint("elder-002"),  # an older kiosk: about the centre
        complaint("elder-001", booking, about="provider", provider_id=STATION),
    ]
    refused = [
        complaint("elder-002", about="provider", provider_id="provider-nowhere"),
        complaint("elder-002", about="provider"),  # names no provider
        complaint("elder-002", about="booking"),  # names no booking
        complaint("elder-002", booking, about="centre"),  # another elder's booking
    ]
    results = kiosk.push(*made, *refused)
    assert statuses(results) == [("applied", None)] * 6 + [
        ("rejected", "unknown_provider"), ("rejected", "unknown_provider"),
        ("rejected", "unknown_booking"), ("rejected", "not_allowed")]
    assert [(r["data"]["provider_id"], r["data"]["state"]) for r in results[:6]] == [
        (CLEANER, "open"), (STATION, "open"), (None, "open"), (CLEANER, "open"),
        (None, "open"), (STATION, "open")]

    fed = latest(kiosk.pull_all()[0], "complaint")
    ids = [item["payload"]["id"] for item in made]
    assert [fed[i]["about"] for i in ids] == ["booking", "provider", "centre", "booking",
                                              "centre", "provider"]
    first = fed[ids[0]]
    assert (first["call_back"], first["note"], first["resolution"], first["answer"]) == (
        True, "老人说话慢", None, None)
    assert fed[ids[1]]["call_back"] is False
    row = _row(platform, community, ids[0])
    assert row["due_at"] == complaints.due_at(row["received_at"], 3, "Asia/Shanghai")
    with platform.db.read() as conn:
        events = complaints.timeline(conn, community, ids[0])
    assert [event["what"] for event in events] == ["received"]
    # The same complaint again (an outbox rebuilt after a crash): the same answer.
    again = {**made[0], "op_id": str(uuid.uuid4())}
    assert kiosk.push(again)[0]["data"] == results[0]["data"]


def test_the_life_cycle_to_closed_and_the_elders_answer(platform):
    community, kiosk, booking = _booked(platform)
    filed = complaint("elder-001", booking)
    complaint_id = filed["payload"]["id"]
    kiosk.push(filed)
    assert statuses(kiosk.push(answer_op(complaint_id, "elder-001", "satisfied"))) == [
        ("rejected", "not_done")]

    row = _step(platform, community, complaints.take, complaint_id, DUTY)
    assert (row["state"], row["owner_id"]) == ("in_progress", "op-duty")
    with pytest.raises(Refusal) as refused:
        _step(platform, community, complaints.resolve, complaint_id, "   ", DUTY)
    assert refused.value.key == "resolution_missing"
    with pytest.raises(Refusal) as refused:
        _step(platform, community, complaints.resolve, complaint_id, "好" * 501, DUTY)
    assert refused.value.key == "resolution_long"
    with pytest.raises(Refusal) as refused:
        _step(platform, community, complaints.start, complaint_id, DUTY)  # not open now
    assert refused.value.key == "state"
    with pytest.raises(Refusal) as refused:
        _step(platform, community, complaints.take, NOBODY, DUTY)
    assert refused.value.key == "unknown"
    words = "保洁公司已经批评了迟到的阿姨，\n下次会准时上门。"
    row = _step(platform, community, complaints.resolve, complaint_id, words, DUTY)
    assert (row["state"], row["resolution"], row["resolved_by"]) == (
        "resolved", "保洁公司已经批评了迟到的阿姨， 下次会准时上门。", "op-duty")

    changes, cursor = kiosk.pull_all()
    fed = latest(changes, "complaint")[complaint_id]
    assert (fed["state"], fed["resolution"], fed["resolved_at"]) == (
        "resolved", row["resolution"], row["resolved_at"])
    assert [c["data"]["state"] for c in changes if c["id"] == complaint_id] == [
        "open", "in_progress", "resolved"]

    results = kiosk.push(
        answer_op(complaint_id, "elder-002", "satisfied"),  # another elder's
        answer_op(NOBODY, "elder-001", "satisfied"),
        answer_op(complaint_id, "elder-001", "neutral"),
        answer_op(complaint_id, "elder-001", "neutral"),  # again, under a new op_id
        answer_op(complaint_id, "elder-001", "unsatisfied"))  # changing her mind
    assert statuses(results) == [("rejected", "not_allowed"), ("rejected", "unknown_complaint"),
                                 ("applied", None), ("applied", None), ("rejected", "duplicate")]
    assert results[2]["data"] == {"complaint_id": complaint_id, "provider_id": CLEANER,
                                  "state": "closed"}
    assert results[3]["data"] == results[2]["data"]
    fed = latest(kiosk.pull_all(cursor)[0], "complaint")[complaint_id]
    assert (fed["state"], fed["answer"]) == ("closed", "neutral")
    with platform.db.read() as conn:
        events = complaints.timeline(conn, community, complaint_id)
    assert [(e["what"], e["note"]) for e in events] == [
        ("received", None), ("taken", None), ("resolved", row["resolution"]),
        ("answered", "neutral"), ("closed", None)]
    assert events[1]["actor_name"] == "小刘" and events[1]["operator_id"] == "op-duty"


def test_an_unsatisfied_answer_is_followed_up_and_a_reopened_complaint_asked_again(platform):
    community, kiosk, booking = _booked(platform)
    filed = complaint("elder-001", about="centre")
    complaint_id = filed["payload"]["id"]
    kiosk.push(filed)
    _step(platform, community, complaints.resolve, complaint_id, "已经修好了门口的坡道。", DUTY)
    result = kiosk.push(answer_op(complaint_id, "elder-001", "unsatisfied"))[0]
    assert (result["status"], result["data"]["state"]) == ("applied", "resolved")
    row = _row(platform, community, complaint_id)
    assert complaints.needs_follow_up(row) and not complaints.is_overdue(row, clock.now())
    mine = Filter([community], follow_up=True)
    with platform.db.read() as conn:
        assert [r["id"] for r in complaints.listing(conn, mine, clock.now(), 10)] == [
            complaint_id]
        assert complaints.counts(conn, mine, clock.now())["follow_up"] == 1

    row = _step(platform, community, complaints.reopen, complaint_id, "老人说坡道太陡", DUTY)
    assert (row["state"], row["resolution"], row["answer"], row["owner_id"]) == (
        "in_progress", None, None, "op-duty")
    fed = latest(kiosk.pull_all()[0], "complaint")[complaint_id]
    assert (fed["state"], fed["resolution"], fed["answer"]) == ("in_progress", None, None)
    _step(platform, community, complaints.resolve, complaint_id, "坡道重新修得平缓了。", DUTY)
    result = kiosk.push(answer_op(complaint_id, "elder-001", "satisfied"))[0]
    assert (result["status"], result["data"]["state"]) == ("applied", "closed")
    # Closed: no more steps but reopening; the provider's reply still goes to the operators.
    with pytest.raises(Refusal):
        _step(platform, community, complaints.close, complaint_id, "", DUTY)
    with platform.db.read() as conn:
        whats = [e["what"] for e in complaints.timeline(conn, community, complaint_id)]
    assert whats == ["received", "resolved", "answered", "reopened", "resolved", "answered",
                     "closed"]


def test_an_operator_closes_without_an_answer_and_the_elders_late_answer_is_kept(platform):
    community, kiosk, _ = _booked(platform)
    filed = complaint("elder-002", about="provider", provider_id=CLEANER)
    complaint_id = filed["payload"]["id"]
    kiosk.push(filed)
    with pytest.raises(Refusal):  # nothing to reopen yet
        _step(platform, community, complaints.reopen, complaint_id, "", DUTY)
    provider = Actor("op-provider", "阳光家政", operator=True)
    _step(platform, community, complaints.reply, complaint_id, "我们已联系老人道歉。", provider)
    cursor = kiosk.pull_all()[1]
    row = _row(platform, community, complaint_id)
    assert (row["provider_reply"], row["state"]) == ("我们已联系老人道歉。", "open")
    assert kiosk.pull_all(cursor)[0] == []  # a reply is for operators only: not fed
    _step(platform, community, complaints.resolve, complaint_id, "服务商已经道歉。", DUTY)
    _step(platform, community, complaints.close, complaint_id, "已电话回访", DUTY)
    result = kiosk.push(answer_op(complaint_id, "elder-002", "satisfied"))[0]
    assert (result["status"], result["data"]["state"]) == ("applied", "closed")
    assert _row(platform, community, complaint_id)["answer"] == "satisfied"
    # Closed before it was ever resolved: nothing for the elder to answer.
    other = complaint("elder-003", about="centre")
    kiosk.push(other)
    _step(platform, community, complaints.close, other["payload"]["id"], "", DUTY)
    assert statuses(kiosk.push(answer_op(other["payload"]["id"], "elder-003", "neutral"))) == [
        ("rejected", "not_done")]


def test_due_time_counts_working_days_and_the_communitys_choice(platform):
    # Friday 10:00 in Shanghai: three working days later is Wednesday, same time.
    friday = "2026-12-04T02:00:00.000+00:00"
    assert complaints.due_at(friday, 3, "Asia/Shanghai") == "2026-12-09T02:00:00.000+00:00"
    saturday = "2026-12-05T02:00:00.000+00:00"
    assert complaints.due_at(saturday, 1, "Asia/Shanghai") == "2026-12-07T02:00:00.000+00:00"
    # Friday 23:30 in Shanghai is still Friday there (Friday 15:30 UTC): Monday is one day.
    late = "2026-12-04T15:30:00.000+00:00"
    assert complaints.due_at(late, 1, "Asia/Shanghai") == "2026-12-07T15:30:00.000+00:00"

    community, kiosk, _ = _booked(platform)
    platform.db.run_write(lambda conn: complaints.set_days(conn, community, 5))
    filed = complaint("elder-001", about="centre")
    kiosk.push(filed)
    row = _row(platform, community, filed["payload"]["id"])
    assert row["due_at"] == complaints.due_at(row["received_at"], 5, "Asia/Shanghai")
    with pytest.raises(ValueError):
        platform.db.run_write(lambda conn: complaints.set_days(conn, community, 0))


def test_overdue_until_resolved(platform):
    community, kiosk, _ = _booked(platform)
    late, on_time = complaint("elder-001", about="centre"), complaint("elder-002", about="centre")
    kiosk.push(late, on_time)
    late_id = late["payload"]["id"]
    past = clock.stamp(clock.now() - dt.timedelta(hours=1))
    platform.db.run_write(lambda conn: conn.execute(update(schema.complaints).where(
        schema.complaints.c.community_id == community,
        schema.complaints.c.id == late_id).values(due_at=past)))  # its days went by
    now = clock.now()
    overdue = Filter([community], overdue=True)
    with platform.db.read() as conn:
        assert [r["id"] for r in complaints.listing(conn, overdue, now, 10)] == [late_id]
        assert complaints.counts(conn, overdue, now)["overdue"] == 1
        listed = complaints.listing(conn, Filter([community]), now, 10)
    assert listed[0]["id"] == late_id  # the soonest due first
    assert complaints.is_overdue(listed[0], now) and not complaints.is_overdue(listed[1], now)
    listed = _cli(platform.db.url, "complaints", "--community", community)
    line = next(line for line in listed.splitlines() if late_id in line)
    assert "open overdue" in line and past in line
    _step(platform, community, complaints.resolve, late_id, "已处理。", DUTY)
    with platform.db.read() as conn:
        assert complaints.listing(conn, overdue, clock.now(), 10) == []
    assert "overdue" not in _cli(platform.db.url, "complaints", "--community", community)


def _cli(db_target: str, *args: str) -> str:
    """kiosk-platform, as an operator runs it in a shell."""
    done = subprocess.run([sys.executable, "-m", "service_platform.cli", *args,
                           "--db", db_target], cwd=ROOT, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_version_6_gives_old_complaints_what_they_are_about_and_a_due_time(new_database):
    db = Database(new_database())
    try:
        with db.write() as conn:
            schema.schema_version.create(conn)
            for step in migrations.MIGRATIONS[:5]:
                step(conn)
            conn.execute(insert(schema.schema_version).values(version=5, applied_at="x"))
            conn.execute(text(  # the columns of version 5
                "INSERT INTO communities (id, name, tz, created_at, escalate_after_min) "
                "VALUES ('old', '老社区', 'Asia/Shanghai', '2026-11-01T00:00:00+00:00', 3)"))
            for complaint_id, booking_id in (("c-booking", str(uuid.uuid4())),
                                             ("c-centre", None)):
                conn.execute(text(
                    "INSERT INTO complaints (community_id, id, booking_id, elder_id, "
                    "provider_id, reasons, staff_id, state, kiosk_id, created_at, received_at) "
                    "VALUES ('old', :id, :booking, 'elder-1', NULL, '[\"late\"]', NULL, "
                    "'open', 'kiosk-1', '2026-12-04T10:00:00+08:00', :received)"),
                    {"id": complaint_id, "booking": booking_id,
                     "received": "2026-12-04T02:00:00.000+00:00"})
        assert migrations.migrate(db) == migrations.LATEST
        with db.read() as conn:
            rows = {row["id"]: row for row in conn.execute(select(schema.complaints))
                    .mappings()}
            days = conn.execute(select(schema.communities.c.complaint_days)).scalar_one()
        assert days == 3
        assert (rows["c-booking"]["about"], rows["c-centre"]["about"]) == ("booking", "centre")
        assert {row["due_at"] for row in rows.values()} == {"2026-12-09T02:00:00.000+00:00"}
        assert not any(row["call_back"] for row in rows.values())
        assert json.loads(rows["c-centre"]["reasons"]) == ["late"]
    finally:
        db.dispose()
