"""Pulling the change feed: pages in seq order, a cursor to resume from, a first full sync."""
from __future__ import annotations

import requests

from elder_wire.catalogue import STANDARD
from service_platform import demo
from tests.platform.wire import booking_op, latest

DEMO = "community-xingfu"


def _busy_community(platform):
    community = platform.community(elders=12)
    slot = platform.slot(community, capacity=20)
    kiosk = platform.kiosk(community)
    kiosk.push(*(booking_op(f"elder-{n:03d}", slot) for n in range(1, 10)))
    return kiosk


def test_pages_add_up_to_the_whole_feed(platform):
    kiosk = _busy_community(platform)
    whole, last = kiosk.pull_all(limit=1000)
    paged, paged_last = kiosk.pull_all(limit=4)
    assert paged == whole and paged_last == last == whole[-1]["seq"]
    seqs = [c["seq"] for c in whole]
    assert seqs == sorted(set(seqs))
    assert len(whole) == len(STANDARD) + 12 + 1 + 9  # the catalogue, elders, slot, bookings


def test_pull_resumes_from_a_saved_cursor(platform):
    kiosk = _busy_community(platform)
    whole, _ = kiosk.pull_all()
    first = kiosk.get("/v1/changes", since=0, limit=5).json()
    assert first["more"] is True and first["next"] == whole[4]["seq"]
    rest, _ = kiosk.pull_all(since=first["next"], limit=3)
    assert first["changes"] + rest == whole
    end = kiosk.get("/v1/changes", since=whole[-1]["seq"]).json()
    assert end["changes"] == [] and end["more"] is False and end["next"] == whole[-1]["seq"]


def test_a_pull_at_the_head_gets_nothing_then_what_came_after(platform):
    community = platform.community(elders=3)
    slot = platform.slot(community, capacity=5)
    kiosk, other = platform.kiosk(community), platform.kiosk(community)
    _, head = kiosk.pull_all()
    idle = kiosk.get("/v1/changes", since=head).json()
    assert idle["changes"] == [] and idle["more"] is False and idle["next"] == head
    [result] = other.push(booking_op("elder-001", slot))
    after = kiosk.get("/v1/changes", since=head).json()
    assert [(c["kind"], c["id"]) for c in after["changes"]] == [
        ("booking", result["data"]["booking_id"])]
    assert after["next"] == head + 1 and after["more"] is False


def test_a_query_not_in_plain_digits_is_answered_the_same(platform):
    """Plain `since` and `limit` are read before the framework (kiosk_calls.py); any other
    query goes on to it, with the same answer."""
    kiosk = _busy_community(platform)

    def page(query: str) -> dict:
        answer = requests.get(f"{platform.base_url}/v1/changes?{query}", headers=kiosk.headers,
                              timeout=30)
        assert answer.status_code == 200, (query, answer.text)
        return {k: v for k, v in answer.json().items() if k != "server_time"}

    plain = page("since=3&limit=4")
    assert [c["seq"] for c in plain["changes"]] == [4, 5, 6, 7]
    for query in ("since=%33&limit=4", "limit=4&since=3&other=1", "since=003&limit=04"):
        assert page(query) == plain, query
    for query in ("limit=0", "limit=1001", "since=-1", "since=x"):
        answer = requests.get(f"{platform.base_url}/v1/changes?{query}", headers=kiosk.headers,
                              timeout=30)
        assert answer.status_code == 422, (query, answer.text)


def test_first_sync_of_the_demo_community(platform):
    kiosk = platform.kiosk(DEMO)
    changes, _ = kiosk.pull_all(limit=1000)
    kinds: dict[str, set] = {}
    for change in changes:
        kinds.setdefault(change["kind"], set()).add(change["id"])
    assert len(kinds["elder"]) == 50
    assert kinds["subsidy_level"] == {"none", "basic", "enhanced", "special"}
    assert len(kinds["meal_slot"]) == 28 + 1  # two weeks, and yesterday's lunch eaten
    assert kinds["service"] == {entry.key for entry in STANDARD}
    # that lunch, completed: to rate (assets/demo); a calligraphy class full and two waiting
    bookings = latest(changes, "booking")
    assert len(bookings) == 1 + 12 + demo.WAITING
    waiting = sorted((b["waitlist_position"], b["slot_id"]) for b in bookings.values()
                     if b["status"] == "waitlisted")
    full = waiting[0][1]
    assert waiting == [(1, full), (2, full)]
    assert sum(b["slot_id"] == full and b["status"] == "confirmed"
               for b in bookings.values()) == 12
    session = latest(changes, "service_slot")[full]
    assert (session["title"], session["place"], session["capacity"]) == ("书法", "二楼书画室", 12)
    elder = next(c["data"] for c in changes if c["id"] == "elder-0001")
    assert set(elder) == {"id", "card_no", "name", "phone", "address", "subsidy_level",
                          "delivery_allowed", "home_visit_allowed", "dietary", "mobility",
                          "emergency_contact", "notify_family", "active"}
    slot = next(c["data"] for c in changes if c["kind"] == "meal_slot")
    assert set(slot) == {"id", "day", "meal", "cutoff", "capacity", "price_cents", "menu"}
    assert kinds["provider"] == {"provider-sunshine", "provider-xingfu-station",
                                 "provider-xingfu-canteen", "provider-xingfu-activities",
                                 "provider-sunshine-volunteers"}
    assert kinds["staff"] == {"staff-zhang", "staff-liu"}
    by_service: dict[str, int] = {}
    for change in changes:
        if change["kind"] == "service_slot":
            by_service[change["data"]["service"]] = by_service.get(
                change["data"]["service"], 0) + 1
    assert by_service["cleaning"] == 28  # 14 days, am and pm
    assert {"clinic", "home_visit", "health_check"} <= set(by_service)
    assert by_service["visit"] == 2 * 12  # am and pm, Monday to Saturday of two weeks
    titles = {change["data"]["title"] for change in changes
              if change["kind"] == "service_slot" and change["data"]["service"] == "activity"}
    assert titles == {"书法", "合唱", "棋牌", "健康讲座"}



def test_bad_cursors(platform):
    kiosk = _busy_community(platform)
    _, last = kiosk.pull_all()
    for params in ({"since": -1}, {"limit": 0}, {"limit": 1001}, {"since": "x"}):
        answer = kiosk.get("/v1/changes", **params)
        assert answer.status_code == 422, params
    ahead = kiosk.get("/v1/changes", since=last + 10_000)
    assert ahead.status_code == 409 and ahead.json()["error"]["code"] == "cursor_ahead"
