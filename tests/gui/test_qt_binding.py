"""The Qt binding keeps Python's reference counts straight. PySide6 6.12.0 did not: every QLabel
made and every event through an application-wide filter lost a reference to None, until None
(or False) was freed and the kiosk aborted ("none_dealloc") after a few hours of use."""
from __future__ import annotations

import gc
import sys

from PySide6.QtCore import QEvent, QObject, Signal
from PySide6.QtWidgets import QApplication, QLabel, QWidget

from ui.widgets import BigButton

ROUNDS = 2000


class Watcher(QObject):
    def eventFilter(self, watched, event):  # noqa: N802 (Qt naming)
        return False


class Emitter(QObject):
    fired = Signal()


def references() -> tuple[int, int, int]:
    return sys.getrefcount(None), sys.getrefcount(False), sys.getrefcount(True)


def test_widgets_events_and_signals_keep_none_and_bools_alive(qtbot):
    app = QApplication.instance()
    target = QWidget()
    qtbot.addWidget(target)
    watcher, emitter = Watcher(), Emitter()
    emitter.fired.connect(lambda: None)
    button = BigButton("确认", "choice")
    qtbot.addWidget(button)

    def round_of_work() -> None:
        QLabel("您好").deleteLater()
        app.sendEvent(target, QEvent(QEvent.Type.User))
        emitter.fired.emit()
        button.set_role("nav" if button.property("role") == "choice" else "choice")
        button.isVisible()

    def losses() -> list[int]:
        """What ROUNDS rounds lose, with nothing else of the process freeing things meanwhile
        (a garbage collection or an earlier test's widgets deleted late would free references
        to None that the binding never lost)."""
        app.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        gc.collect()
        gc.disable()
        try:
            before = references()
            for _ in range(ROUNDS):
                round_of_work()
            after = references()
        finally:
            gc.enable()
        return [before[i] - after[i] for i in range(3)]

    app.installEventFilter(watcher)
    try:
        round_of_work()  # first calls may cache things
        # A binding that loses references loses them every time; noise does not repeat.
        tries = [losses() for _ in range(3)]
    finally:
        app.removeEventFilter(watcher)
    least = [min(lost[i] for lost in tries) for i in range(3)]
    assert max(least) < ROUNDS // 10, f"references lost to None, False, True: {tries}"
