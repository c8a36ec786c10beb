"""The watchdog that keeps the speech worker process alive: start, ping, restart when it hangs.

Two threads of its own, so the caller never waits: a courier carries commands from an
in-memory inbox to the worker, and a monitor reads the worker's replies, pings it every
heartbeat, and restarts it when it misses its deadline, dies, or does not start in time.
"""
from __future__ import annotations

import logging
import multiprocessing
import queue
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from kiosk.speech_worker import Ping, Ready, Shutdown, Unavailable, run_worker

log = logging.getLogger(__name__)
_CLOSE = object()


@dataclass(frozen=True)
class WatchdogTiming:
    heartbeat_s: float = 1.0  # how often the worker is pinged
    deadline_s: float = 5.0  # silence longer than this means the worker hangs
    startup_s: float = 20.0  # a cold start on a slow kiosk: Python, pyttsx3, espeak-ng
    max_restarts: int = 3  # within restart_window_s, then give up and stay silent
    restart_window_s: float = 300.0


class WorkerProcess:
    """One generation of the worker: the process, its two queues and its scratch folder."""

    def __init__(self, context, driver: str | None, sink: str | None) -> None:
        self.commands = context.Queue()
        self.replies = context.Queue()
        self.scratch = tempfile.mkdtemp(prefix="kiosk-speech-")
        self.process = context.Process(
            target=run_worker, name="kiosk-speech-worker", daemon=True,
            args=(self.commands, self.replies, driver, sink, self.scratch),
        )
        self.process.start()
        self.pid = self.process.pid

    def end(self, grace_s: float = 1.0) -> None:
        """Ask it to stop, then insist; release every queue, pipe and file."""
        if self.process.is_alive():
            self.commands.put(Shutdown())
            self.process.join(grace_s)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(grace_s)
        self.process.close()
        self.commands.cancel_join_thread()  # a dead reader must not block us on exit
        for channel in (self.commands, self.replies):
            channel.close()
            channel.join_thread()
        shutil.rmtree(self.scratch, ignore_errors=True)


class WorkerWatchdog:
    """Keeps one worker answering; hands every reply to `on_reply` on the monitor thread."""

    def __init__(self, on_reply: Callable[[object], None], on_restart: Callable[[str], None],
                 driver: str | None = None, sink: str | None = None,
                 timing: WatchdogTiming | None = None) -> None:
        self._on_reply = on_reply
        self._on_restart = on_restart
        self._driver, self._sink = driver, sink
        self.timing = timing or WatchdogTiming()
        self._context = multiprocessing.get_context("spawn")
        self._inbox: queue.SimpleQueue = queue.SimpleQueue()
        self._lock = threading.Lock()  # guards the switch from one worker generation to the next
        self._closed = threading.Event()
        self._restarts: list[float] = []
        self._given_up = False
        self._start_generation()
        self._courier = threading.Thread(target=self._carry, name="speech-courier", daemon=True)
        self._monitor = threading.Thread(target=self._watch, name="speech-watchdog", daemon=True)
        self._courier.start()
        self._monitor.start()

    @property
    def worker_pid(self) -> int | None:
        return self._worker.pid if self._worker else None

    def send(self, command: object) -> None:
        """Never blocks: the courier thread does the rest."""
        self._inbox.put(command)

    def close(self) -> None:
        if self._closed.is_set():
            return
        self._closed.set()
        self._inbox.put(_CLOSE)
        with self._lock:
            if self._worker:
                self._worker.replies.put(None)  # wakes the monitor now, not at its next tick
        self._courier.join()
        self._monitor.join()
        with self._lock:
            if self._worker:
                self._worker.end()
                self._worker = None

    def _start_generation(self) -> None:
        self._worker = WorkerProcess(self._context, self._driver, self._sink)
        self._started_at = self._last_heard = time.monotonic()
        self._ready = False
        self._last_ping = 0.0
        self._ping_seq = 0

    def _carry(self) -> None:
        while (command := self._inbox.get()) is not _CLOSE:
            with self._lock:
                if self._worker and not self._given_up:
                    self._worker.commands.put(command)

    def _watch(self) -> None:
        tick = min(self.timing.heartbeat_s, self.timing.deadline_s) / 2
        while not self._closed.is_set():
            reply = self._next_reply(tick)
            if reply is not None:
                self._heard(reply)
            self._check_health()

    def _next_reply(self, timeout: float) -> object | None:
        worker = self._worker
        if worker is None:
            self._closed.wait(timeout)
            return None
        try:
            return worker.replies.get(timeout=timeout)
        except (queue.Empty, EOFError, OSError, ValueError):
            return None

    def _heard(self, reply: object) -> None:
        self._last_heard = time.monotonic()
        if isinstance(reply, Ready):
            self._ready = True
        if isinstance(reply, Unavailable):
            self._retire()  # no engine: nothing to restart, stay silent
        self._on_reply(reply)

    def _check_health(self) -> None:
        if self._worker is None or self._closed.is_set():
            return
        now = time.monotonic()
        if not self._worker.process.is_alive():
            self._restart(f"worker exited (code {self._worker.process.exitcode})")
        elif not self._ready and now - self._started_at > self.timing.startup_s:
            self._restart("worker did not start in time")
        elif self._ready and now - self._last_heard > self.timing.deadline_s:
            self._restart("worker stopped answering")
        elif self._ready and now - self._last_ping >= self.timing.heartbeat_s:
            self._last_ping = now
            self._ping_seq += 1
            self.send(Ping(self._ping_seq))

    def _restart(self, reason: str) -> None:
        now = time.monotonic()
        window = self.timing.restart_window_s
        self._restarts = [t for t in self._restarts if now - t < window] + [now]
        log.warning("speech worker restarting: %s", reason)
        with self._lock:
            self._worker.end(grace_s=0.2)
            self._worker = None
            if len(self._restarts) > self.timing.max_restarts:
                self._given_up = True
                reason = f"speech worker keeps failing ({reason})"
            else:
                self._start_generation()
        if self._given_up:
            self._on_reply(Unavailable(reason))
        else:
            self._on_restart(reason)

    def _retire(self) -> None:
        with self._lock:
            self._given_up = True
            if self._worker:
                self._worker.end()
                self._worker = None
