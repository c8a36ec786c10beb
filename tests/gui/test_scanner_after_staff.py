"""The card scanner after staff mode: real key events through the window, as a keyboard-wedge
scanner types them (a key every 5 ms), after every staff screen has been open."""
from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from kiosk import staff
from kiosk.flow import seen_by
from kiosk.screens import STAFF
from tests.gui.conftest import tap, tap_key
from ui.widgets import BigButton

SCANNER_KEY_S = 0.005


def scan(win, text: str) -> None:
    """Each key through the window's platform path: to the focus widget, then up its parents
    while none accepts it, as a USB scanner's keys arrive."""
    handle = win.windowHandle()
    for char in text:
        win.core.clock.advance(seconds=SCANNER_KEY_S)
        QTest.keyClick(handle, char)
    win.core.clock.advance(seconds=SCANNER_KEY_S)
    QTest.keyClick(handle, Qt.Key.Key_Return)


def press(qtbot, button: BigButton) -> None:
    button._last_tap = -1e9
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton,
                     pos=QPoint(button.width() // 2, button.height() // 2))


def menu(qtbot, win, answer: str) -> None:
    assert win.current.name == "staff_home"
    press(qtbot, win.current.menu[answer])


def register(qtbot, win) -> None:
    menu(qtbot, win, "register")


def register_then_needs(qtbot, win) -> None:
    register(qtbot, win)
    tap_key(qtbot, win, "staff.form.next")


def settings_then_enrol(qtbot, win) -> None:
    menu(qtbot, win, "settings")
    tap_key(qtbot, win, "staff.settings.platform")


def find_elder(qtbot, win) -> None:
    for letter in "wxy":
        tap(qtbot, win, letter)
    tap(qtbot, win, "王秀英")


def elder_then_edit(qtbot, win) -> None:
    find_elder(qtbot, win)
    tap_key(qtbot, win, "staff.elder.edit")


def complaint_note(qtbot, win) -> None:
    find_elder(qtbot, win)
    for key in ("staff.elder.services", "service.complaint", "complaint.about.centre",
                "complaint.add_note"):
        tap_key(qtbot, win, key)


# Every staff screen a signed-in staff member can reach, each by the taps that reach it.
WALKS = {
    "staff_elder_form": register,
    "staff_elder_needs": register_then_needs,
    "staff_day_lists": lambda qtbot, win: menu(qtbot, win, "day_lists"),
    "staff_attendance": lambda qtbot, win: menu(qtbot, win, "attendance"),
    "staff_attention": lambda qtbot, win: menu(qtbot, win, "attention"),
    "staff_sync": lambda qtbot, win: menu(qtbot, win, "sync"),
    "staff_settings": lambda qtbot, win: menu(qtbot, win, "settings"),
    "staff_enrol": settings_then_enrol,
    "staff_audit": lambda qtbot, win: menu(qtbot, win, "audit"),
    "staff_elder": find_elder,
    "staff_elder_form from an elder": elder_then_edit,
    "complaint_note": complaint_note,  # a note for the elder beside them (意见/投诉)
}


@pytest.fixture
def desk(window):
    staff.seed_demo_staff(window.core.store, window.core.clock)
    return window


def sign_in(qtbot, win) -> None:
    tap_key(qtbot, win, "staff.entry")
    tap(qtbot, win, "张社工")
    for digit in "1234":
        tap(qtbot, win, digit)
    tap_key(qtbot, win, "home.key.ok")
    assert win.current.name == "staff_home"


def walk(qtbot, win, name: str) -> None:
    """Open a staff screen, go back the way staff do, then 首页 to the staff home."""
    WALKS[name](qtbot, win)
    assert win.current.name == name.split()[0]
    press(qtbot, win.current.header.back_button)
    press(qtbot, win.current.header.home_button)
    assert win.current.name == "staff_home"


def leave_and_scan(qtbot, win) -> None:
    tap_key(qtbot, win, "staff.sign_out")
    assert win.current.name == "home" and not win.staff_mode.signed_in
    scan(win, "10000001")
    elder = win.core.session.elder
    assert elder is not None and elder.card_no == "10000001"
    assert win.current.header.title.text() == "王*英，您好"


def test_the_walks_reach_every_staff_screen():
    assert {name.split()[0] for name in WALKS} == seen_by(STAFF) - {"staff_home"}


def test_a_scan_signs_in_after_every_staff_screen_was_open(qtbot, desk):
    scan(desk, "10000002")  # heard before staff mode too
    assert desk.current.header.title.text() == "李*国，您好"
    desk.go_home()
    for _ in range(2):  # twice: nothing may pile up each time a screen opens
        sign_in(qtbot, desk)
        for name in WALKS:
            walk(qtbot, desk, name)
        leave_and_scan(qtbot, desk)
        desk.go_home()


@pytest.mark.parametrize("name", WALKS)
def test_a_scan_signs_in_after_one_staff_screen(qtbot, desk, name):
    sign_in(qtbot, desk)
    walk(qtbot, desk, name)
    leave_and_scan(qtbot, desk)
