"""While a call asked at this kiosk waits to be taken, the kiosk syncs every few seconds, so the
elder hears soon that someone is coming; once it is taken, the usual interval again."""
from __future__ import annotations

import datetime as dt

from kiosk import help
from kiosk.help import HelpDesk
from kiosk.sync.worker import SyncWorker
from service_platform import clock as platform_clock
from service_platform import help_requests
from service_platform.help_requests import Actor


def test_a_waiting_call_shortens_the_wait_between_cycles(platform, make_kiosk):
    community = platform.community()
    kiosk = make_kiosk(platform.url, platform.enrolment_code(community))
    worker = SyncWorker(kiosk.settings, kiosk.clock)
    assert kiosk.sync_ok().help_waiting is False
    assert worker._next_wait(kiosk.sync_ok()) == (30.0, 0.0)

    call = HelpDesk(kiosk.store, kiosk.clock).ask("elder-001")
    result = kiosk.sync_ok()
    assert result.help_waiting is True
    assert worker._next_wait(result) == (help.WAITING_POLL_S, 0.0)

    platform.db.run_write(lambda conn: help_requests.advance(
        conn, community, call.id, "acknowledged", Actor("op-1", "小刘", operator=True),
        platform_clock.now()))
    result = kiosk.sync_ok()  # pulls the answer: nothing waits any more
    assert result.help_waiting is False
    assert worker._next_wait(result) == (30.0, 0.0)


def test_a_call_counts_as_waiting_for_an_hour_not_longer(platform, make_kiosk):
    community = platform.community()
    kiosk = make_kiosk(platform.url, platform.enrolment_code(community))
    call = HelpDesk(kiosk.store, kiosk.clock).ask(None)
    asked = dt.datetime.fromisoformat(call.created_at)
    inside = asked + help.WAITING_FOR - dt.timedelta(seconds=1)
    after = asked + help.WAITING_FOR + dt.timedelta(seconds=1)
    assert help.waiting_for_staff(kiosk.store.conn, inside) is True
    assert help.waiting_for_staff(kiosk.store.conn, after) is False
