"""意见/投诉 on a real SQLite file with the demo community (Tuesday 2026-11-24 08:00): the one
writer and its payload, what she can complain about, a store from before complaints had a
subject, pull keeping the resolution and her answer, and the answer told once at sign-in."""
from __future__ import annotations

import json
import sqlite3

import pytest

from elder_wire.operations import ComplaintAnswer, ComplaintCreate
from kiosk import outbox
from kiosk.complaints import ComplaintInvalid, every_reason, reason_chips
from kiosk.errors import BookingRejected
from kiosk.greeting import answer_sentence
from kiosk.i18n import Translator, load_messages
from kiosk.migrations import LATEST, MIGRATIONS
from kiosk.store import Store
from kiosk.sync.pull import apply_page

WANG, LI = "elder-0001", "elder-0002"
ZH = Translator("zh_CN")


def ops(core, op_type: str) -> list[dict]:
    return [op.payload for op in outbox.pending(core.store.conn) if op.op_type == op_type]


def done_cleaning(core, day: str = "2026-11-25"):
    booking = core.flow("cleaning").book(LI, f"cleaning:{day}:am", "standard")
    with core.store.transaction() as conn:
        conn.execute("UPDATE bookings SET status = 'completed' WHERE id = ?", (booking.id,))
    return booking


def test_one_writer_sends_the_newer_fields_only_when_they_say_something(core):
    booking = done_cleaning(core)
    plain = core.complaints.file(LI, booking_id=booking.id, reasons=("late", "late", "rude"))
    about_it = core.complaints.file(LI, about="booking", booking_id=booking.id,
                                    reasons=("late", "call_back"), call_back=True)
    provider = core.complaints.file(LI, about="provider", provider_id="provider-sunshine",
                                    reasons=("not_clean",), note="  窗台\n没擦 ",
                                    staff_id="staff-zhang")
    centre = core.complaints.file(LI, about="centre", booking_id=booking.id)
    first, second, third, fourth = ops(core, "complaint.create")
    assert set(first) == {"id", "booking_id", "elder_id", "reasons", "staff_id", "created_at"}
    assert first["reasons"] == ["late", "rude"] and first["id"] == plain.id
    assert set(second) - set(first) == {"call_back"} and second["reasons"] == ["late"]
    assert second["id"] == about_it.id
    assert (third["about"], third["provider_id"], third["note"], third["booking_id"]) == \
        ("provider", "provider-sunshine", "窗台 没擦", None)
    assert "call_back" not in third and third["id"] == provider.id
    assert fourth["booking_id"] is None and "about" not in fourth  # the centre: inferred
    assert fourth["id"] == centre.id
    for payload in (first, second, third, fourth):  # what the wire itself accepts
        ComplaintCreate.model_validate(payload)
    rows = {r["id"]: r for r in core.store.query("SELECT * FROM complaints")}
    assert (rows[provider.id]["about"], rows[provider.id]["provider_id"],
            rows[provider.id]["note"], rows[provider.id]["staff_id"]) == \
        ("provider", "provider-sunshine", "窗台 没擦", "staff-zhang")
    assert rows[about_it.id]["call_back"] == 1 and rows[plain.id]["about"] is None
    assert rows[plain.id]["provider_id"] == "provider-sunshine"  # the booking's


def test_bad_input_is_refused_plainly_and_nothing_is_written(core):
    booking = done_cleaning(core)
    heard = []
    core.complaints.filed.connect(heard.append)
    cases = [({"about": "weather"}, "complaint.invalid.about"),
             ({"about": "booking"}, "complaint.invalid.booking"),
             ({"about": "provider"}, "complaint.invalid.provider"),
             ({"about": "provider", "provider_id": "provider-nobody"},
              "complaint.invalid.provider"),
             ({"about": "centre", "note": "长" * 201}, "complaint.invalid.note")]
    messages = load_messages("zh_CN")
    for fields, key in cases:
        with pytest.raises(ComplaintInvalid) as refused:
            core.complaints.file(LI, **fields)
        assert refused.value.message_key == key and key in messages
    with pytest.raises(BookingRejected):
        core.complaints.file(WANG, about="booking", booking_id=booking.id)  # not hers
    assert core.store.query("SELECT * FROM complaints") == []
    assert ops(core, "complaint.create") == [] and heard == []
    core.complaints.file(LI, about="centre", note="长" * 200)  # exactly the limit
    assert len(heard) == 1


def test_reasons_per_subject_are_worded_in_every_language():
    assert reason_chips("centre") == ("long_wait", "hard_to_use", "noisy", "rude", "other")
    assert "cold_food" in reason_chips("booking", "meal")
    assert "not_clean" in reason_chips("provider", "cleaning")
    assert reason_chips("booking", "a_new_service") == reason_chips("booking", "other")
    for language in ("zh_CN", "en"):
        messages = load_messages(language)
        assert sorted(f"rating.reason.{c}" for c in every_reason()
                      if f"rating.reason.{c}" not in messages) == []


def test_recent_bookings_are_done_or_cancelled_by_the_provider_newest_first(core):
    older = done_cleaning(core, "2026-11-25")
    newer = done_cleaning(core, "2026-11-27")
    by_provider = core.flow("cleaning").book(LI, "cleaning:2026-11-28:pm", "standard")
    by_her = core.flow("cleaning").book(LI, "cleaning:2026-11-29:am", "standard")
    waiting = core.flow("cleaning").book(LI, "cleaning:2026-11-30:am", "standard")
    core.my_bookings.cancel(by_her.id)
    with core.store.transaction() as conn:  # the platform says the provider cancelled it
        conn.execute("UPDATE bookings SET status = 'cancelled' WHERE id = ?", (by_provider.id,))
    core.clock.set("2026-12-01T09:00:00")
    recent = [card.booking.id for card in core.complaints.recent_bookings(LI)]
    assert recent == [by_provider.id, newer.id, older.id]
    assert waiting.id not in recent and by_her.id not in recent
    core.clock.set("2026-12-28T09:00:00")  # 30 days on: only the last of them is recent
    assert [c.booking.id for c in core.complaints.recent_bookings(LI)] == [by_provider.id]


def test_providers_are_those_she_had_services_from(core):
    assert core.complaints.providers(LI) == []
    done_cleaning(core)
    booking = core.meals.book(LI, "meal:2026-11-24:lunch", "pickup")  # no provider on the slot
    with core.store.transaction() as conn:
        conn.execute("UPDATE bookings SET status = 'completed' WHERE id = ?", (booking.id,))
    assert [p.id for p in core.complaints.providers(LI)] == \
        ["provider-sunshine", "provider-xingfu-canteen"]


def test_an_existing_store_gets_the_new_columns_and_keeps_its_complaints(tmp_path):
    version = next(i for i, script in enumerate(MIGRATIONS) if "ADD COLUMN shown_at" in script)
    path = tmp_path / "kiosk.sqlite3"
    conn = sqlite3.connect(path)
    for script in MIGRATIONS[:version]:
        conn.executescript(script)
    conn.executescript(f"""
        PRAGMA user_version = {version};
        INSERT INTO complaints (id, booking_id, elder_id, provider_id, reasons, state,
            staff_id, origin, created_at)
            VALUES ('c1', NULL, 'e1', NULL, '["late"]', 'open', NULL, 'local',
                    '2026-11-20T10:00:00+08:00');
    """)
    conn.close()
    store = Store(path)
    try:
        assert store.schema_version == LATEST
        row = dict(store.query_one("SELECT * FROM complaints"))
        assert (row["reasons"], row["state"], row["about"], row["call_back"], row["note"],
                row["resolution"], row["answer"], row["shown_at"]) == \
            ('["late"]', "open", None, 0, None, None, None, None)
        with pytest.raises(sqlite3.IntegrityError):  # only the three faces
            store.conn.execute("UPDATE complaints SET answer = 'great'")
    finally:
        store.close()


def feed_complaint(core, complaint, seq: int, **data) -> None:
    row = core.store.query_one("SELECT * FROM complaints WHERE id = ?", (complaint.id,))
    change = {"id": row["id"], "booking_id": row["booking_id"], "elder_id": row["elder_id"],
              "provider_id": row["provider_id"], "reasons": json.loads(row["reasons"]),
              "staff_id": row["staff_id"], "state": "in_progress",
              "created_at": row["created_at"], "kiosk_id": "kiosk-1", **data}
    apply_page(core.store, core.clock, [{"seq": seq, "kind": "complaint", "id": row["id"],
                                         "op": "upsert", "data": change}], seq)


def test_pull_keeps_the_resolution_and_a_local_answer_not_yet_synced(core):
    core.clock.set("2026-12-03T09:30:00")
    complaint = core.complaints.file(LI, about="centre", reasons=("long_wait",))
    feed_complaint(core, complaint, 1)
    assert core.complaints.answer_due(LI) is None  # taken, not resolved
    feed_complaint(core, complaint, 2, state="resolved", resolution="已加派人手。",
                   resolved_at="2026-12-04T10:00:00+08:00")
    due = core.complaints.answer_due(LI)
    assert (due.id, due.resolution, due.created.isoformat()) == \
        (complaint.id, "已加派人手。", "2026-12-03")
    core.complaints.mark_shown(complaint.id)
    core.complaints.answer(LI, complaint.id, "unsatisfied")
    # an older page still says resolved, with no answer: hers stays, and the resolution too
    feed_complaint(core, complaint, 3, state="resolved", resolution=None)
    row = core.store.query_one("SELECT * FROM complaints")
    assert (row["state"], row["resolution"], row["answer"], row["origin"]) == \
        ("resolved", "已加派人手。", "unsatisfied", "local")
    feed_complaint(core, complaint, 4, state="closed", resolution="已加派人手。",
                   answer="unsatisfied", answered_at="2026-12-05T09:00:00+08:00")
    assert core.store.query_one("SELECT state FROM complaints")["state"] == "closed"


def test_a_complaint_made_elsewhere_arrives_whole(core):
    apply_page(core.store, core.clock, [{"seq": 1, "kind": "complaint", "id": "c-remote",
                                         "op": "upsert", "data": {
        "id": "c-remote", "booking_id": None, "elder_id": LI, "provider_id": None,
        "reasons": ["noisy"], "staff_id": None, "state": "resolved",
        "created_at": "2026-11-20T10:00:00+08:00", "kiosk_id": "kiosk-2", "about": "centre",
        "call_back": True, "note": "请上午打", "resolution": "已经换了安静的房间。",
        "resolved_at": "2026-11-22T10:00:00+08:00", "answer": None}}], 1)
    row = dict(core.store.query_one("SELECT * FROM complaints"))
    assert (row["about"], row["call_back"], row["note"], row["origin"]) == \
        ("centre", 1, "请上午打", "remote")
    assert core.complaints.answer_due(LI).resolution == "已经换了安静的房间。"


def test_the_answer_is_told_once_and_her_answer_is_one_operation(core):
    core.clock.set("2026-12-03T09:30:00")
    complaint = core.complaints.file(LI, about="centre", reasons=("noisy",))
    feed_complaint(core, complaint, 1, state="resolved", resolution="已经换了安静的房间。")
    core.clock.set("2026-12-05T08:00:00")
    assert core.complaints.answer_due(WANG) is None  # hers only
    due = core.complaints.answer_due(LI)
    assert answer_sentence(ZH, due) == "您12月3日的意见已处理：已经换了安静的房间。"
    assert answer_sentence(Translator("en"), due) == \
        "Your comment of 3 December was dealt with: 已经换了安静的房间。"
    core.complaints.mark_shown(due.id)
    assert core.complaints.answer_due(LI) is None  # shown once, answered or not
    with pytest.raises(ComplaintInvalid):
        core.complaints.answer(WANG, complaint.id, "satisfied")  # not hers
    core.complaints.answer(LI, complaint.id, "satisfied", staff_id="staff-zhang")
    with pytest.raises(ComplaintInvalid) as again:
        core.complaints.answer(LI, complaint.id, "neutral")
    assert again.value.message_key == "complaint.invalid.answered"
    [payload] = ops(core, "complaint.answer")
    assert payload == {"complaint_id": complaint.id, "elder_id": LI, "score": "satisfied",
                       "staff_id": "staff-zhang", "answered_at": "2026-12-05T08:00:00+08:00"}
    ComplaintAnswer.model_validate(payload)


def test_a_new_resolution_of_a_skipped_answer_is_told_again(core):
    complaint = core.complaints.file(LI, about="centre")
    feed_complaint(core, complaint, 1, state="resolved", resolution="先道歉。")
    core.complaints.mark_shown(complaint.id)  # she skipped
    feed_complaint(core, complaint, 2, state="resolved", resolution="先道歉。")  # the same
    assert core.complaints.answer_due(LI) is None
    feed_complaint(core, complaint, 3, state="resolved", resolution="换了一位送餐员。")
    assert core.complaints.answer_due(LI).resolution == "换了一位送餐员。"
