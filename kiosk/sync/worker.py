"""The background sync thread: a cycle every sync_interval_s, at once when nudged, backoff on
failure. It reports through plain callbacks, called on its own thread (ui/sync_link.py posts
them to the GUI thread)."""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from kiosk import help
from kiosk.clock import Clock
from kiosk.config import Settings
from kiosk.sync.backoff import Backoff
from kiosk.sync.engine import SyncEngine, SyncResult
from kiosk.sync.status import SyncStatus

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SyncEvent:
    kind: str  # "started", "finished" or "stopped"
    result: SyncResult | None = None
    status: SyncStatus | None = None
    next_in_s: float | None = None  # when the next cycle is due


Listener = Callable[[SyncEvent], None]


class SyncWorker:
    """Runs SyncEngine cycles on a thread with its own Store connection."""

    def __init__(self, settings: Settings, clock: Clock | None = None, *,
                 engine_factory: Callable[[], SyncEngine] | None = None,
                 backoff: Backoff | None = None) -> None:
        self.settings = settings
        self.clock = clock or Clock(settings.timezone)
        # Called on the worker thread, so the engine's Store belongs to that thread.
        self._engine_factory = engine_factory or (lambda: SyncEngine(settings, self.clock))
        self.backoff = backoff or Backoff(cap_s=settings.sync_backoff_cap_s)
        self._listeners: list[Listener] = []
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def add_listener(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="kiosk-sync", daemon=True)
            self._thread.start()

    def nudge(self) -> None:
        """Sync now (after an elder's action); returns at once."""
        self._wake.set()

    def stop(self, timeout: float = 30.0) -> None:
        self._stopping.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _run(self) -> None:
        engine = self._engine_factory()
        try:
            while not self._stopping.is_set():
                self._wake.clear()  # a nudge from now on asks for another cycle
                self._emit(SyncEvent("started"))
                result = engine.sync_once()
                delay, not_before = self._next_wait(result)
                self._emit(SyncEvent("finished", result, engine.status(), delay))
                self._wait(delay, not_before)
        finally:
            engine.close()
            self._emit(SyncEvent("stopped"))

    def _next_wait(self, result: SyncResult) -> tuple[float, float]:
        """(regular wait, minimum wait even when nudged: the platform's Retry-After)."""
        if result.ok:
            self.backoff.reset()
            regular = float(self.settings.sync_interval_s)
            return (min(regular, help.WAITING_POLL_S) if result.help_waiting else regular), 0.0
        if result.stopped:  # staff must act; try now and then, and when nudged
            return float(self.settings.sync_backoff_cap_s), 0.0
        delay = self.backoff.next_delay(result.retry_after)
        return delay, min(result.retry_after or 0.0, delay)

    def _wait(self, delay: float, not_before: float) -> None:
        if not_before > 0 and self._stopping.wait(not_before):
            return
        self._wake.wait(max(0.0, delay - not_before))

    def _emit(self, event: SyncEvent) -> None:
        for listener in list(self._listeners):
            try:
                listener(event)
            except Exception:  # a listener's bug must not stop sync
                log.exception("sync listener failed")
