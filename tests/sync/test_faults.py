"""500s, 429s, garbage and cut answers: backoff with full jitter, Retry-After, nothing lost."""
from __future__ import annotations

import queue

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.i18n import Translator
from kiosk.sync.backoff import Backoff
from kiosk.sync.engine import SyncEngine
from kiosk.sync.enrolment import parse_code
from kiosk.sync.status import SyncStatus, elder_line, staff_figures, staff_lines
from kiosk.sync.worker import SyncWorker
from tests.sync.proxy import FORWARD, cut, cut_headers, respond

T = Translator("zh_CN")
DEADLINE = 30.0

FAULTS = {
    "500": respond(500, b'{"error": {"code": "internal", "message": "", "details": []}}'),
    "503 retry-after": respond(503, b"{}", {"Retry-After": "7"}),
    "429": respond(429, b"slow down", {"Retry-After": "3"}),
    "garbage": respond(200, b"<html>captive portal</html>"),
    "wrong shape": respond(200, b'{"results": "yes"}'),
    "cut": cut(20),
}


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_a_faulty_answer_loses_nothing_and_is_retried(platform, make_kiosk, make_proxy, fault):
    community = platform.community(elders=3)
    slot = platform.slot(community, capacity=10, days_ahead=3)
    proxy = make_proxy(platform)
    kiosk = make_kiosk(proxy.url, platform.enrolment_code(community), lease_days=1)
    kiosk.sync_ok()
    made = [kiosk.book(f"elder-00{n}", slot) for n in (1, 2)]
    proxy.rule = lambda request: FAULTS[fault] if request.path == "/v1/push" else FORWARD

    result = kiosk.sync()

    assert not result.ok and not result.stopped
    if "retry-after" in fault or fault == "429":
        assert result.retry_after == (7 if "503" in fault else 3)
    assert kiosk.status().tentative == 2 and elder_line(kiosk.status(), T) != T(
        "sync.all_confirmed")
    proxy.rule = lambda _request: FORWARD
    kiosk.sync_ok()
    assert [kiosk.booking(b.id).status for b in made] == ["confirmed", "confirmed"]
    assert len(platform.bookings(community)) == 2


HEADER_CUTS = {"after the status line": cut(17), "in the date": cut(20),
               "in the last header": cut_headers(5), "before the blank line": cut_headers(0)}


@pytest.mark.parametrize("where", sorted(HEADER_CUTS))
def test_an_answer_cut_inside_its_headers_is_offline_will_retry(platform, make_kiosk,
                                                                make_proxy, where):
    """A connection lost mid-answer is the network, not a platform speaking nonsense."""
    community = platform.community(elders=2)
    slot = platform.slot(community, capacity=10, days_ahead=3)
    proxy = make_proxy(platform)
    kiosk = make_kiosk(proxy.url, platform.enrolment_code(community), lease_days=1)
    kiosk.sync_ok()
    booking = kiosk.book("elder-001", slot)
    proxy.rule = lambda request: HEADER_CUTS[where] if request.path == "/v1/push" else FORWARD

    result = kiosk.sync()

    assert (result.ok, result.stopped, result.error_key) == (False, False, "sync.error.offline")
    assert T("sync.staff.last_error", error=T("sync.error.offline")) in staff_lines(
        kiosk.status(), T, kiosk.clock.now())
    proxy.rule = lambda _request: FORWARD
    kiosk.sync_ok()
    assert kiosk.booking(booking.id).status == "confirmed"
    assert len(platform.bookings(community)) == 1


def test_backoff_is_full_jitter_capped_and_honours_retry_after():
    top = Backoff(base_s=2, cap_s=60, rand=lambda: 0.999999)
    assert [round(top.next_delay()) for _ in range(7)] == [2, 4, 8, 16, 32, 60, 60]
    low = Backoff(base_s=2, cap_s=60, rand=lambda: 0.0)
    assert low.next_delay() == 0.0
    assert low.next_delay(retry_after=7) == 7
    assert low.next_delay(retry_after=10_000) == 60
    low.reset()
    assert low.failures == 0


def test_the_worker_backs_off_then_syncs_at_once_when_nudged(platform, make_kiosk, make_proxy):
    community = platform.community(elders=3)
    slot = platform.slot(community, capacity=10, days_ahead=3)
    proxy = make_proxy(platform)
    kiosk = make_kiosk(proxy.url, platform.enrolment_code(community), lease_days=1,
                       sync_interval_s=3600)
    kiosk.sync_ok()
    booking = kiosk.book("elder-001", slot)
    proxy.rule = lambda _request: FAULTS["500"]
    events: queue.Queue = queue.Queue()
    worker = SyncWorker(kiosk.settings, kiosk.clock,
                        engine_factory=lambda: SyncEngine(kiosk.settings, kiosk.clock),
                        backoff=Backoff(base_s=0.01, cap_s=0.05, rand=lambda: 1.0))
    worker.add_listener(events.put)
    worker.start()
    try:
        failures = [next_finished(events) for _ in range(3)]  # retried on its own, backing off
        assert [e.result.ok for e in failures] == [False] * 3
        assert failures[0].next_in_s < failures[2].next_in_s <= 0.05
        assert all(e.status.tentative == 1 for e in failures)
        proxy.rule = lambda _request: FORWARD
        done = next_finished(events, until=lambda e: e.result.ok)
        assert done.next_in_s == 3600 and done.status.all_done
        assert kiosk.booking(booking.id).status == "confirmed"

        second = kiosk.book("elder-002", slot)
        worker.nudge()  # the elder just booked: sync now, not in an hour
        done = next_finished(events, until=lambda e: e.result.applied == 1)
        assert kiosk.booking(second.id).status == "confirmed"
    finally:
        worker.stop()
    assert not worker.running


def next_finished(events: queue.Queue, until=lambda _e: True):
    while True:
        event = events.get(timeout=DEADLINE)
        if event.kind == "finished" and until(event):
            return event


def test_enrolment_accepts_the_qr_text_and_a_sloppy_typed_code():
    qr = '{"v": 1, "platform": "http://127.0.0.1:8700", "code": "K7QM-3XPA-9RTD"}'
    assert parse_code(qr).code == "K7QM-3XPA-9RTD"
    assert parse_code(qr).platform_url == "http://127.0.0.1:8700"
    assert parse_code(" k7qm 3xpa-9rtd ").code == "K7QM-3XPA-9RTD"


def test_a_qr_enrolment_gets_a_working_token(platform, make_kiosk):
    community = platform.community(elders=2)
    code = platform.enrolment_code(community)
    qr = f'{{"v": 1, "platform": "{platform.url}", "code": "{code.lower()}"}}'
    kiosk = make_kiosk("", qr)
    kiosk.sync_ok()
    assert kiosk.store.get_state("community_id") == community
    assert kiosk.store.get_state("platform_url") == platform.url


@given(pending=st.integers(0, 5), tentative=st.integers(0, 5), failed=st.integers(0, 2),
       synced=st.booleans(), error=st.sampled_from(["", "sync.error.offline", "sync.error.busy"]),
       stopped=st.booleans())
def test_the_status_line_never_says_synced_while_anything_is_pending(
        pending, tentative, failed, synced, error, stopped):
    import datetime as dt
    status = SyncStatus(True, pending, tentative, failed,
                        dt.datetime(2026, 11, 24, 10, tzinfo=dt.UTC) if synced else None,
                        error, stopped, None)
    line = elder_line(status, T)
    if pending or tentative or error or stopped or not synced:
        assert line != T("sync.all_confirmed")
    for language in ("zh_CN", "en"):
        assert "{" not in elder_line(status, Translator(language))


def test_staff_see_precise_figures_and_a_skewed_clock():
    import datetime as dt
    now = dt.datetime(2026, 11, 24, 10, 42, tzinfo=dt.UTC)
    status = SyncStatus(True, 3, 2, 1, now - dt.timedelta(minutes=5), "sync.error.offline",
                        False, -412.4)
    lines = staff_lines(status, T, now)
    assert lines == [T("sync.staff.pending", count=3, tentative=2),
                     T("sync.staff.last_success", time="10:37"),
                     T("sync.staff.last_error", error=T("sync.error.offline")),
                     T("sync.staff.failed", count=1),
                     T("sync.staff.skew", seconds=412)]
    assert staff_figures(status)["clock_skew_too_large"] is True
    assert not SyncStatus(True, 0, 0, 0, now, "", False, 299.0).skew_too_large
