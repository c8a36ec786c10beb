"""The Qt bridge delivers the worker's events as signals on the GUI thread."""
from __future__ import annotations

import threading

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QThread  # noqa: E402

from kiosk.sync.engine import SyncResult  # noqa: E402
from kiosk.sync.status import SyncStatus  # noqa: E402
from kiosk.sync.worker import SyncEvent  # noqa: E402
from ui.sync_bridge import SyncBridge  # noqa: E402


class FakeWorker:
    def __init__(self) -> None:
        self.listeners = []
        self.nudged = 0

    def add_listener(self, listener) -> None:
        self.listeners.append(listener)

    def nudge(self) -> None:
        self.nudged += 1


def test_events_from_the_sync_thread_arrive_as_signals_on_the_gui_thread(qtbot):
    worker = FakeWorker()
    bridge = SyncBridge(worker)
    status = SyncStatus(True, 0, 0, 0, None, "", False, None)
    threads = []
    bridge.status_changed.connect(lambda _s: threads.append(QThread.currentThread()))
    with qtbot.waitSignal(bridge.finished, timeout=5000) as finished:
        sender = threading.Thread(target=lambda: [
            listener(SyncEvent("finished", SyncResult(ok=True), status))
            for listener in worker.listeners])
        sender.start()
    sender.join()
    assert finished.args[0].ok
    qtbot.waitUntil(lambda: bool(threads))
    assert threads == [bridge.thread()]
    bridge.nudge()
    assert worker.nudged == 1
