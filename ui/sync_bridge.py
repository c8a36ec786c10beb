"""The thin Qt adapter of kiosk.sync: the worker's plain events become signals on the GUI thread."""
from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal, Slot

from kiosk.sync.worker import SyncEvent, SyncWorker


class SyncBridge(QObject):
    """Create it on the GUI thread; connect to its signals; call nudge() after elder actions."""

    started = Signal()
    finished = Signal(object)  # kiosk.sync.engine.SyncResult
    status_changed = Signal(object)  # kiosk.sync.status.SyncStatus
    stopped = Signal()
    _arrived = Signal(object)  # emitted on the worker thread, delivered on the GUI thread

    def __init__(self, worker: SyncWorker, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.worker = worker
        self._arrived.connect(self._dispatch, Qt.ConnectionType.QueuedConnection)
        worker.add_listener(self._arrived.emit)

    def nudge(self) -> None:
        self.worker.nudge()

    @Slot(object)
    def _dispatch(self, event: SyncEvent) -> None:
        if event.kind == "started":
            self.started.emit()
        elif event.kind == "finished":
            self.finished.emit(event.result)
            self.status_changed.emit(event.status)
        elif event.kind == "stopped":
            self.stopped.emit()
