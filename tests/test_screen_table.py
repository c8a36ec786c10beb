"""The one screen table (kiosk/screens.py) holds together, and the flow walks it."""
from __future__ import annotations

import pytest

from kiosk import flow
from kiosk.screens import AUDIENCES, ELDER, HOME, PUBLIC, SCREENS, STAFF, STAFF_SIGN_IN


@pytest.mark.parametrize("name", SCREENS)
def test_every_row_is_well_formed_and_every_next_screen_exists(name):
    row = SCREENS[name]
    assert row.name == name and row.who in AUDIENCES
    module, _, cls = row.cls.partition(":")
    assert module.startswith("ui.") and cls.endswith("Screen")
    for answer, following in row.next.items():
        assert answer and following in SCREENS, f"{name} --{answer}--> {following}?"


def test_every_screen_but_help_is_reached_by_some_answer():
    reached = {following for row in SCREENS.values() for following in row.next.values()}
    assert set(SCREENS) - reached == {"help"}  # 求助 is on every screen


def test_who_may_see_what():
    assert flow.may_see(HOME, False, False) and flow.may_see("help", False, False)
    assert flow.may_see("staff_login", False, False) and flow.may_see("staff_pin", False, False)
    assert not flow.may_see("services", False, True) and flow.may_see("services", True, False)
    assert not flow.may_see("staff_home", True, False) and flow.may_see("staff_home", False, True)
    assert flow.seen_by(PUBLIC) == {HOME, "help", "voice"}
    assert flow.seen_by(STAFF_SIGN_IN) == {"staff_login", "staff_pin"}
    assert all(flow.staff_side(name) for name in flow.seen_by(STAFF) | flow.seen_by(STAFF_SIGN_IN))
    assert not any(flow.staff_side(name) for name in flow.seen_by(ELDER))


def test_staff_lead_into_the_elders_own_screens():
    assert flow.path(["chosen", "signed_in", "elder", "services"], start="staff_login") == [
        "staff_login", "staff_pin", "staff_home", "staff_elder", "services"]
    assert flow.next_screen("receipt", "done") == HOME
