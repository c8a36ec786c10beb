"""Serving HTTP with limits a flood cannot get past: connections capped below the open-file
limit, requests that must arrive in time, and a log that sums up lines it would repeat."""
from __future__ import annotations

import json
import logging
import multiprocessing
import resource
import signal
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from service_platform import clock

log = logging.getLogger(__name__)

# The listen queue's length. asyncio accepts up to this many connections in one go, and a
# few such bursts before the first is refused: each holds a file meanwhile.
BACKLOG = 64
# Open files kept free of held connections: the database's, the log, and accepted bursts.
FILES_SPARE = 100 + 4 * BACKLOG


def _full() -> bytes:
    """The answer to a connection beyond the cap: the API's 503, then the connection closes."""
    body = json.dumps({"error": {"code": "unavailable", "details": [],
                                 "message": "too many connections; try again"},
                       "server_time": clock.stamp(clock.now())}).encode()
    return (b"HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\n"
            b"retry-after: 2\r\nconnection: close\r\ncontent-length: %d\r\n\r\n%s"
            % (len(body), body))


@dataclass(frozen=True)
class Limits:
    """How long a connection may wait, and how many there may be (`serve --help`)."""

    keep_alive_s: float = 5.0  # idle between requests
    header_timeout_s: float = 10.0  # from the connection (or the last answer) to a request's head
    body_timeout_s: float = 60.0  # from a request's head to the end of its body (1 MiB on 2G)
    max_connections: int = 500


class _Guarded(HttpToolsProtocol):
    """uvicorn's HTTP/1.1 (httptools: its parser in C, several times cheaper a call than the
    pure-Python h11) with a deadline for reading each request, and a connection cap: beyond it
    a new connection is answered 503 and closed before anything is read from it."""

    header_timeout_s = Limits.header_timeout_s
    body_timeout_s = Limits.body_timeout_s
    max_connections = Limits.max_connections
    _read_timer = None

    def connection_made(self, transport) -> None:
        super().connection_made(transport)
        if len(self.connections) > self.max_connections:
            log.warning("refused a connection: %d open already", self.max_connections)
            transport.write(_full())
            transport.close()
            return
        self._arm(self.header_timeout_s)

    def data_received(self, data: bytes) -> None:
        before = self.cycle
        super().data_received(data)
        cycle = self.cycle
        if cycle is None or cycle.response_complete:
            return  # still waiting for a request's head: its deadline runs on
        if not cycle.more_body:
            self._disarm()  # the whole request is here; the app takes the time it needs
        elif cycle is not before:
            self._arm(self.body_timeout_s)

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._arm(self.header_timeout_s)

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self, seconds: float) -> None:
        self._disarm()
        self._read_timer = self.loop.call_later(seconds, self._too_slow)

    def _disarm(self) -> None:
        if self._read_timer is not None:
            self._read_timer.cancel()
            self._read_timer = None

    def _too_slow(self) -> None:
        self._read_timer = None
        if not self.transport.is_closing():
            log.warning("closed a connection whose request did not arrive in time")
            self.transport.close()


def connection_cap(wanted: int) -> int:
    """`wanted`, or fewer so that connections never use up the process's open-file limit."""
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return wanted
    return max(1, min(wanted, soft - FILES_SPARE))


def serve(app, host: str, port: int, limits: Limits, access_log: bool,
          graceful_shutdown_s: float | None = None, sock: socket.socket | None = None) -> None:
    """Run `app` with uvicorn until it is told to stop (on `sock` when given: a worker's)."""
    cap = connection_cap(limits.max_connections)
    if cap < limits.max_connections:
        log.warning("at most %d connections: the open-file limit is too low for %d",
                    cap, limits.max_connections)
    protocol = type("GuardedProtocol", (_Guarded,), {
        "header_timeout_s": limits.header_timeout_s, "body_timeout_s": limits.body_timeout_s,
        "max_connections": cap})
    config = uvicorn.Config(app, host=host, port=port, access_log=access_log, log_level="info",
                            http=protocol, loop="uvloop",
                            timeout_keep_alive=limits.keep_alive_s,
                            timeout_graceful_shutdown=graceful_shutdown_s,
                            # a backstop: the protocol refuses connections beyond the cap itself,
                            # with the API's 503 body rather than uvicorn's plain text
                            limit_concurrency=cap + 1, backlog=BACKLOG)
    install_repeat_filter(RepeatFilter())
    uvicorn.Server(config).run(sockets=None if sock is None else [sock])


@dataclass(frozen=True)
class Worker:
    """What each worker process of `serve --workers N` needs to make and serve its own app:
    nothing of one process's memory is needed by another (the database holds it all)."""

    db_url: str
    limits: Limits
    access_log: bool
    console_idle_minutes: float
    max_in_progress: int


def serve_workers(count: int, worker: Worker, host: str, port: int) -> None:
    """`count` worker processes on one listening socket; the kernel hands each connection to
    one of them. A worker that dies is started again; SIGTERM or SIGINT stops them all."""
    sock = socket.create_server((host, port), backlog=BACKLOG, reuse_port=False)
    sock.set_inheritable(True)
    spawn = multiprocessing.get_context("spawn")
    stopping = threading.Event()

    def start(n: int):
        process = spawn.Process(target=_worker_main, args=(worker, sock), name=f"worker-{n}",
                                daemon=False)
        process.start()
        log.info("worker %d started (pid %d)", n, process.pid)
        return process

    processes = [start(n) for n in range(count)]

    def stop(_signum, _frame) -> None:
        stopping.set()

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        while not stopping.wait(0.5):
            for n, process in enumerate(processes):
                if not process.is_alive():
                    log.warning("worker %d (pid %d) ended with %s; starting it again", n,
                                process.pid, process.exitcode)
                    processes[n] = start(n)
    finally:
        for process in processes:
            if process.is_alive():
                process.terminate()  # uvicorn's SIGTERM: finish answers, then stop
        for process in processes:
            process.join(15)
            if process.is_alive():
                process.kill()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        sock.close()


def _worker_main(worker: Worker, sock: socket.socket) -> None:
    import datetime as dt

    from service_platform.app import create_app
    from service_platform.db import Database

    logging.basicConfig(level=logging.INFO,
                        format="%(asctime)s %(levelname)s %(processName)s %(name)s %(message)s")
    db = Database(worker.db_url)
    try:
        app = create_app(db, console_idle=dt.timedelta(minutes=worker.console_idle_minutes),
                         max_in_progress=worker.max_in_progress)
        serve(app, "", 0, worker.limits, worker.access_log, graceful_shutdown_s=5, sock=sock)
    finally:
        db.dispose()


class RepeatFilter(logging.Filter):
    """Lets the first `burst` records of a kind (logger, level and message before its
    arguments) through in every `interval` seconds; the others of that interval are counted,
    and the count is told with the first one let through after it. Below `level`, all pass."""

    MAX_KINDS = 1000

    def __init__(self, burst: int = 10, interval: float = 60.0, level: int = logging.WARNING,
                 clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        self.burst, self.interval, self.level, self.clock = burst, interval, level, clock
        self._lock = threading.Lock()
        self._kinds: dict[tuple, list] = {}  # kind → [interval start, let through, held back]

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < self.level:
            return True
        kind = (record.name, record.levelno, str(record.msg))
        now = self.clock()
        with self._lock:
            seen = self._kinds.get(kind)
            if seen is None or now - seen[0] >= self.interval:
                if seen is None and len(self._kinds) >= self.MAX_KINDS:
                    self._kinds = {k: v for k, v in self._kinds.items()
                                   if now - v[0] < self.interval}
                self._kinds[kind] = [now, 1, 0]
                held = seen[2] if seen is not None else 0
                if held:
                    record.msg = (f"{record.getMessage()} (and {held} more like it in the "
                                  f"{self.interval:g} s before, not logged)")
                    record.args = None
                return True
            if seen[1] < self.burst:
                seen[1] += 1
                return True
            seen[2] += 1
            return False


def install_repeat_filter(repeats: RepeatFilter) -> None:
    """On every handler a platform's line can reach: the root's and uvicorn's."""
    for name in (None, "uvicorn", "uvicorn.access"):
        for handler in logging.getLogger(name).handlers:
            if repeats not in handler.filters:
                handler.addFilter(repeats)
