"""The first frame: work that must not delay it runs right after it has been painted.

A 0 ms timer set before show() fires *before* the window is first painted (the expose and
the paint come in a later turn of the event loop), so "after the first frame" needs the paint
itself: the window's first Paint event. The start-up benchmark times the same moment in the
kiosk and in a bare window with this module (benchmarks/kiosk_startup.py).
"""
from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QWidget

FALLBACK_MS = 3000  # never painted (no screen attached?): the deferred work runs all the same


class FirstFrame(QObject):
    """Watches one top-level window from before it is shown; `then(callback)` runs each
    callback, in order, on the event loop right after the window's first frame has been
    painted (at once if it already has).

    Only the window is watched, not the whole application: an application-wide Python event
    filter makes PySide6 build every QtCore class and enum it has not built yet (some 170
    enums, tens of milliseconds) as soon as an object of a class it does not wrap passes
    through it.
    """

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self._window = window
        self._waiting: list[Callable[[], object]] = []
        self.painted = False
        window.installEventFilter(self)
        QTimer.singleShot(FALLBACK_MS, self, self._frame_done)

    def then(self, callback: Callable[[], object]) -> None:
        if self.painted:
            QTimer.singleShot(0, callback)
        else:
            self._waiting.append(callback)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt naming)
        if event.type() == QEvent.Type.Paint:
            # the window and all it holds are painted and flushed before the loop turns again
            self._window.removeEventFilter(self)
            QTimer.singleShot(0, self, self._frame_done)
        return False

    def _frame_done(self) -> None:
        if self.painted:
            return
        self.painted = True
        self._window.removeEventFilter(self)
        waiting, self._waiting = self._waiting, []
        for callback in waiting:
            QTimer.singleShot(0, callback)


def report_and_quit(app) -> Callable[[], None]:
    """For the start-up benchmark: print when the first frame was up (CLOCK_MONOTONIC, the
    clock the benchmark started the process by) and the CPU time spent until then, then
    leave."""

    def done() -> None:
        print(f"first-frame {time.monotonic():.6f} {time.process_time():.6f}", flush=True)
        app.quit()

    return done
