"""Shared big-button, keypad and header widgets, built for tremor and weak eyesight."""
from __future__ import annotations

import time

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QWidget,
)

REPEAT_TAP_MS = 500
# A press this soon after the last release is the same finger bouncing (a tremor's lift of
# tens of milliseconds), not a second tap: the quickest deliberate taps of older hands, about
# 4 a second, leave the screen for 100 ms or more between presses.
BOUNCE_MS = 80


class BigButton(QPushButton):
    """Acts on release (sliding off cancels). Against tremor: a press while already pressed,
    or within 80 ms of the last release (by the events' own times), is a bounce and does
    nothing; other than on keys that type (`repeat_ms=0`), a second tap within 500 ms is
    ignored too, so a tremor cannot confirm twice or flip a choice back."""

    tapped = Signal()

    def __init__(self, text: str = "", role: str = "choice", parent: QWidget | None = None,
                 repeat_ms: int = REPEAT_TAP_MS) -> None:
        # (parent), then the text: the (text, parent) overload makes PySide6 build QIcon's
        # enums to rule out (icon, text), 2 ms of the kiosk's start-up
        super().__init__(parent)
        self.setText(text)  # and the accessible name
        self.setProperty("role", role)
        self.setProperty("focusPolicy", "NoFocus")  # by name: see centred()
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.repeat_ms = repeat_ms
        self._last_tap = -1e9
        self._held = False
        self._released_at: int | None = None  # the last release's event time, in ms
        self.clicked.connect(self._on_clicked)

    def setText(self, text: str) -> None:  # noqa: N802 (Qt naming)
        super().setText(text)
        self.setAccessibleName(text.replace("\n", " "))

    def set_role(self, role: str) -> None:
        if self.property("role") != role:
            self.setProperty("role", role)
            self.style().unpolish(self)
            self.style().polish(self)

    def set_chosen(self, chosen: bool, on_role: str, off_role: str) -> None:
        """One of a choice group (文字大小, 今天/明天/后天) or a toggle chip: its look, and the
        checked state a screen reader reports through Qt's accessibility interface."""
        self.setCheckable(True)
        self.setChecked(chosen)
        self.set_role(on_role if chosen else off_role)

    def nextCheckState(self) -> None:  # noqa: N802 (Qt naming)
        """A tap does not flip the checked state by itself: the screen says what is chosen."""

    def mousePressEvent(self, event) -> None:  # noqa: N802 (Qt naming)
        # Also a double-click's second event (QWidget passes it here), while still held.
        gap = None if self._released_at is None else event.timestamp() - self._released_at
        if self._held or (gap is not None and 0 <= gap < BOUNCE_MS):
            event.accept()  # a bounce: not shown as a press, and its release taps nothing
            return
        self._held = True
        super().mousePressEvent(event)

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802 (Qt naming)
        self._held = False
        self._released_at = event.timestamp()
        super().mouseReleaseEvent(event)

    def hideEvent(self, event) -> None:  # noqa: N802 (Qt naming)
        self._held = False  # hidden under the finger: its release may go nowhere
        super().hideEvent(event)

    def _on_clicked(self) -> None:
        now = time.monotonic()
        if (now - self._last_tap) * 1000 < self.repeat_ms:
            return
        self._last_tap = now
        self.tapped.emit()


def label(text: str = "", role: str = "", wrap: bool = True) -> QLabel:
    widget = QLabel(text)
    if role:
        widget.setProperty("role", role)
    widget.setWordWrap(wrap)
    widget.setProperty("textFormat", "PlainText")  # by name: see centred()
    return widget


def centred(widget: QLabel) -> QLabel:
    """Text centred in the label, both ways.

    Qt namespace values (Qt.AlignmentFlag, Qt.FocusPolicy, Qt.TextFormat) are set here by
    property name, as a style sheet's qproperty- or a .ui file sets them: the first use of
    PySide6's `Qt` builds every one of its some 100 Python enums (about 20 ms of CPU), and the
    widgets of the first frame need none of them."""
    widget.setProperty("alignment", "AlignCenter")
    return widget


def restyle(widget: QWidget, role: str) -> None:
    widget.setProperty("role", role)
    widget.style().unpolish(widget)
    widget.style().polish(widget)


class Keypad(QWidget):
    """Digits 0-9 with clear and delete, in the familiar telephone layout."""

    digit = Signal(str)
    cleared = Signal()
    deleted = Signal()

    def __init__(self, clear_text: str, delete_text: str, gap: int) -> None:
        super().__init__()
        grid = QGridLayout(self)
        grid.setSpacing(gap)
        grid.setContentsMargins(0, 0, 0, 0)
        keys = ["1", "2", "3", "4", "5", "6", "7", "8", "9", None, "0", None]
        for index, key in enumerate(keys):
            if key is None:
                continue
            button = BigButton(key, "key", repeat_ms=0)  # 1-0-0-0: every tap a digit
            button.tapped.connect(lambda k=key: self.digit.emit(k))
            grid.addWidget(button, index // 3, index % 3)
        clear = BigButton(clear_text, "key", repeat_ms=0)
        clear.tapped.connect(self.cleared.emit)
        grid.addWidget(clear, 3, 0)
        delete = BigButton(delete_text, "key", repeat_ms=0)
        delete.tapped.connect(self.deleted.emit)
        grid.addWidget(delete, 3, 2)
        for word in (clear, delete):  # 清空 fits a key as big as a digit; "Delete" needs more
            word.setProperty("word", True)


class Header(QFrame):
    """Back, title, home, say-again and help (求助): same place, same look, on every screen."""

    back = Signal()
    home = Signal()
    repeat = Signal()
    help = Signal()

    def __init__(self, t, gap: int, with_navigation: bool = True) -> None:
        super().__init__()
        self.setProperty("role", "header")
        row = QHBoxLayout(self)
        # Half a gap above and below: 求助 is as tall as a main action, and the body's own
        # margin keeps the next button 3 mm away.
        row.setContentsMargins(gap, gap // 2, gap, gap // 2)
        row.setSpacing(gap)
        self.back_button = BigButton(t("nav.back"), "nav")
        self.back_button.tapped.connect(self.back.emit)
        self.title = centred(label("", "title"))
        # While staff book for an elder: for whom (代办：王秀英), where 再听一遍 stands.
        self.acting_for = label("", "acting", wrap=False)
        self.acting_for.hide()
        self.home_button = BigButton(t("nav.home"), "nav")
        self.home_button.tapped.connect(self.home.emit)
        self.repeat_button = BigButton(t("nav.repeat"), "nav")
        self.repeat_button.tapped.connect(self.repeat.emit)
        self.help_button = BigButton(t("nav.help"), "help")
        self.help_button.tapped.connect(self.help.emit)
        for button in (self.back_button, self.home_button, self.repeat_button, self.help_button):
            button.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        row.addWidget(self.back_button)
        row.addWidget(self.title, 1)
        row.addWidget(self.acting_for)
        row.addWidget(self.home_button)
        row.addWidget(self.repeat_button)
        row.addWidget(self.help_button)
        self.back_button.setVisible(with_navigation)
        self.home_button.setVisible(with_navigation)
