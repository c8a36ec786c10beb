"""Core rules sync relies on, without a platform: schema upgrade, leases, alternatives."""
from __future__ import annotations

import datetime as dt
import json
import sqlite3

import pytest

from kiosk.alternatives import nearest_alternative, reason_key, state_key
from kiosk.bookings import Booking
from kiosk.errors import BookingRejected
from kiosk.migrations import MIGRATIONS
from kiosk.store import Store
from kiosk.sync.escrow import start_returns

TOMORROW = "2026-11-25"


def add_lease(store, slot_id, places, lease_id="11111111-1111-4111-8111-111111111111",
              expires="2026-11-25T09:30:00+08:00"):
    with store.transaction() as conn:
        conn.execute("INSERT INTO leases (lease_id, slot_id, places, state, granted_at, "
                     "expires_at, updated_at) VALUES (?, ?, ?, 'active', "
                     "'2026-11-24T00:00:00+00:00', ?, '')", (lease_id, slot_id, places, expires))
    return lease_id


def test_a_version_1_database_upgrades_keeping_its_outbox(tmp_path):
    path = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(path)
    conn.executescript(MIGRATIONS[0] + "; PRAGMA user_version = 1;")
    conn.execute("INSERT INTO outbox (op_id, op_type, payload, created_at) "
                 "VALUES ('a', 'booking.create', '{}', '2026-11-24T08:00:00+08:00')")
    conn.commit()
    conn.close()
    store = Store(path)
    try:
        assert store.schema_version == len(MIGRATIONS)
        row = store.query_one("SELECT seq, op_id, state FROM outbox")
        assert tuple(row) == (1, "a", "pending")
        with store.transaction() as c:
            c.execute("UPDATE outbox SET state = 'failed'")
            c.execute("INSERT INTO outbox (op_id, op_type, payload, created_at) "
                      "VALUES ('b', 'x', '{}', '')")
        assert store.query_one("SELECT seq FROM outbox WHERE op_id = 'b'")["seq"] == 2
    finally:
        store.close()


def test_a_booking_within_a_lease_is_confirmed_at_once_and_never_beyond_it(core):
    slot = f"meal:{TOMORROW}:lunch"
    lease = add_lease(core.store, slot, places=2)
    made = [core.meals.book(f"elder-000{n}", slot, "pickup") for n in (1, 2, 3)]
    assert [b.status for b in made] == ["confirmed", "confirmed", "tentative"]
    payloads = [json.loads(r["payload"]) for r in core.store.query(
        "SELECT payload FROM outbox ORDER BY seq")]
    assert [p.get("lease_id") for p in payloads] == [lease, lease, None]
    # Past the lease's expiry (the cut-off) it is not used any more.
    core.clock.set("2026-11-25T09:30:00")
    with pytest.raises(BookingRejected):
        core.meals.book("elder-0004", slot, "pickup")


def test_a_lease_is_used_even_when_the_local_count_looks_full(core):
    slot = f"meal:{TOMORROW}:dinner"
    core.store.conn.execute("UPDATE slots SET capacity = 1 WHERE id = ?", (slot,))
    core.meals.book("elder-0001", slot, "pickup")  # tentative: the count is now at capacity
    with pytest.raises(BookingRejected, match="full"):
        core.meals.book("elder-0002", slot, "pickup")
    add_lease(core.store, slot, places=1)
    assert core.meals.book("elder-0002", slot, "pickup").status == "confirmed"


def test_returning_a_lease_counts_its_bookings_and_stops_its_use(core):
    slot = f"meal:{TOMORROW}:lunch"
    lease = add_lease(core.store, slot, places=1)
    core.meals.book("elder-0001", slot, "pickup")
    returns = start_returns(core.store, core.clock.now(), refresh_after_s=300)
    assert returns == [{"lease_id": lease, "used": 1}]
    assert core.meals.book("elder-0002", slot, "pickup").status == "tentative"


def rejected(core, slot_id: str) -> Booking:
    booking = core.meals.book("elder-0001", slot_id, "pickup")
    core.store.conn.execute("UPDATE bookings SET status = 'rejected', reason = 'full' "
                            "WHERE id = ?", (booking.id,))
    return Booking.from_row(core.store.query_one("SELECT * FROM bookings WHERE id = ?",
                                                 (booking.id,)))


def test_the_nearest_alternative_is_the_other_meal_that_day_then_the_next_day(core):
    lost = rejected(core, f"meal:{TOMORROW}:lunch")
    assert state_key(lost) == "booking.state.rejected" and reason_key(lost) == "reason.full"
    now = core.clock.now()
    assert nearest_alternative(core.store, lost, now).id == f"meal:{TOMORROW}:dinner"
    core.store.conn.execute("UPDATE slots SET capacity = 0 WHERE id = ?",
                            (f"meal:{TOMORROW}:dinner",))
    assert nearest_alternative(core.store, lost, now).id == "meal:2026-11-26:lunch"


def test_an_alternative_is_never_closed_or_already_booked(core):
    lost = rejected(core, "meal:2026-11-24:dinner")  # today's lunch closes at 09:30
    core.clock.set("2026-11-24T10:00:00")
    core.meals.book("elder-0001", f"meal:{TOMORROW}:lunch", "pickup")
    choice = nearest_alternative(core.store, lost, core.clock.now())
    assert choice.id == f"meal:{TOMORROW}:dinner"
    assert choice.day == dt.date(2026, 11, 25)
