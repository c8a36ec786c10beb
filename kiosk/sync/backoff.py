"""Waiting between failed attempts: exponential backoff with full jitter, Retry-After honoured."""
from __future__ import annotations

import random
from collections.abc import Callable


class Backoff:
    """delay = random(0, min(cap, base·2ⁿ)) after the n-th failure in a row (AWS's full jitter)."""

    def __init__(self, base_s: float = 2.0, cap_s: float = 300.0,
                 rand: Callable[[], float] = random.random) -> None:
        self.base_s = base_s
        self.cap_s = cap_s
        self.rand = rand
        self.failures = 0

    def next_delay(self, retry_after: float | None = None) -> float:
        """The wait before the next attempt; never shorter than the platform asked for."""
        ceiling = min(self.cap_s, self.base_s * 2 ** min(self.failures, 30))
        self.failures += 1
        delay = self.rand() * ceiling
        if retry_after is not None:
            delay = max(delay, min(retry_after, self.cap_s))
        return delay

    def reset(self) -> None:
        self.failures = 0
