"""Two real kiosks and a real platform disagree for a while, then agree: a rating made at two
kiosks or refused, and one elder's meal booked at two kiosks before either synced."""
from __future__ import annotations

import datetime as dt
import json

import pytest

from kiosk.clock import FixedClock
from kiosk.ratings import Ratings
from service_platform import operators
from tests.sync.conftest import SHANGHAI


def two_kiosks(platform, make_kiosk, elders: int = 3, days_ahead: int = 1):
    """Two enrolled kiosks, each holding a share of the slot's places (leases given back and
    asked for again at every sync)."""
    community = platform.community(elders=elders)
    slot = platform.slot(community, capacity=10, days_ahead=days_ahead)
    kiosks = [make_kiosk(platform.url, platform.enrolment_code(community), lease_refresh_s=0)
              for _ in (1, 2)]
    for kiosk in kiosks + kiosks:
        kiosk.sync_ok()
    return community, slot, kiosks


def ratings_of(kiosk, booking_id: str) -> list[tuple[str, str]]:
    return [(r["id"], r["score"]) for r in kiosk.store.query(
        "SELECT id, score FROM ratings WHERE booking_id = ?", (booking_id,))]


def platform_ratings(platform, community: str, booking_id: str) -> list[tuple[str, str]]:
    from sqlalchemy import select

    from service_platform.schema import ratings
    with platform.db.read() as conn:
        return [(r.id, r.score) for r in conn.execute(select(ratings).where(
            ratings.c.community_id == community, ratings.c.booking_id == booking_id))]


def outbox_results(kiosk, op_type: str) -> list[tuple[str, str | None]]:
    return [(r["state"], json.loads(r["result"] or "{}").get("reason")) for r in
            kiosk.store.query("SELECT state, result FROM outbox WHERE op_type = ? ORDER BY seq",
                              (op_type,))]


def test_a_booking_rated_at_two_kiosks_shows_the_platforms_rating_everywhere(platform,
                                                                             make_kiosk):
    community, slot, (first, second) = two_kiosks(platform, make_kiosk)
    booking = first.book("elder-001", slot)
    first.sync_ok()
    operators.complete_bookings(platform.db, dt.datetime.now(SHANGHAI) + dt.timedelta(days=3),
                                community)
    first.sync_ok()
    second.sync_ok()
    assert second.booking(booking.id).status == "completed"
    # The elder rates it at one kiosk, and again at the other, before either syncs.
    kept = Ratings(first.store, first.clock).rate("elder-001", booking.id, "satisfied")
    lost = Ratings(second.store, second.clock).rate("elder-001", booking.id, "unsatisfied")

    first.sync_ok()
    second.sync_ok()
    first.sync_ok()

    assert platform_ratings(platform, community, booking.id) == [(kept, "satisfied")]
    assert ratings_of(first, booking.id) == [(kept, "satisfied")]
    assert ratings_of(second, booking.id) == [(kept, "satisfied")]
    assert outbox_results(second, "rating.create") == [("rejected", "duplicate")]
    assert lost not in {r["id"] for r in second.store.query("SELECT id FROM ratings")}
    assert Ratings(second.store, second.clock).due("elder-001") is None  # not asked again


def meal_ending_soon(platform, community: str) -> tuple[str, dt.datetime]:
    """The next meal to end (13:00 or 19:00, within 18 hours), still open for booking."""
    now = dt.datetime.now(SHANGHAI)
    for day in (now.date(), now.date() + dt.timedelta(days=1)):
        for meal, hour in (("lunch", 13), ("dinner", 19)):
            end = dt.datetime.combine(day, dt.time(hour), SHANGHAI)
            if end > now + dt.timedelta(minutes=10):
                slot_id = f"meal:{day.isoformat()}:{meal}"
                operators.add_meal_slot(platform.db, community, {
                    "id": slot_id, "day": day.isoformat(), "meal": meal,
                    "cutoff": (end - dt.timedelta(minutes=5)).isoformat(), "capacity": 10,
                    "price_cents": 1500, "menu": [{"name": "米饭", "tags": []}]})
                return slot_id, end
    raise AssertionError("unreachable")


def test_a_rating_the_platform_refuses_is_not_kept_as_if_it_counted(platform, make_kiosk):
    community = platform.community(elders=2)
    slot, end = meal_ending_soon(platform, community)
    kiosk = make_kiosk(platform.url, platform.enrolment_code(community))
    kiosk.sync_ok()
    booking = kiosk.book("elder-001", slot)
    kiosk.sync_ok()
    # This kiosk's clock runs fast: to it the meal is over, to the platform it is not yet.
    fast = FixedClock(end + dt.timedelta(minutes=1))
    ratings = Ratings(kiosk.store, fast)
    assert ratings.due("elder-001").id == booking.id
    refused = ratings.rate("elder-001", booking.id, "neutral")

    kiosk.sync_ok()

    assert outbox_results(kiosk, "rating.create") == [("rejected", "not_done")]
    assert platform_ratings(platform, community, booking.id) == []
    assert ratings_of(kiosk, booking.id) == []
    assert refused not in {r["id"] for r in kiosk.store.query("SELECT id FROM ratings")}
    assert ratings.due("elder-001") is None  # asked once; not again


def live_bookings(kiosk, elder_id: str, slot: str) -> list[tuple[str, str]]:
    return [(r["id"], r["status"]) for r in kiosk.store.query(
        "SELECT id, status FROM bookings WHERE elder_id = ? AND slot_id = ? "
        "AND status NOT IN ('cancelled')", (elder_id, slot))]


def booked_offline_at_both(platform, make_kiosk):
    """Both kiosks hold a lease; the elder books the same lunch at each before either syncs:
    each kiosk confirms on the spot (已确认)."""
    community, slot, kiosks = two_kiosks(platform, make_kiosk)
    assert all(k.store.query_one("SELECT 1 FROM leases WHERE slot_id = ? AND state = 'active'",
                                 (slot,)) for k in kiosks)
    made = [k.book("elder-001", slot, mode) for k, mode in zip(kiosks, ("pickup", "dine_in"),
                                                               strict=True)]
    assert [b.status for b in made] == ["confirmed", "confirmed"]
    return community, slot, kiosks, made


@pytest.mark.parametrize("first", [0, 1])
def test_one_meal_booked_at_two_kiosks_is_one_place_both_show_confirmed(platform, make_kiosk,
                                                                        first):
    community, slot, kiosks, made = booked_offline_at_both(platform, make_kiosk)
    order = [kiosks[first], kiosks[1 - first]]

    for kiosk in order + order:
        kiosk.sync_ok()

    on_platform = [b for b in platform.bookings(community).values()
                   if b["elder_id"] == "elder-001" and b["status"] == "confirmed"]
    assert len(on_platform) == 1 and on_platform[0]["id"] == made[first].id  # never two meals
    survivor = on_platform[0]["id"]
    for kiosk in kiosks:  # the elder told 已确认 at either kiosk keeps the place
        assert live_bookings(kiosk, "elder-001", slot) == [(survivor, "confirmed")]
        assert kiosk.booking(survivor).mode == made[first].mode  # as the platform has it
        assert kiosk.status().all_done
    late = kiosks[1 - first]
    assert outbox_results(late, "booking.create") == [("applied", None)]


def test_a_merged_place_is_cancelled_only_by_the_elder_and_everywhere(platform, make_kiosk):
    community, slot, (here, there), made = booked_offline_at_both(platform, make_kiosk)
    there.sync_ok()  # the other kiosk's booking reaches the platform first
    here.sync_ok()
    there.sync_ok()
    survivor = made[1].id
    assert here.booking(survivor).status == "confirmed"

    here.meals.cancel(survivor)  # the elder cancels at the kiosk that told them 已确认
    here.sync_ok()
    there.sync_ok()

    assert platform.confirmed(community, slot) == 0
    assert [b["status"] for b in platform.bookings(community).values()] == ["cancelled"]
    for kiosk in (here, there):
        assert live_bookings(kiosk, "elder-001", slot) == []
        assert kiosk.booking(survivor).status == "cancelled"


@pytest.mark.parametrize("max_ops", [500, 1])  # the cancel in the create's batch, or after it
def test_a_cancel_made_before_the_merge_was_heard_cancels_the_one_place(platform, make_kiosk,
                                                                        max_ops):
    community, slot, (here, there), made = booked_offline_at_both(platform, make_kiosk)
    there.sync_ok()  # the other kiosk's booking holds the place
    here.meals.cancel(made[0].id)  # the elder, told 已确认 here, cancels here, still offline
    here.engine.max_ops = max_ops

    here.sync_ok()
    there.sync_ok()
    here.sync_ok()

    assert platform.confirmed(community, slot) == 0  # 已取消 was true
    assert outbox_results(here, "booking.cancel") == [("applied", None)]
    ledger = {(i, b["status"]) for i, b in platform.bookings(community).items()}
    for kiosk in (here, there):
        assert live_bookings(kiosk, "elder-001", slot) == []
        assert kiosk.status().all_done
        assert {(r["id"], r["status"]) for r in kiosk.store.query(
            "SELECT id, status FROM bookings")} == ledger  # the same view everywhere


@pytest.mark.parametrize("together", [True, False])
def test_a_cancel_refused_after_the_cut_off_keeps_the_merged_place_here(core, together):
    """The answers as the platform gives them, on a real kiosk file: the booking was merged
    into another kiosk's, and the elder's cancel came too late (closed)."""
    from kiosk.sync.push import apply_results, pending_rows

    booking = core.meals.book("elder-0001", "meal:2026-11-25:lunch", "pickup")
    core.meals.cancel(booking.id)
    place = "0b6f3c1e-8f7a-4e55-9a4c-5d1f3e8f2a10"
    create, cancel = pending_rows(core.store, 10)
    answers = [{"op_id": create.op_id, "status": "applied", "reason": None,
                "data": {"booking_id": place, "booking_status": "confirmed",
                         "within_lease": True, "merged": True}},
               {"op_id": cancel.op_id, "status": "rejected", "reason": "closed", "data": {}}]
    if together:
        apply_results(core.store, core.clock, [create, cancel], answers)
    else:
        apply_results(core.store, core.clock, [create], answers[:1])
        assert core.store.query_one("SELECT status FROM bookings WHERE id = ?",
                                    (place,))["status"] == "cancelled"
        apply_results(core.store, core.clock, [cancel], answers[1:])
    rows = core.store.query("SELECT id, status, reason FROM bookings")
    assert [tuple(r) for r in rows] == [(place, "confirmed", "closed")]
