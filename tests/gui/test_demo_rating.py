"""Rating on demo data (issue 11, item 7): the kiosk's own demo, as `kiosk` seeds it, holds
yesterday's lunch of 曹建国 (card 10000010), completed; his sign-in asks how it was, once."""
from __future__ import annotations

import pytest

from kiosk.core import Kiosk
from tests.gui.conftest import screen_says, shown_window, tap, type_card

CAO = "10000010"


@pytest.fixture
def demo_window(qtbot, gui_settings, clock, speaker):
    """The window on the demo `kiosk` seeds for itself (ui/app.py seed_demo)."""
    core = Kiosk(gui_settings, clock=clock)
    core.seed_demo_if_empty(finished=True)
    with shown_window(qtbot, core, speaker) as win:
        yield win

def test_yesterdays_lunch_is_asked_about_once_at_sign_in(qtbot, demo_window):
    type_card(qtbot, demo_window, CAO)
    assert demo_window.current.name == "rating"
    assert screen_says(demo_window, "11月23日 星期一 午餐")
    tap(qtbot, demo_window, "满意")
    tap(qtbot, demo_window, "提交")
    assert demo_window.current.name == "services" and screen_says(demo_window, "谢谢")
    [rating] = demo_window.core.store.query("SELECT * FROM ratings")
    assert (rating["elder_id"], rating["score"]) == ("elder-0010", "satisfied")
    tap(qtbot, demo_window, "首页")
    type_card(qtbot, demo_window, CAO)  # asked once: now straight to the services
    assert demo_window.current.name == "services"


def test_other_elders_are_not_asked(qtbot, demo_window):
    type_card(qtbot, demo_window, "10000001")
    assert demo_window.current.name == "services"
