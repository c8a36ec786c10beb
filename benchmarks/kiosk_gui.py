"""The kiosk's window driven as an elder drives it, for the benchmarks: real mouse events on
the real buttons, with Qt's event loop running (so deleteLater and timers happen as on a
kiosk), each tap timed until the next screen has been painted.

`PaintedAfter` is the probe: it watches one widget for its Paint event and reports once the
loop turns after it (all that the widget holds is painted and flushed by then), the moment
ui/first_frame.py takes for the first frame. The same probe times the reference, a bare
QStackedWidget flipping between two pages on a button's click.
"""
from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEvent, QEventLoop, QObject, QPoint, Qt, QTimer  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import (  # noqa: E402
    QApplication,
    QLabel,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

WINDOW = (1280, 800)
TIMEOUT_MS = 5000


def application() -> QApplication:
    return QApplication.instance() or QApplication(["benchmark"])


class PaintedAfter(QObject):
    """Runs the event loop until `widget` has been painted and the loop has turned once
    more; `wait()` returns False if that took longer than TIMEOUT_MS."""

    def __init__(self, widget: QWidget) -> None:
        super().__init__()
        self.widget = widget
        self.loop = QEventLoop()
        self.done = False
        widget.installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt naming)
        if event.type() == QEvent.Type.Paint and not self.done:
            self.done = True
            self.widget.removeEventFilter(self)
            QTimer.singleShot(0, self.loop.quit)
        return False

    def wait(self) -> bool:
        if not self.done:
            QTimer.singleShot(TIMEOUT_MS, self.loop.quit)
            self.loop.exec()
        else:
            self.loop.processEvents()
        if self.widget is not None:
            self.widget.removeEventFilter(self)
        return self.done


def click(button: QWidget) -> None:
    """A real press and release in the middle of the button, as a finger makes them."""
    QTest.mouseClick(button, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     QPoint(button.width() // 2, button.height() // 2))


def turn_loop() -> None:
    """Let the event loop turn (deferred deletes, timers due), as between two taps."""
    loop = QEventLoop()
    QTimer.singleShot(0, loop.quit)
    loop.exec()


def rss_mb(pid: int | str = "self") -> float:
    """Resident memory of a process from /proc (Linux), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


class KioskDriver:
    """The kiosk window on a district-size store copy, at the reference window size."""

    def __init__(self, data_dir: Path, now: str | None, **settings) -> None:
        """`now`: the clock's fixed time (None: the real clock); `settings`: overrides."""
        from kiosk.clock import Clock, FixedClock
        from kiosk.config import load_settings
        from kiosk.core import Kiosk
        from ui.main_window import KioskWindow
        from ui.theme import Metrics, stylesheet

        app = application()
        settings = load_settings(data_dir / "none.toml", **{
            "data_dir": data_dir, "voice_enabled": False, "screen_diagonal_inch": 15.6,
            **settings})
        self.settings = settings
        self.core = Kiosk(settings, clock=FixedClock(now) if now else Clock(settings.timezone))
        metrics = Metrics.for_screen(*WINDOW, settings.screen_diagonal_inch)
        app.setStyleSheet(stylesheet(metrics))
        self.window = KioskWindow(self.core, metrics)
        self.window.resize(*WINDOW)
        self.window.show()
        PaintedAfter(self.window).wait()

    def button(self, text: str):
        from ui.widgets import BigButton

        shown = [b for b in self.window.findChildren(BigButton) if b.isVisible()]
        for match in (lambda b: b.text() == text, lambda b: b.text().split("\n")[0] == text,
                      lambda b: text in b.text()):
            found = [b for b in shown if match(b)]
            if found:
                return found[0]
        raise LookupError(f"no button says {text!r} on {self.window.current.name}")

    def timed(self, action: Callable[[], None]) -> float:
        """Milliseconds from the action until the screen then on show has been painted."""
        started = time.perf_counter()
        action()
        if not PaintedAfter(self.window.current).wait():
            raise TimeoutError(f"{self.window.current.name} was not painted")
        return (time.perf_counter() - started) * 1000

    def tap(self, text: str) -> float:
        button = self.button(text)
        button._last_tap = -1e9  # one finger's taps come faster than the tremor guard allows
        return self.timed(lambda: click(button))

    def scan(self, card: str) -> float:
        """A card held to the scanner (what the card reader emits for a complete burst)."""
        return self.timed(lambda: self.window.card_reader.scanned.emit(card))

    def close(self) -> None:
        self.window.sync.stop()
        self.window.stop_listening()
        self.window.close()
        self.window.deleteLater()
        turn_loop()
        self.core.close()


class BareFlip:
    """The reference: a bare window of two pages, each a label and a button that shows the
    other page, the same size as the kiosk's window."""

    def __init__(self) -> None:
        application()
        self.window = QStackedWidget()
        self.buttons = []
        for n in range(2):
            page = QWidget()
            column = QVBoxLayout(page)
            column.addWidget(QLabel(f"page {n}"))
            button = QPushButton(f"go {1 - n}")
            button.clicked.connect(lambda _=False, to=1 - n: self.window.setCurrentIndex(to))
            column.addWidget(button)
            self.window.addWidget(page)
            self.buttons.append(button)
        self.window.resize(*WINDOW)
        self.window.show()
        PaintedAfter(self.window).wait()

    def tap(self) -> float:
        button = self.buttons[self.window.currentIndex()]
        started = time.perf_counter()
        click(button)
        if not PaintedAfter(self.window.currentWidget()).wait():
            raise TimeoutError("the bare page was not painted")
        return (time.perf_counter() - started) * 1000

    def close(self) -> None:
        self.window.close()
        self.window.deleteLater()
        turn_loop()
