"""What lets one platform serve a district: lease calls that change nothing write nothing,
a pushed batch keeps every guarantee when one of its operations fails."""
from __future__ import annotations

from sqlalchemy import func, select, text

from service_platform.schema import changes, leases, meal_slots
from tests.platform.wire import booking_op


def _written(platform, community: str) -> tuple:
    """What a lease call that writes would change: the feed, the leases, and (PostgreSQL) the
    slot rows' last locker (`xmax`, set by SELECT … FOR UPDATE even when nothing else is)."""
    with platform.db.read() as conn:
        feed = conn.execute(select(func.count()).select_from(changes).where(
            changes.c.community_id == community)).scalar_one()
        rows = conn.execute(select(leases).where(leases.c.community_id == community)
                            .order_by(leases.c.id)).all()
        lockers = None
        if conn.dialect.name == "postgresql":
            lockers = conn.execute(select(meal_slots.c.id, text("meal_slots.xmax")).where(
                meal_slots.c.community_id == community)).all()
    return feed, [tuple(row) for row in rows], lockers


def test_a_lease_call_that_changes_nothing_writes_nothing(platform):
    community = platform.community(elders=5)
    slots = [platform.slot(community, capacity=20) for _ in range(3)]
    full = platform.slot(community, capacity=1)
    kiosk = platform.kiosk(community)
    assert kiosk.push(booking_op("elder-001", full))[0]["status"] == "applied"  # no share left
    first = kiosk.leases(want=[{"slot_id": s} for s in [*slots, full]])
    before = _written(platform, community)

    again = kiosk.leases(want=[{"slot_id": s} for s in [*slots, full]],
                         returns=[{"lease_id": "00000000-0000-4000-8000-000000000000",
                                   "used": 0}])

    assert _written(platform, community) == before
    assert again["leases"] == first["leases"]
    assert again["returned"] == [{"lease_id": "00000000-0000-4000-8000-000000000000",
                                  "status": "unknown", "used": None}]


def test_a_lease_call_that_returns_or_grants_still_writes(platform):
    community = platform.community(elders=5)
    slot, other = platform.slot(community, capacity=20), platform.slot(community, capacity=20)
    kiosk = platform.kiosk(community)
    lease = kiosk.leases(want=[{"slot_id": slot}])["leases"][0]
    before = _written(platform, community)

    answer = kiosk.leases(want=[{"slot_id": other}],
                          returns=[{"lease_id": lease["lease_id"], "used": 0}])

    assert answer["returned"][0]["status"] == "returned"
    assert [x["slot_id"] for x in answer["leases"]] == [other]
    assert _written(platform, community) != before
