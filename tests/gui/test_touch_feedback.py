"""Every kind of button shows the press at once (before the finger lifts), in both themes;
the tap itself acts on release."""
from __future__ import annotations

import re

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from ui.theme import Metrics, stylesheet
from ui.widgets import BigButton

METRICS = Metrics.for_screen(1280, 800, 15.6)
BUTTON_ROLES = sorted(set(re.findall(r'QPushButton\[role="(\w+)"\]', stylesheet(METRICS))))


def colour_above_the_text(button: BigButton) -> str:
    """The button's own background, sampled between its top border and its text."""
    image = button.grab().toImage()
    return image.pixelColor(button.width() // 2, METRICS.mm(2.5)).name()


@pytest.mark.parametrize("high_contrast", [False, True], ids=["normal", "high-contrast"])
@pytest.mark.parametrize("role", BUTTON_ROLES)
def test_pressing_changes_the_button_before_release(qtbot, role, high_contrast):
    QApplication.instance().setStyleSheet(stylesheet(METRICS, high_contrast))
    button = BigButton("确认", role)
    qtbot.addWidget(button)
    button.resize(METRICS.mm(60), METRICS.mm(30))
    button.show()
    qtbot.waitExposed(button)
    taps = []
    button.tapped.connect(lambda: taps.append(1))
    at_rest = colour_above_the_text(button)
    QTest.mousePress(button, Qt.MouseButton.LeftButton, pos=QPoint(button.width() // 2,
                                                                  button.height() // 2))
    assert colour_above_the_text(button) != at_rest
    assert taps == []  # nothing happens until the finger lifts
    QTest.mouseRelease(button, Qt.MouseButton.LeftButton, pos=QPoint(button.width() // 2,
                                                                    button.height() // 2))
    assert taps == [1] and colour_above_the_text(button) == at_rest


def test_there_are_roles_to_check():
    assert {"primary", "choice", "help", "nav_selected", "toggle_on"} <= set(BUTTON_ROLES)
