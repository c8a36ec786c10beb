"""Staff PINs on a real SQLite file: each round of 5 wrong tries locks the name twice as long
as the round before (5, 10, 20 … minutes, at most 24 hours), and the next sign-in says how many
wrong tries there were since the last one."""
from __future__ import annotations

import pytest

from kiosk import staff
from kiosk.store import Store


@pytest.fixture
def desk(core):
    staff.seed_demo_staff(core.store, core.clock)
    return core


def wrong_round(store, clock, staff_id="staff-zhang") -> int:
    """Five wrong PINs; the lock's length in minutes."""
    for _ in range(staff.MAX_TRIES - 1):
        with pytest.raises(staff.WrongPin):
            staff.verify_pin(store, clock, staff_id, "0000")
    with pytest.raises(staff.StaffLocked) as locked:
        staff.verify_pin(store, clock, staff_id, "0000")
    return locked.value.params["minutes"]


def test_each_round_of_wrong_pins_locks_twice_as_long_up_to_a_day(desk, settings):
    minutes = []
    for _ in range(11):
        minutes.append(wrong_round(desk.store, desk.clock))
        desk.clock.advance(minutes=minutes[-1] - 1, seconds=59)
        with pytest.raises(staff.StaffLocked):  # not a second early, the right PIN neither
            staff.verify_pin(desk.store, desk.clock, "staff-zhang", "1234")
        desk.clock.advance(seconds=1)
    assert minutes == [5, 10, 20, 40, 80, 160, 320, 640, 1280, 1440, 1440]
    reopened = Store(settings.db_path)  # a restart forgets nothing
    assert wrong_round(reopened, desk.clock) == 1440
    reopened.close()


def test_the_next_sign_in_says_how_many_wrong_tries_since_the_last_one(desk):
    assert staff.verify_pin(desk.store, desk.clock, "staff-zhang", "1234").failed_tries == 0
    assert wrong_round(desk.store, desk.clock) == 5
    desk.clock.advance(minutes=5)
    for _ in range(2):
        with pytest.raises(staff.WrongPin):
            staff.verify_pin(desk.store, desk.clock, "staff-zhang", "9999")
    member = staff.verify_pin(desk.store, desk.clock, "staff-zhang", "1234")
    assert member.failed_tries == 7 and member == staff.StaffMember("staff-zhang", "张社工")
    assert staff.verify_pin(desk.store, desk.clock, "staff-zhang", "1234").failed_tries == 0
    # after a good sign-in the rounds start again at 5 minutes
    assert wrong_round(desk.store, desk.clock) == 5
    assert staff.verify_pin(desk.store, desk.clock, "staff-liu", "1234").failed_tries == 0


def test_a_lock_of_hours_is_said_in_hours(desk):
    for _ in range(5):
        minutes = wrong_round(desk.store, desk.clock)
        desk.clock.advance(minutes=minutes)
    assert wrong_round(desk.store, desk.clock) == 160
    with pytest.raises(staff.StaffLocked) as locked:
        staff.verify_pin(desk.store, desk.clock, "staff-zhang", "1234")
    assert locked.value.message_key == "staff.error.locked_hours"
    assert locked.value.params["hours"] == 3  # 2 h 40 min: "in 3 hours"
    text = desk.text(locked.value.message_key, **locked.value.params)
    assert "3" in text and "{" not in text
