"""Enrolling into another community starts the store afresh; demo data never reaches a real
platform, and records not yet sent to a real one are never dropped."""
from __future__ import annotations

import pytest

from kiosk import outbox
from kiosk.demo import DEMO_COMMUNITY_KEY
from kiosk.elders import find_by_card
from kiosk.sync.enrolment import Enrolment, Grant, keep_enrolment
from kiosk.sync.errors import UnsentElsewhere

TOMORROW_LUNCH = "meal:2026-11-25:lunch"


def grant(community: str, platform_id: str = "platform-district", kiosk: str = "kiosk-1") -> Grant:
    return Grant(Enrolment(kiosk, "大厅", community, "社区", "https://platform.example.org"),
                 token="t0ken", platform_id=platform_id)


def rows(store, table: str) -> int:
    return store.query_one(f"SELECT COUNT(*) AS n FROM {table}")["n"]  # noqa: S608


def unsent(store) -> int:
    with store.transaction() as conn:
        return outbox.pending_count(conn)


def test_demo_data_is_left_behind_for_a_real_community(core, settings):
    core.meals.book("elder-0001", TOMORROW_LUNCH, "pickup")  # a demo booking, never sent
    assert core.store.get_state(DEMO_COMMUNITY_KEY) and unsent(core.store) == 1
    keep_enrolment(core.store, settings.token_path, grant("community-real"))
    for table in ("elders", "bookings", "slots", "services", "providers", "outbox"):
        assert rows(core.store, table) == 0, table
    assert not core.store.get_state(DEMO_COMMUNITY_KEY)
    assert core.store.get_state("community_id") == "community-real"
    assert settings.token_path.read_text() == "t0ken"


def test_the_demo_platform_of_the_seeded_community_keeps_the_local_demo(core, settings):
    demo = core.store.get_state(DEMO_COMMUNITY_KEY)
    core.meals.book("elder-0001", TOMORROW_LUNCH, "pickup")
    keep_enrolment(core.store, settings.token_path, grant(demo, platform_id="demo-platform"))
    assert find_by_card(core.store, "10000001") and unsent(core.store) == 1


def test_the_same_community_again_keeps_everything(core, settings):
    keep_enrolment(core.store, settings.token_path, grant("community-real"))
    core.store.set_state("sync_cursor", "41")
    with core.store.transaction() as conn:
        outbox.enqueue(conn, "help.create", {"id": "help-1", "elder_id": None, "kind": "help"},
                       core.clock.now().isoformat())
    keep_enrolment(core.store, settings.token_path, grant("community-real", kiosk="kiosk-2"))
    assert core.store.get_state("sync_cursor") == "41" and unsent(core.store) == 1
    assert core.store.get_state("kiosk_id") == "kiosk-2"


def test_records_unsent_to_a_real_platform_stop_a_move_and_nothing_changes(core, settings):
    keep_enrolment(core.store, settings.token_path, grant("community-real"))  # leaves the demo
    core.store.set_state("platform_url", "https://platform.example.org")
    with core.store.transaction() as conn:  # a real record waiting to go
        outbox.enqueue(conn, "help.create", {"id": "help-1", "elder_id": None, "kind": "help"},
                       core.clock.now().isoformat())
    with pytest.raises(UnsentElsewhere) as refused:
        keep_enrolment(core.store, settings.token_path, grant("community-other", kiosk="k-9"))
    assert refused.value.params == {"count": 1}
    assert unsent(core.store) == 1 and core.store.get_state("community_id") == "community-real"
    assert core.store.get_state("kiosk_id") == "kiosk-1"
