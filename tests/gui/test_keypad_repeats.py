"""Repeated digits on the keypads: every deliberate tap types, a tremor's bounce does not.

Taps are real mouse events (what a touch panel's touches become for a widget) sent through the
window with the times they happened at, so a test runs at any speed it likes: 0.25 s a tap as a
brisk elder types a card number, and bounces of tens of milliseconds (ui/widgets.py BOUNCE_MS)."""
from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QMouseEvent, QPointingDevice
from PySide6.QtWidgets import QApplication

from kiosk import staff
from tests.gui.conftest import find_button, tap, tap_key
from ui.widgets import BOUNCE_MS, BigButton

LEFT = Qt.MouseButton.LeftButton
NONE = Qt.MouseButton.NoButton


class Finger:
    """Presses and releases at times it is told (ms), through the window as a touch would."""

    def __init__(self, win) -> None:
        self.win = win
        self.now = 10_000_000  # far on from the test helpers' own event times

    def _send(self, kind: QEvent.Type, button: BigButton, held) -> None:
        handle = self.win.windowHandle()
        centre = button.mapTo(self.win, button.rect().center()).toPointF()
        event = QMouseEvent(kind, centre, centre, button.mapToGlobal(button.rect().center())
                            .toPointF(), LEFT, held, Qt.KeyboardModifier.NoModifier,
                            QPointingDevice.primaryPointingDevice())
        event.setTimestamp(self.now)
        QApplication.sendEvent(handle, event)

    def press(self, button: BigButton, after_ms: int = 0) -> None:
        self.now += after_ms
        self._send(QEvent.Type.MouseButtonPress, button, LEFT)

    def double_click(self, button: BigButton, after_ms: int = 0) -> None:
        """What Qt adds after a second press soon after a first, on the same spot."""
        self.now += after_ms
        self._send(QEvent.Type.MouseButtonDblClick, button, LEFT)

    def release(self, button: BigButton, after_ms: int = 0) -> None:
        self.now += after_ms
        self._send(QEvent.Type.MouseButtonRelease, button, NONE)

    def tap(self, button: BigButton, every_ms: int = 250, down_ms: int = 120) -> None:
        self.press(button, every_ms - down_ms)
        self.release(button, down_ms)


def keys(win) -> dict[str, BigButton]:
    return {b.text(): b for b in win.current.findChildren(BigButton) if b.isVisible()}


def test_a_card_number_tapped_at_a_quarter_second_a_key_shows_every_digit(qtbot, window):
    finger, shown = Finger(window), []
    pad = keys(window)
    for digit in "10000001":
        finger.tap(pad[digit])
        shown.append(window.current.display.text())  # at once, with no event loop turn
    assert shown == ["1", "10", "100", "1000", "10000", "100000", "1000000", "10000001"]
    finger.tap(pad[window.core.text("home.key.ok")])
    assert window.current.header.title.text() == "王*英，您好"


def test_quick_double_taps_count_twice_with_the_double_click_qt_adds(qtbot, window):
    finger, pad = Finger(window), keys(window)
    finger.tap(pad["1"])
    for _ in range(3):
        finger.press(pad["0"], 130)
        finger.release(pad["0"], 120)
        finger.press(pad["0"], 130)
        finger.double_click(pad["0"])
        finger.release(pad["0"], 120)
    finger.tap(pad["1"])
    assert window.current.display.text() == "10000001"


def test_bounces_type_nothing(qtbot, window):
    finger, pad = Finger(window), keys(window)
    for digit in "1001":
        finger.press(pad[digit], 150)
        finger.press(pad[digit], 30)  # pressed again within 30 ms, never released between
        finger.release(pad[digit], 90)
        finger.press(pad[digit], 40)  # lifted and back within 40 ms: the same tap
        finger.release(pad[digit], 30)
        finger.press(pad[digit], BOUNCE_MS - 1)  # the longest lift still a bounce
        finger.release(pad[digit], 30)
    assert window.current.display.text() == "1001"
    finger.press(pad["1"], BOUNCE_MS)  # lifted this long: a second tap
    finger.release(pad["1"], 60)
    assert window.current.display.text() == "10011"


def test_sliding_off_a_key_still_cancels(qtbot, window):
    finger, pad = Finger(window), keys(window)
    finger.press(pad["5"], 200)
    finger.release(pad["6"], 120)  # the finger lifted over another key
    assert window.current.display.text() == window.core.text("home.card_empty")


def test_a_pin_of_repeated_digits(qtbot, window):
    staff.seed_demo_staff(window.core.store, window.core.clock)
    staff.set_pin(window.core.store, window.core.clock, "staff-zhang", "1100")
    tap_key(qtbot, window, "staff.entry")
    tap(qtbot, window, "张社工")
    finger, pad = Finger(window), keys(window)
    for digit in "1100":
        finger.tap(pad[digit])
    finger.tap(find_button(window, window.core.text("home.key.ok")))
    assert window.current.name == "staff_home"


def test_other_buttons_still_ignore_a_second_tap_soon_after(qtbot, window):
    """A tremor must not confirm twice or flip a choice straight back."""
    finger, button = Finger(window), find_button(window, window.core.text("text_size.larger"))
    taps = []
    button.tapped.connect(lambda: taps.append(1))
    finger.tap(button)
    finger.tap(button)
    assert taps == [1]
