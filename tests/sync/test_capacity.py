"""Two kiosks and the last places: never more confirmed than the capacity; the loser is told."""
from __future__ import annotations

import pytest

from kiosk.alternatives import nearest_alternative, reason_key, state_key
from kiosk.errors import BookingRejected
from tests.sync.proxy import DROP, FORWARD

CAPACITY = 3


def two_kiosks(platform, make_kiosk, make_proxy):
    community = platform.community(elders=8)
    lunch = platform.slot(community, capacity=CAPACITY, days_ahead=1)
    dinner = platform.slot(community, capacity=10, days_ahead=1, meal="dinner")
    kiosks, proxies = [], []
    for _ in range(2):
        proxy = make_proxy(platform)
        kiosks.append(make_kiosk(proxy.url, platform.enrolment_code(community)))
        proxies.append(proxy)
    for kiosk in kiosks:  # both enrolled before the first lease: each gets a fair share
        kiosk.engine.client()
    for kiosk in kiosks:
        kiosk.sync_ok()
    return community, lunch, dinner, kiosks, proxies


def lease_places(kiosk, slot_id):
    return kiosk.store.query_one(
        "SELECT COALESCE(SUM(places), 0) AS n FROM leases WHERE slot_id = ? AND state = 'active'",
        (slot_id,))["n"]


@pytest.mark.parametrize("network", ["offline", "online"])
def test_two_kiosks_never_confirm_more_than_the_capacity(platform, make_kiosk, make_proxy,
                                                         network):
    community, lunch, dinner, (a, b), proxies = two_kiosks(platform, make_kiosk, make_proxy)
    assert lease_places(a, lunch) >= 1 and lease_places(b, lunch) >= 1
    assert lease_places(a, lunch) + lease_places(b, lunch) <= CAPACITY
    if network == "offline":
        for proxy in proxies:
            proxy.rule = lambda _request: DROP

    first_a = a.book("elder-001", lunch)  # within A's lease: final at once, even offline
    first_b = b.book("elder-002", lunch)  # within B's lease
    assert first_a.status == first_b.status == "confirmed"
    assert first_a.lease_id and first_b.lease_id
    others_a = [a.book(f"elder-00{n}", lunch) for n in (3, 4)]
    if network == "online":
        a.sync_ok()
        b.sync_ok()
        with pytest.raises(BookingRejected) as told:  # B sees the slot full, says so at once
            b.book("elder-005", lunch)
        assert told.value.reason == "full"
        others_b = []
    else:
        others_b = [b.book("elder-005", lunch)]
        assert not a.sync().ok
        for proxy in proxies:
            proxy.rule = lambda _request: FORWARD
        b.sync_ok()
        a.sync_ok()
    b.sync_ok()

    assert platform.confirmed(community, lunch) == CAPACITY
    tentative = others_a + others_b
    made = [(a, x) for x in others_a] + [(b, x) for x in others_b]
    final = [(kiosk, kiosk.booking(x.id)) for kiosk, x in made]
    assert a.booking(first_a.id).status == b.booking(first_b.id).status == "confirmed"
    confirmed_here = [x for _, x in final if x.status == "confirmed"]
    losers = [(k, x) for k, x in final if x.status == "rejected"]
    assert len(confirmed_here) == CAPACITY - 2
    assert len(losers) == len(tentative) - len(confirmed_here) >= 1
    for kiosk, loser in losers:
        assert loser.reason == "full"
        assert state_key(loser) == "booking.state.rejected"
        assert reason_key(loser) == "reason.full"
        assert nearest_alternative(kiosk.store, loser, kiosk.clock.now()).id == dinner
        assert kiosk.meals.book(loser.elder_id, dinner, "pickup").status in (
            "confirmed", "tentative")
    for kiosk in (a, b):  # both kiosks agree with the platform about who got lunch
        kiosk.sync_ok()
        live = kiosk.store.query("SELECT id FROM bookings WHERE slot_id = ? "
                                 "AND status = 'confirmed'", (lunch,))
        assert sorted(r["id"] for r in live) == sorted(
            i for i, x in platform.bookings(community).items()
            if x["slot_id"] == lunch and x["status"] == "confirmed")
