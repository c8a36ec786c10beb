"""Meal booking rules against a real SQLite file: cut-off, duplicates, capacity, profile, outbox."""
from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import textwrap

import pytest

from kiosk.bookings import booking_number, bookings_of
from kiosk.elders import find_by_card
from kiosk.errors import BookingRejected
from kiosk.meals import booking_days, slot_id
from kiosk.slots import SlotState
from kiosk.store import Store

TUESDAY = dt.date(2026, 11, 24)
LUNCH = slot_id(TUESDAY, "lunch")
DINNER = slot_id(TUESDAY, "dinner")
WANG = "10000001"  # 王秀英: basic subsidy, no delivery
LI = "10000002"  # 李建国: enhanced subsidy, delivery allowed


def outbox_rows(store):
    return store.query("SELECT op_type, payload, state FROM outbox ORDER BY seq")


def test_a_booking_is_written_with_its_outbox_operation(core):
    wang = find_by_card(core.store, WANG)
    booking = core.meals.book(wang.id, LUNCH, "pickup")
    assert booking.status == "tentative"
    assert (booking.price_cents, booking.subsidy_cents, booking.pay_cents) == (1500, 300, 1200)
    rows = outbox_rows(core.store)
    assert len(rows) == 1
    assert rows[0]["op_type"] == "booking.create" and rows[0]["state"] == "pending"
    payload = json.loads(rows[0]["payload"])
    assert payload["id"] == booking.id and payload["slot_id"] == LUNCH
    assert bookings_of(core.store, wang.id) == [booking]


def test_lunch_closes_at_its_cutoff(core, clock):
    wang = find_by_card(core.store, WANG)
    clock.set("2026-11-24T09:29:59")
    core.meals.book(wang.id, LUNCH, "dine_in")
    li = find_by_card(core.store, LI)
    clock.set("2026-11-24T09:30:00")
    with pytest.raises(BookingRejected) as rejected:
        core.meals.book(li.id, LUNCH, "dine_in")
    assert rejected.value.reason == "closed"
    # Dinner the same day is still open until 15:00.
    core.meals.book(li.id, DINNER, "delivery")
    clock.set("2026-11-24T15:00:00")
    with pytest.raises(BookingRejected, match="closed"):
        core.meals.book(wang.id, DINNER, "pickup")


def test_the_same_meal_cannot_be_booked_twice(core):
    wang = find_by_card(core.store, WANG)
    core.meals.book(wang.id, LUNCH, "pickup")
    with pytest.raises(BookingRejected) as rejected:
        core.meals.book(wang.id, LUNCH, "dine_in")
    assert rejected.value.reason == "duplicate"
    assert len(outbox_rows(core.store)) == 1


def test_the_database_itself_refuses_a_second_live_booking(core):
    wang = find_by_card(core.store, WANG)
    first = core.meals.book(wang.id, LUNCH, "pickup")
    row = dict(core.store.query_one("SELECT * FROM bookings WHERE id = ?", (first.id,)))
    row["id"] = "another-id"
    with pytest.raises(Exception, match="UNIQUE"), core.store.transaction() as conn:
        conn.execute(f"INSERT INTO bookings ({', '.join(row)}) VALUES "
                     f"({', '.join('?' * len(row))})", tuple(row.values()))


def test_a_meal_is_full_at_its_capacity(core):
    core.store.conn.execute("UPDATE slots SET capacity = 2 WHERE id = ?", (LUNCH,))
    elders = core.store.query("SELECT card_no FROM elders WHERE active = 1 LIMIT 3")
    people = [find_by_card(core.store, r["card_no"]) for r in elders]
    core.meals.book(people[0].id, LUNCH, "dine_in")
    core.meals.book(people[1].id, LUNCH, "dine_in")
    with pytest.raises(BookingRejected, match="full"):
        core.meals.book(people[2].id, LUNCH, "dine_in")
    views = booking_days(core.store, people[2].id, core.clock.now(), 7)
    assert views[0].slots[0].state is SlotState.FULL


def test_a_cancelled_booking_frees_its_place_and_allows_booking_again(core):
    wang = find_by_card(core.store, WANG)
    first = core.meals.book(wang.id, LUNCH, "pickup")
    core.store.conn.execute("UPDATE bookings SET status = 'cancelled' WHERE id = ?", (first.id,))
    again = core.meals.book(wang.id, LUNCH, "pickup")
    assert again.id != first.id


def test_delivery_only_for_elders_whose_profile_allows_it(core):
    wang = find_by_card(core.store, WANG)
    with pytest.raises(BookingRejected, match="mode_not_allowed"):
        core.meals.book(wang.id, LUNCH, "delivery")
    li = find_by_card(core.store, LI)
    booking = core.meals.book(li.id, LUNCH, "delivery")
    assert (booking.subsidy_cents, booking.pay_cents) == (600, 900)


def test_an_unknown_mode_or_slot_is_refused(core):
    wang = find_by_card(core.store, WANG)
    with pytest.raises(BookingRejected, match="mode_not_allowed"):
        core.meals.book(wang.id, LUNCH, "helicopter")
    with pytest.raises(BookingRejected, match="unknown_slot"):
        core.meals.book(wang.id, "meal:1999-01-01:lunch", "pickup")
    assert outbox_rows(core.store) == []


def test_an_inactive_elder_cannot_book(core):
    inactive = core.store.query_one("SELECT id FROM elders WHERE active = 0")
    with pytest.raises(BookingRejected, match="elder_inactive"):
        core.meals.book(inactive["id"], LUNCH, "pickup")


def test_days_show_what_is_still_open(core, clock):
    wang = find_by_card(core.store, WANG)
    clock.set("2026-11-24T16:00:00")  # both of today's meals are past their cut-off
    days = booking_days(core.store, wang.id, clock.now(), 7)
    assert [d.day for d in days] == [TUESDAY + dt.timedelta(n) for n in range(7)]
    assert not days[0].open and all(d.open for d in days[1:])
    assert [v.state for v in days[0].slots] == [SlotState.CLOSED, SlotState.CLOSED]


def test_booking_numbers_are_short_and_stable():
    number = booking_number("b6df5e86-4890-4bce-935c-ddbda5be8b38")
    assert number == booking_number("b6df5e86-4890-4bce-935c-ddbda5be8b38")
    assert len(number) == 9 and number[4] == "-"


def test_a_booking_survives_the_process_being_killed_right_after_it(settings, core):
    """The process is killed (no clean shutdown) the instant book() returns."""
    script = textwrap.dedent(f"""
        import os
        from kiosk.clock import FixedClock
        from kiosk.config import load_settings
        from kiosk.core import Kiosk
        from kiosk.elders import find_by_card
        from pathlib import Path
        settings = load_settings(Path("{settings.data_dir}/none.toml"),
                                 data_dir="{settings.data_dir}")
        core = Kiosk(settings, clock=FixedClock("2026-11-24T08:00:00"))
        booking = core.meals.book(find_by_card(core.store, "{LI}").id, "{LUNCH}", "pickup")
        print(booking.id, flush=True)
        os._exit(9)
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 9, result.stderr
    booking_id = result.stdout.strip()
    reopened = Store(settings.db_path)
    assert reopened.query_one("SELECT status FROM bookings WHERE id = ?",
                              (booking_id,))["status"] == "tentative"
    ops = [json.loads(r["payload"])["id"] for r in reopened.query("SELECT payload FROM outbox")]
    assert ops == [booking_id]
    reopened.close()
