"""The window's link to background sync, there from start-up whether or not the kiosk syncs:
it starts the sync worker (at once with a configured platform, or beside a demo platform),
nudges it after every action, hands sync over to another platform, and stops it. What the
worker reports reaches the window as news (kiosk.events.News "sync.started", "sync.finished",
"sync.stopped", the payload a kiosk.sync.worker.SyncEvent) through its GuiPost."""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from PySide6.QtCore import QObject

from kiosk.clock import Clock
from kiosk.config import Settings
from kiosk.events import News
from ui.background import BackgroundJob
from ui.gui_post import GuiPost

log = logging.getLogger(__name__)


class SyncLink(QObject):
    """Nothing here blocks the GUI thread."""

    def __init__(self, clock: Clock, post: GuiPost, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.clock = clock
        self.post = post
        self.worker = None  # a kiosk.sync.worker.SyncWorker while the kiosk syncs
        self.demo_platform = None
        self._closing = threading.Event()
        self._handed_over = False  # retired for another platform: a late demo one is not wanted
        self._starting_demo = BackgroundJob("demo-platform", self)
        self._starting_demo.succeeded.connect(self._on_platform_ready)
        self._starting_demo.failed.connect(self._on_platform_failed)
        self._retiring = BackgroundJob("sync-retire", self)
        self._retiring.succeeded.connect(self._on_retired)
        self._loading = BackgroundJob("sync-load", self)
        self._loading.succeeded.connect(self._on_loaded)
        self._loading.failed.connect(self._raise)
        self._to_start: Settings | None = None

    @property
    def active(self) -> bool:
        """Whether a sync worker runs for this window (a platform is configured or up)."""
        return self.worker is not None

    def nudge(self) -> None:
        """Sync soon (after anything an elder or staff did); nothing without a worker."""
        if self.worker is not None:
            self.worker.nudge()

    def start_worker(self, settings: Settings) -> None:
        from kiosk.sync.worker import SyncWorker  # not before the first frame

        self.follow(SyncWorker(settings, self.clock))
        self.worker.start()

    def start_worker_soon(self, settings: Settings) -> None:
        """start_worker, once the sync engine's modules (requests and all, a few hundred
        milliseconds) are loaded off the GUI thread: the kiosk's start does not stall on them."""
        self._to_start = settings
        self._loading.start(_load_sync)

    def _on_loaded(self, _nothing) -> None:
        settings, self._to_start = self._to_start, None
        if settings is not None and self.worker is None and not self._closing.is_set() \
                and not self._handed_over:
            self.start_worker(settings)

    @staticmethod
    def _raise(error: Exception) -> None:
        raise error  # a bug: reported as one

    def follow(self, worker) -> None:
        """From now on `worker` is this window's sync: its events are posted as news."""
        self.worker = worker
        worker.add_listener(lambda event: self.post.post(News(f"sync.{event.kind}", event)))

    def start_demo_platform(self, settings: Settings) -> None:
        """Starting the platform takes seconds: done off the GUI thread, then sync starts."""
        self._starting_demo.start(lambda: self._run_demo_platform(settings))

    def _run_demo_platform(self, settings: Settings):
        from kiosk.demo_platform import start_demo_platform

        platform = start_demo_platform(settings)
        _load_sync()  # here, not on the GUI thread when the worker starts
        if self._closing.is_set():  # the window may be gone: stopped here, not on its thread
            platform.stop()
            return None
        return platform

    def _on_platform_ready(self, platform) -> None:
        if platform is None:
            return
        if self._closing.is_set() or self._handed_over:
            platform.stop()
            return
        self.demo_platform = platform
        self.start_worker(platform.settings)

    def _on_platform_failed(self, error: Exception) -> None:
        from kiosk.demo_platform import DemoPlatformError

        if not isinstance(error, DemoPlatformError):
            raise error  # a bug: reported as one
        log.warning("demo platform unavailable (%s); the kiosk keeps its local demo data",
                    error)

    def retire(self, then: Callable[[], None]) -> None:
        """Stop syncing (and any demo platform) off the GUI thread — a cycle under way may
        take its full timeout — then call `then()` on the GUI thread, with nothing syncing
        (at once when nothing syncs)."""
        worker, platform = self.worker, self.demo_platform
        self.worker = self.demo_platform = None
        self._handed_over = True
        if worker is None and platform is None:
            then()
            return

        def run():
            if worker is not None:
                worker.stop()
            if platform is not None:
                platform.stop()
            return then

        self._retiring.start(run)

    def _on_retired(self, then: Callable[[], None]) -> None:
        if not self._closing.is_set():
            then()

    def stop(self) -> None:
        self._closing.set()
        if self.worker is not None:
            self.worker.stop()
        if self.demo_platform is not None:
            self.demo_platform.stop()


def _load_sync() -> None:
    import kiosk.sync.worker  # noqa: F401 (loaded for start_worker, off the GUI thread)
