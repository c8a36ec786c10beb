"""The thin Qt adapter of kiosk.speech: engine readiness arrives as a signal on the GUI thread."""
from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal, Slot

from kiosk.speech import READY, RESTARTED, UNAVAILABLE, SpeechEvent

ENGINE_EVENTS = {READY, RESTARTED, UNAVAILABLE}


class SpeechBridge(QObject):
    """`engine_changed` fires when the engine becomes ready, restarts or is known missing,
    so the screens can offer the languages it has voices for."""

    engine_changed = Signal()
    _arrived = Signal(object)  # emitted on the speech watchdog's thread

    def __init__(self, speaker, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._arrived.connect(self._dispatch, Qt.ConnectionType.QueuedConnection)
        speaker.add_listener(self._arrived.emit)

    @Slot(object)
    def _dispatch(self, event: SpeechEvent) -> None:
        if event.kind in ENGINE_EVENTS:
            self.engine_changed.emit()
