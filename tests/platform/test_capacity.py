"""Capacity and escrow leases: confirmed bookings plus lent places never exceed the capacity."""
from __future__ import annotations

import datetime as dt
import random
from concurrent.futures import ThreadPoolExecutor

from service_platform import operators
from tests.platform.wire import SHANGHAI, booking_op, cancel_op, confirmed_in_feed, stamp


def _statuses(results):
    return [(r["status"], r["reason"]) for r in results]


def test_two_kiosks_race_for_the_last_places(platform):
    community = platform.community(elders=12)
    slot = platform.slot(community, capacity=3)
    east, west = platform.kiosk(community), platform.kiosk(community)
    jobs = [(east, f"elder-{n:03d}") for n in range(1, 6)] + \
           [(west, f"elder-{n:03d}") for n in range(6, 11)]
    with ThreadPoolExecutor(max_workers=10) as pool:
        results = list(pool.map(lambda job: job[0].push(booking_op(job[1], slot))[0], jobs))
    assert sum(r["status"] == "applied" for r in results) == 3
    assert {r["reason"] for r in results if r["status"] == "rejected"} == {"full"}
    changes, _ = east.pull_all()
    assert confirmed_in_feed(changes, slot) == 3


def test_bookings_within_a_lease_are_never_rejected_for_capacity(platform):
    community = platform.community(elders=20)
    slot = platform.slot(community, capacity=10)
    offline, online = platform.kiosk(community), platform.kiosk(community)
    lease = offline.leases(want=[{"slot_id": slot, "places": 4}])["leases"][0]
    assert lease["places"] == 4 and lease["slot_id"] == slot

    # While `offline` is cut off, `online` books everything the platform has left.
    results = online.push(*(booking_op(f"elder-{n:03d}", slot) for n in range(1, 9)))
    assert _statuses(results) == [("applied", None)] * 6 + [("rejected", "full")] * 2

    within = [booking_op(f"elder-{n:03d}", slot, lease["lease_id"]) for n in range(11, 15)]
    beyond = booking_op("elder-015", slot, lease["lease_id"])
    results = offline.push(*within, beyond)
    assert _statuses(results) == [("applied", None)] * 4 + [("rejected", "full")]
    assert [r["data"]["within_lease"] for r in results] == [True] * 4 + [False]
    changes, _ = online.pull_all()
    assert confirmed_in_feed(changes, slot) == 10


def test_two_kiosks_leases_and_confirmed_never_exceed_capacity(platform):
    community = platform.community(elders=20)
    slot = platform.slot(community, capacity=9)
    east, west = platform.kiosk(community), platform.kiosk(community)
    east.push(*(booking_op(f"elder-{n:03d}", slot) for n in (1, 2, 3)))
    east_lease = east.leases(want=[{"slot_id": slot}])["leases"][0]
    west_lease = west.leases(want=[{"slot_id": slot, "places": 50}])["leases"][0]
    assert (east_lease["places"], west_lease["places"]) == (3, 1)  # 6 // 2, then 3 // 2

    ordinary = east.push(*(booking_op(f"elder-{n:03d}", slot) for n in (4, 5, 6)))
    assert _statuses(ordinary) == [("applied", None)] * 2 + [("rejected", "full")]
    east_own = east.push(*(booking_op(f"elder-{n:03d}", slot, east_lease["lease_id"])
                           for n in (7, 8, 9)))
    west_own = west.push(booking_op("elder-011", slot, west_lease["lease_id"]))
    assert all(r["status"] == "applied" for r in east_own + west_own)
    changes, _ = west.pull_all()
    assert confirmed_in_feed(changes, slot) == 9


def test_unused_lease_places_flow_back(platform):
    community = platform.community(elders=20)
    slot = platform.slot(community, capacity=6)
    east, west = platform.kiosk(community), platform.kiosk(community)
    lease = east.leases(want=[{"slot_id": slot}])["leases"][0]
    assert lease["places"] == 3
    east.push(booking_op("elder-001", slot, lease["lease_id"]))
    late = booking_op("elder-002", slot, lease["lease_id"])  # made offline, not pushed yet

    settled = east.leases(returns=[{"lease_id": lease["lease_id"], "used": 2}])
    assert settled["returned"] == [{"lease_id": lease["lease_id"], "status": "returned",
                                    "used": 2}]
    assert settled["leases"] == []
    # One place is still held for the booking on its way; the third came back.
    results = west.push(*(booking_op(f"elder-{n:03d}", slot) for n in range(3, 9)))
    assert _statuses(results) == [("applied", None)] * 4 + [("rejected", "full")] * 2
    assert east.push(late)[0]["data"]["within_lease"] is True
    changes, _ = east.pull_all()
    assert confirmed_in_feed(changes, slot) == 6
    again = east.leases(returns=[{"lease_id": lease["lease_id"], "used": 3}])
    assert again["returned"][0]["used"] == 2  # the first return stands


def test_lease_booking_made_before_cutoff_counts_even_if_it_arrives_after(platform):
    community = platform.community()
    slot = platform.slot(community, capacity=5)
    kiosk = platform.kiosk(community)
    lease = kiosk.leases(want=[{"slot_id": slot}])["leases"][0]
    now = dt.datetime.now(SHANGHAI)
    made = stamp(now - dt.timedelta(hours=1))
    within = booking_op("elder-001", slot, lease["lease_id"], created_at=made)
    ordinary = booking_op("elder-002", slot, created_at=made)
    operators.set_meal_slot(platform.db, community, slot,
                            cutoff=stamp(now - dt.timedelta(minutes=10)))
    assert _statuses(kiosk.push(within, ordinary)) == [("applied", None), ("rejected", "closed")]
    assert kiosk.leases(want=[{"slot_id": slot}])["leases"] == []  # no lease after cut-off


def test_leases_are_seen_only_by_their_kiosk(platform):
    community = platform.community()
    slot = platform.slot(community, capacity=8)
    east, west = platform.kiosk(community), platform.kiosk(community)
    east_lease = east.leases(want=[{"slot_id": slot}])["leases"][0]
    east_changes, _ = east.pull_all()
    west_changes, _ = west.pull_all()
    assert east_lease["lease_id"] in {c["id"] for c in east_changes if c["kind"] == "lease"}
    assert [c for c in west_changes if c["kind"] == "lease"] == []
    # Presenting someone else's lease gets no escrow: it is an ordinary booking.
    result = west.push(booking_op("elder-001", slot, east_lease["lease_id"]))[0]
    assert result["status"] == "applied" and result["data"]["within_lease"] is False
    unknown = west.leases(returns=[{"lease_id": east_lease["lease_id"], "used": 0}])
    assert unknown["returned"][0]["status"] == "unknown"


def test_random_interleavings_keep_the_bound(platform):
    """Two kiosks book, cancel, lease and return at random; the bound always holds."""
    community = platform.community(elders=30)
    slot = platform.slot(community, capacity=7)
    kiosks = [platform.kiosk(community), platform.kiosk(community)]
    rng = random.Random(20261123)
    held = {0: None, 1: None}  # each kiosk's lease and how many it used
    booked: list[str] = []
    for step in range(60):
        who = rng.randrange(2)
        kiosk, action = kiosks[who], rng.choice(["book", "book", "lease", "return", "cancel"])
        elder = f"elder-{rng.randrange(1, 30):03d}"
        if action == "book":
            lease = held[who]
            use = lease is not None and lease["used"] < lease["places"] and rng.random() < 0.7
            op = booking_op(elder, slot, lease["lease_id"] if use else None)
            result = kiosk.push(op)[0]
            if use:
                lease["used"] += 1
                assert result["reason"] != "full", step
            if result["status"] == "applied":
                booked.append(op["payload"]["id"])
        elif action == "lease" and held[who] is None:
            got = kiosk.leases(want=[{"slot_id": slot}])["leases"]
            held[who] = {**got[0], "used": 0} if got else None
        elif action == "return" and held[who] is not None:
            kiosk.leases(returns=[{"lease_id": held[who]["lease_id"], "used": held[who]["used"]}])
            held[who] = None
        elif action == "cancel" and booked:
            kiosk.push(cancel_op(booked.pop(rng.randrange(len(booked)))))
        changes, _ = kiosk.pull_all()
        confirmed = confirmed_in_feed(changes, slot)
        lent = sum(h["places"] - h["used"] for h in held.values() if h is not None)
        assert confirmed + lent <= 7, step
