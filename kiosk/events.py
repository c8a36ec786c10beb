"""Plain named events of the core: callbacks a Qt adapter (or a test) can listen to, and the
one kind of news the window hears from background work."""
from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, NamedTuple

log = logging.getLogger(__name__)


class Event:
    """Listeners are called in the caller's thread, in the order they were added."""

    def __init__(self) -> None:
        self._listeners: list[Callable[[Any], None]] = []

    def connect(self, listener: Callable[[Any], None]) -> None:
        self._listeners.append(listener)

    def disconnect(self, listener: Callable[[Any], None]) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    def emit(self, value: Any) -> None:
        for listener in list(self._listeners):
            try:
                listener(value)
            except Exception:  # a broken listener must not undo what was already saved
                log.exception("event listener failed")


class News(NamedTuple):
    """One piece of news from background work, as the window hears it: `kind` says what
    happened ("sync.finished", "speech.ready", "help.answered"), `payload` what it carries
    (the source's own event or record)."""

    kind: str
    payload: Any = None
