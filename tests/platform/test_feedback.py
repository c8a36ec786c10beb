"""Ratings (one per done booking, counted per provider), complaints and help requests."""
from __future__ import annotations

from service_platform import operators, schema
from service_platform.db import Database
from tests.platform.servers import wait_until
from tests.platform.wire import (
    CLEANER,
    STATION,
    TestPlatform,
    cancel_op,
    complaint_op,
    help_op,
    help_update_op,
    latest,
    rating_op,
    service_op,
    statuses,
)


def _cleaned(platform, elders=6):
    """A community with three cleaning bookings (elder-001..003) of one window."""
    community = platform.community(elders=elders)
    platform.services(community)
    window = platform.service_slot(community, "cleaning", capacity=3, window="am")
    kiosk = platform.kiosk(community)
    ops = [service_op("cleaning", f"elder-00{n}", window, kind="standard") for n in (1, 2, 3)]
    kiosk.push(*ops)
    return community, window, kiosk, [op["payload"]["id"] for op in ops]


def test_one_rating_per_done_booking(platform):
    community, window, kiosk, (first, second, third) = _cleaned(platform)
    assert kiosk.push(rating_op(first, "elder-001"))[0]["reason"] == "not_done"
    kiosk.push(cancel_op(third))
    platform.pass_slot(community, window)  # the window is over
    rating = rating_op(first, "elder-001", "unsatisfied", ("late", "not_clean"))
    results = kiosk.push(
        rating,
        rating_op(first, "elder-001", "satisfied"),  # a second rating of the same booking
        rating_op(second, "elder-001"),  # someone else's booking
        rating_op(third, "elder-003"),  # cancelled
        rating_op("00000000-0000-4000-8000-000000000000", "elder-001"),
        rating_op(second, "elder-002", "satisfied", ("on_time", "brand_new_chip")))
    assert statuses(results) == [("applied", None), ("rejected", "duplicate"),
                                 ("rejected", "not_allowed"), ("rejected", "not_done"),
                                 ("rejected", "unknown_booking"), ("applied", None)]
    assert results[0]["data"]["provider_id"] == CLEANER
    # The same rating again under a new op_id (an outbox rebuilt after a crash): same answer.
    resent = {**rating, "op_id": "6f1c2b9e-0000-4000-8000-000000000001"}
    assert kiosk.push(resent)[0] == {**results[0], "op_id": resent["op_id"]}

    changes, _ = kiosk.pull_all()
    assert len(latest(changes, "rating")) == 2
    counts = latest(changes, "provider_rating")[CLEANER]
    assert counts == {"provider_id": CLEANER, "satisfied": 1, "neutral": 0,
                      "unsatisfied": 1, "total": 2,
                      "reasons": {"brand_new_chip": 1, "late": 1, "not_clean": 1,
                                  "on_time": 1}}
    report = {r["provider_id"]: r for r in operators.ratings_report(platform.db, community)}
    assert report[CLEANER]["total"] == 2
    assert report[STATION]["total"] == 0


def test_completed_bookings_can_be_rated_and_not_cancelled(platform):
    community, window, kiosk, (first, second, _) = _cleaned(platform)
    platform.pass_slot(community, window)
    assert operators.complete_bookings(platform.db, community_id=community) == 3
    assert operators.complete_bookings(platform.db, community_id=community) == 0
    changes, _ = kiosk.pull_all()
    assert {b["status"] for b in latest(changes, "booking").values()} == {"completed"}
    assert kiosk.push(cancel_op(first))[0]["reason"] == "closed"
    assert kiosk.push(rating_op(second, "elder-002", "neutral"))[0]["status"] == "applied"


def test_complaints_reach_the_feed_and_the_operator(platform):
    community, _, kiosk, (first, _, _) = _cleaned(platform)
    results = kiosk.push(
        complaint_op("elder-001", first, ("not_clean",), staff_id="staff-zhang"),
        complaint_op("elder-002"),  # about nothing in particular
        complaint_op("elder-002", first),  # someone else's booking
        complaint_op("elder-404"))
    assert statuses(results) == [("applied", None), ("applied", None),
                                 ("rejected", "not_allowed"), ("rejected", "unknown_elder")]
    changes, _ = kiosk.pull_all()
    filed = latest(changes, "complaint")
    assert len(filed) == 2
    about = filed[results[0]["data"]["complaint_id"]]
    assert (about["booking_id"], about["provider_id"], about["reasons"], about["state"],
            about["staff_id"]) == (first, CLEANER, ["not_clean"], "open",
                                   "staff-zhang")
    listed = operators.listing(platform.db, schema.complaints, community)
    assert {row["id"] for row in listed} == set(filed)


def test_help_requests_move_forward_only(platform):
    community = platform.community()
    kiosk, staff_kiosk = platform.kiosk(community), platform.kiosk(community)
    urgent, nobody = help_op("elder-001"), help_op(None, "assist")
    stranger = help_op("elder-404")  # never refused: it must reach staff
    results = kiosk.push(urgent, nobody, stranger)
    assert [r["data"]["state"] for r in results] == ["open"] * 3
    help_id = urgent["payload"]["id"]
    answers = staff_kiosk.push(
        help_update_op(help_id, "acknowledged"),
        help_update_op(help_id, "acknowledged", "staff-liu"),  # already: no change
        help_update_op(help_id, "resolved", "staff-liu"),
        help_update_op(help_id, "acknowledged"),  # never backwards
        help_update_op(nobody["payload"]["id"], "resolved"),  # straight to resolved
        help_update_op("00000000-0000-4000-8000-000000000000", "resolved"))
    assert [(r["status"], r["reason"], r["data"].get("state")) for r in answers] == [
        ("applied", None, "acknowledged"), ("applied", None, "acknowledged"),
        ("applied", None, "resolved"), ("applied", None, "resolved"),
        ("applied", None, "resolved"), ("rejected", "unknown_help", None)]
    changes, _ = kiosk.pull_all()
    state = latest(changes, "help_request")[help_id]
    assert (state["kind"], state["state"], state["acknowledged_by"], state["resolved_by"]) == (
        "urgent", "resolved", "staff-zhang", "staff-liu")
    assert state["acknowledged_at"] and state["resolved_at"]
    assert latest(changes, "help_request")[stranger["payload"]["id"]]["state"] == "open"


def test_serve_completes_bookings_of_ended_slots_by_itself(start_platform):
    process = start_platform(None, "--complete-every", "0.005")  # every 0.3 s
    db = Database(process.db_target)
    try:
        platform = TestPlatform(process.base_url, db)
        community, window, kiosk, booked = _cleaned(platform)
        kiosk.push(cancel_op(booked[2]))
        platform.pass_slot(community, window)

        def statuses_now():
            found = {b["status"] for b in latest(kiosk.pull_all()[0], "booking").values()}
            return found if "confirmed" not in found else None
        assert wait_until(statuses_now, 20, "bookings to be completed") == {"completed",
                                                                             "cancelled"}
    finally:
        db.dispose()
