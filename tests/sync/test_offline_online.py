"""Offline → online against a real platform: nothing lost, nothing doubled, honest status."""
from __future__ import annotations

import logging
import os
import stat

from kiosk.i18n import Translator
from kiosk.sync.status import elder_line
from tests.sync.proxy import DROP, FORWARD, cut

T = Translator("zh_CN")
SYNCED = T("sync.all_confirmed")


def assert_honest(kiosk) -> None:
    """The status line never says "all confirmed" while anything waits."""
    status = kiosk.status()
    if status.pending or status.tentative:
        assert elder_line(status, T) != SYNCED


def test_first_sync_brings_the_community_and_keeps_the_token_private(platform, make_kiosk,
                                                                       caplog):
    caplog.set_level(logging.DEBUG)
    community = platform.community(elders=5)
    slot = platform.slot(community, capacity=10)
    kiosk = make_kiosk(platform.url, platform.enrolment_code(community))

    result = kiosk.sync_ok()

    assert result.pulled >= 7
    assert kiosk.store.query_one("SELECT COUNT(*) AS n FROM elders")["n"] == 5
    assert kiosk.store.query_one("SELECT id FROM slots WHERE service = 'meal'")["id"] == slot
    token_file = kiosk.settings.token_path
    assert stat.S_IMODE(os.stat(token_file).st_mode) == 0o600
    token = token_file.read_text()
    assert token.startswith("ek1_")
    assert token not in caplog.text
    dump = "\n".join(kiosk.store.conn.iterdump())
    assert token not in dump
    assert elder_line(kiosk.status(), T) == SYNCED


def test_bookings_made_offline_are_confirmed_exactly_once_after_reconnecting(
        platform, make_kiosk, make_proxy):
    community = platform.community(elders=5)
    slot = platform.slot(community, capacity=10, days_ahead=3)  # beyond the lease window
    proxy = make_proxy(platform)
    kiosk = make_kiosk(proxy.url, platform.enrolment_code(community), lease_days=1)
    kiosk.sync_ok()

    proxy.rule = lambda _request: DROP  # the network goes away
    made = [kiosk.book(f"elder-00{n}", slot) for n in (1, 2, 3)]
    assert [b.status for b in made] == ["tentative"] * 3
    result = kiosk.sync()
    assert not result.ok and result.error_key == "sync.error.offline"
    assert elder_line(kiosk.status(), T) == T("sync.offline_pending", count=3)
    assert_honest(kiosk)

    proxy.rule = lambda _request: FORWARD
    assert kiosk.sync_ok().applied == 3
    assert [kiosk.booking(b.id).status for b in made] == ["confirmed"] * 3
    assert elder_line(kiosk.status(), T) == SYNCED

    kiosk.sync_ok()  # and again: nothing happens twice
    on_platform = platform.bookings(community)
    assert sorted(on_platform) == sorted(b.id for b in made)
    assert {b["status"] for b in on_platform.values()} == {"confirmed"}
    assert platform.applied_ops(community) == 3


def test_a_lost_answer_after_the_platform_applied_a_batch_duplicates_nothing(
        platform, make_kiosk, make_proxy):
    community = platform.community(elders=6)
    slot = platform.slot(community, capacity=10, days_ahead=3)
    proxy = make_proxy(platform)
    kiosk = make_kiosk(proxy.url, platform.enrolment_code(community), lease_days=1)
    kiosk.sync_ok()
    made = [kiosk.book(f"elder-00{n}", slot) for n in range(1, 6)]

    pushes = []

    def lose_first_answers(request):
        if request.path != "/v1/push":
            return FORWARD
        pushes.append(request)
        # the whole answer lost, then an answer cut in the middle of its body
        return {1: cut(0), 2: cut(150)}.get(len(pushes), FORWARD)

    proxy.rule = lose_first_answers
    assert not kiosk.sync().ok
    assert len(platform.bookings(community)) == 5  # applied, though the kiosk never heard
    assert kiosk.pending() == 5
    assert_honest(kiosk)
    assert not kiosk.sync().ok
    assert kiosk.sync_ok().applied == 5

    assert len(pushes) == 3
    assert len(platform.bookings(community)) == 5
    assert platform.applied_ops(community) == 5
    assert [kiosk.booking(b.id).status for b in made] == ["confirmed"] * 5
    rows = kiosk.store.query("SELECT state, attempts FROM outbox")
    assert {r["state"] for r in rows} == {"applied"}
    assert {r["attempts"] for r in rows} == {3}
