"""The one way anything crosses from a worker thread to the GUI thread: post it here, and it
arrives as `arrived` on the GUI thread. Background sync, speech and help news (kiosk.events.News)
reach the window through one GuiPost; each background job (ui.background) has its own."""
from __future__ import annotations

import contextlib

from PySide6.QtCore import QObject, Signal, Slot


class GuiPost(QObject):
    """Create it on the GUI thread. `post` may be called from any thread: from the GUI thread
    the value arrives at once (before `post` returns), from any other it is queued to the
    GUI thread's event loop (Qt's automatic connection decides, by the calling thread)."""

    arrived = Signal(object)
    _posted = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._posted.connect(self._deliver)

    def post(self, value: object) -> None:
        # RuntimeError: the window was closed meanwhile, and nobody is left to tell.
        with contextlib.suppress(RuntimeError):
            self._posted.emit(value)

    @Slot(object)
    def _deliver(self, value: object) -> None:
        self.arrived.emit(value)
