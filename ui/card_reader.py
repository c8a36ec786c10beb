"""Listens to the whole application for a keyboard-wedge scanner, without the elder touching it."""
from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import QApplication

from kiosk.clock import Clock
from kiosk.wedge import WedgeBuffer

ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


class CardReader(QObject):
    """Install on the QApplication; emits `scanned` with each complete fast burst."""

    scanned = Signal(str)

    def __init__(self, clock: Clock, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.clock = clock
        self.buffer = WedgeBuffer()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt naming)
        if event.type() != QEvent.Type.KeyPress or not first_receiver(watched):
            return False
        if event.isAutoRepeat():
            return False
        now = self.clock.monotonic()
        if event.key() in ENTER_KEYS:
            text = self.buffer.enter(now)
            if text is not None:
                self.scanned.emit(text)
            return text is not None
        char = event.text()
        if len(char) == 1:
            self.buffer.feed(char, now)
        return False


def first_receiver(watched: QObject) -> bool:
    """Whether a key event is at the first widget it is delivered to. A key goes to the focus
    widget (the window when none has focus), then to each parent in turn while none accepts
    it, and an application-wide filter sees it at every one: counted at each, one scanned
    digit became two or three (a screen given the focus, e.g. after a staff form's field,
    does not accept digits)."""
    if not watched.isWidgetType():
        return False
    focus = QApplication.focusWidget()
    return watched is focus if focus is not None else watched.isWindow()
