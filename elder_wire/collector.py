"""Python's cycle collector paused while a large wire document is made or read.

A community's snapshot (protocol §5.2) is a few million small objects (rows, strings, numbers)
made at once and none in a cycle; the collector, run every few hundred new objects and more
and more often over all of them as they pile up, took a third to half of the time of making
them. Paused for that while and resumed after, it then finds what was left meanwhile. The
switch is the process's: a collection other threads would have run waits until then; of
several at once, the one that found it running resumes it.
"""
from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def paused() -> Iterator[None]:
    was_running = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_running:
            gc.enable()
