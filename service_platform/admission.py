"""An ASGI guard that keeps the API's queue short: beyond a bound of kiosk calls in progress,
a new one is answered 503 with Retry-After at once, instead of waiting behind the others.

A platform with more work than it can do otherwise takes every call and answers each later and
later, until kiosks time out and call again on top of the queue (measured: p99 from 20 ms to
9–14 s between 2,000 and 2,400 kiosks). Refusing early keeps the answers it does give quick,
and kiosks come back after `Retry-After` seconds, spread by their own backoff (protocol §1)."""
from __future__ import annotations

import json
import logging
import random

from service_platform import clock

log = logging.getLogger(__name__)

# Kiosk calls in progress (reading, waiting for a worker thread, running, answering) at once.
# The threads that run them are 40 (AnyIO's default): a few dozen more wait their turn, about
# a quarter of a second at full load; past that a kiosk is better told to come back.
DEFAULT_BOUND = 64
RETRY_AFTER_S = (2, 6)  # spread, so refused kiosks do not come back all at the same moment


class Admission:
    """Counts /v1 calls in progress; the others (the console, its event streams) pass."""

    def __init__(self, app, bound: int = DEFAULT_BOUND) -> None:
        self.app = app
        self.bound = bound
        self.in_progress = 0
        self.refused = 0

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or not scope.get("path", "").startswith("/v1/"):
            await self.app(scope, receive, send)
            return
        if self.in_progress >= self.bound:
            self.refused += 1
            if self.refused % 1000 == 1:
                log.warning("busy: %d calls in progress; refused %d so far with 503",
                            self.in_progress, self.refused)
            await _busy(send)
            return
        self.in_progress += 1  # one event loop: no lock needed
        try:
            await self.app(scope, receive, send)
        finally:
            self.in_progress -= 1


async def _busy(send) -> None:
    payload = json.dumps({"error": {"code": "unavailable", "details": [],
                                    "message": "the platform is busy; try again"},
                          "server_time": clock.stamp(clock.now())}).encode()
    await send({"type": "http.response.start", "status": 503, "headers": [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(payload)).encode()),
        (b"retry-after", str(random.randint(*RETRY_AFTER_S)).encode())]})
    await send({"type": "http.response.body", "body": payload})
