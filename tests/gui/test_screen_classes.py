"""Every row of the screen table names a class that imports and carries the row's name."""
from __future__ import annotations

import pytest

from kiosk.screens import SCREENS
from ui.main_window import screen_class
from ui.screens.base import Screen
from ui.staff.base import StaffScreen


@pytest.mark.parametrize("name", SCREENS)
def test_every_screen_class_carries_its_rows_name(name):
    cls = screen_class(name)
    assert issubclass(cls, Screen) and cls.name == name
    assert issubclass(cls, StaffScreen) == SCREENS[name].staff_side
