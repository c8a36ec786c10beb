"""Starts background sync: at once with a configured platform, or beside a demo platform."""
from __future__ import annotations

import logging
import threading

from PySide6.QtCore import QObject, Qt, Signal

from kiosk.config import Settings
from ui.background import BackgroundJob

log = logging.getLogger(__name__)


class SyncStarter(QObject):
    """Owns the sync worker (and a demo platform) for the window; nothing here blocks the GUI."""

    _platform_ready = Signal(object)

    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        self.worker = None
        self.demo_platform = None
        self._closing = threading.Event()
        self._handed_over = False  # retired for another platform: a late demo one is not wanted
        self._platform_ready.connect(self._on_platform_ready, Qt.ConnectionType.QueuedConnection)
        self._retiring = BackgroundJob("sync-retire", self)
        self._retiring.succeeded.connect(self._on_retired)

    def start_worker(self, settings: Settings) -> None:
        from kiosk.sync.worker import SyncWorker
        from ui.sync_bridge import SyncBridge

        self.worker = SyncWorker(settings, self.window.core.clock)
        self.window.attach_sync(SyncBridge(self.worker, self.window))
        self.worker.start()

    def start_demo_platform(self, settings: Settings) -> None:
        """Starting the platform takes seconds: do it on a thread, then start syncing with it."""
        threading.Thread(target=self._run_demo_platform, args=(settings,), daemon=True,
                         name="demo-platform").start()

    def _run_demo_platform(self, settings: Settings) -> None:
        from kiosk.demo_platform import DemoPlatformError, start_demo_platform

        try:
            platform = start_demo_platform(settings)
        except DemoPlatformError as error:
            log.warning("demo platform unavailable (%s); the kiosk keeps its local demo data",
                        error)
            return
        if self._closing.is_set():
            platform.stop()
            return
        self._platform_ready.emit(platform)

    def _on_platform_ready(self, platform) -> None:
        if self._closing.is_set() or self._handed_over:
            platform.stop()
            return
        self.demo_platform = platform
        self.start_worker(platform.settings)

    def retire(self, then) -> None:
        """Stop syncing (and any demo platform) off the GUI thread — a cycle under way may
        take its full timeout — then call `then()` on the GUI thread, with nothing syncing."""
        worker, platform = self.worker, self.demo_platform
        self.worker = self.demo_platform = None
        self._handed_over = True

        def run():
            if worker is not None:
                worker.stop()
            if platform is not None:
                platform.stop()
            return then

        self._retiring.start(run)

    def _on_retired(self, then) -> None:
        if not self._closing.is_set():
            then()

    def stop(self) -> None:
        self._closing.set()
        if self.worker is not None:
            self.worker.stop()
        if self.demo_platform is not None:
            self.demo_platform.stop()
