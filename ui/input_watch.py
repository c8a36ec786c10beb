"""One application-wide event filter for what listens to every tap and key: the card reader,
the idle watch and staff mode."""
from __future__ import annotations

from PySide6.QtCore import QEvent, QObject

from ui.idle import ACTIVITY


class InputWatch(QObject):
    """Install on the QApplication. A Python filter there is called for every event of every
    object (some thousand a flow of taps: paints, layouts, timers), each call wrapping the
    event and its receiver for Python; one filter that asks the event's type once and passes
    only taps and keys on costs a third of three filters each asking.

    `listeners` are QObjects whose eventFilter sees each input event in turn; the first to
    return True takes the event (the card reader, a scanner's Enter), as a filter would."""

    def __init__(self, listeners: tuple[QObject, ...], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.listeners = listeners

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt naming)
        if event.type() not in ACTIVITY:
            return False
        return any(listener.eventFilter(watched, event) for listener in self.listeners)
