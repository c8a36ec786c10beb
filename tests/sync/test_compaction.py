"""A compacted feed (protocol §5.1): a kiosk joining late pulls the community's current state
and reaches what a kiosk that followed the whole feed holds; a kiosk whose cursor fell below
the horizon pulls again from 0 and is right again."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from service_platform import catalogue, compaction
from service_platform.schema import changes
from tests.sync.conftest import SHANGHAI


def _state(kiosk) -> dict:
    """What a kiosk knows of the community, as the screens would read it."""
    return {
        "elders": sorted(tuple(r) for r in kiosk.store.query(
            "SELECT id, name, active FROM elders")),
        "bookings": sorted(tuple(r) for r in kiosk.store.query(
            "SELECT id, elder_id, slot_id, status FROM bookings")),
        "slots": sorted(r[0] for r in kiosk.store.query("SELECT id FROM slots")),
    }


def _feed_size(platform, community: str) -> int:
    with platform.db.read() as conn:
        return conn.execute(select(func.count()).select_from(changes).where(
            changes.c.community_id == community)).scalar_one()


def _rename(platform, community: str, elder: str, name: str) -> None:
    person = {"id": elder, "card_no": f"8{int(elder[-3:]):07d}", "name": name, "phone": "",
              "address": "", "subsidy_level": "basic", "delivery_allowed": True,
              "home_visit_allowed": False, "dietary": [], "active": True}
    platform.db.run_write(lambda conn: catalogue.put_elders(conn, community, [person]))


def _busy_community(platform, make_kiosk):
    """Two slots, bookings made, cancelled and made again, elders renamed after they booked:
    a feed with many superseded changes. Returns (community, soon, later, the kiosk that
    followed it all, a kiosk that stopped pulling half-way)."""
    community = platform.community(elders=12)
    soon, later = platform.slot(community, 30, days_ahead=1), \
        platform.slot(community, 30, days_ahead=60)
    follower = make_kiosk(platform.url, platform.enrolment_code(community))
    stopped = make_kiosk(platform.url, platform.enrolment_code(community))
    follower.sync_ok()
    stopped.sync_ok()
    made = [follower.book(f"elder-{n:03d}", slot) for n in range(1, 9) for slot in (soon, later)]
    follower.sync_ok()
    stopped.sync_ok()  # its cursor stays here from now on
    for booking in made[::3]:
        follower.meals.cancel(booking.id)
    follower.sync_ok()
    follower.book("elder-001", soon)  # booked again after cancelling
    for n in (2, 3, 4):
        _rename(platform, community, f"elder-{n:03d}", f"改名{n}")
    follower.sync_ok()
    return community, soon, later, follower, stopped


def test_a_kiosk_joining_a_compacted_feed_reaches_the_followers_state(platform, make_kiosk):
    community, _soon, _later, follower, stopped = _busy_community(platform, make_kiosk)
    before = _feed_size(platform, community)

    done = compaction.compact_all(platform.db)[community]

    assert done.superseded > 0 and done.retired == 0 and done.horizon == 0
    assert _feed_size(platform, community) == before - done.superseded
    newcomer = make_kiosk(platform.url, platform.enrolment_code(community))
    newcomer.engine.page_limit = 3  # bookings in other pages than their (renamed) elders
    newcomer.sync_ok()
    stopped.engine.page_limit = 3
    stopped.sync_ok()
    follower.sync_ok()
    assert _state(newcomer) == _state(follower) == _state(stopped)
    assert ("elder-002", "改名2", 1) in _state(newcomer)["elders"]


def test_a_kiosk_below_a_new_horizon_pulls_again_and_matches_a_newcomer(platform, make_kiosk):
    community, soon, later, follower, stopped = _busy_community(platform, make_kiosk)
    follower.book("elder-010", soon)
    follower.sync_ok()  # `stopped` never saw this booking of a slot that will be history
    in_45_days = dt.datetime.now(SHANGHAI) + dt.timedelta(days=45)

    done = compaction.compact_all(platform.db, now=in_45_days)[community]

    assert done.retired > 0 and done.horizon > int(stopped.store.get_state("pull_cursor"))
    again = stopped.sync_ok()
    assert stopped.store.get_state("pull_horizon") == str(done.horizon)
    newcomer = make_kiosk(platform.url, platform.enrolment_code(community))
    joined = newcomer.sync_ok()
    assert again.pulled == joined.pulled  # the community's current state, from 0
    follower.sync_ok()
    current = _state(newcomer)
    assert soon not in current["slots"] and later in current["slots"]
    assert not [b for b in current["bookings"] if b[2] == soon]  # history is not pulled

    def now_and_ahead(state: dict) -> dict:
        return {**state, "bookings": [b for b in state["bookings"] if b[2] != soon],
                "slots": [s for s in state["slots"] if s != soon]}
    assert now_and_ahead(_state(stopped)) == now_and_ahead(_state(follower)) == current
    stopped.sync_ok()  # its own new lease comes back once
    assert stopped.sync_ok().pulled == 0  # caught up, it does not pull it all again
