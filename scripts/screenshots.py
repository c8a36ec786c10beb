"""Screenshots of the real kiosk for the docs: run under Xvfb by scripts/screenshots.sh."""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from PySide6.QtWidgets import QApplication

from kiosk.clock import FixedClock
from kiosk.config import load_settings
from kiosk.core import Kiosk
from ui.main_window import KioskWindow
from ui.theme import Metrics, stylesheet
from ui.widgets import BigButton

OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
SIZE = (1280, 800)


def tap(app: QApplication, window: KioskWindow, text: str) -> None:
    buttons = [b for b in window.findChildren(BigButton) if b.isVisible()]
    for match in (lambda b: b.text().split("\n")[0] == text, lambda b: text in b.text()):
        found = [b for b in buttons if match(b)]
        if found:
            found[0]._last_tap = -1e9
            found[0].click()
            app.processEvents()
            return
    raise SystemExit(f"no button says {text!r}")


def shoot(app: QApplication, window: KioskWindow, name: str) -> None:
    app.processEvents()
    path = OUT / f"{name}.png"
    window.grab().save(str(path))
    print(path.relative_to(OUT.parent.parent))


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    app = QApplication(sys.argv[:1])
    data = Path(tempfile.mkdtemp(prefix="kiosk-shots-"))
    settings = load_settings(data / "none.toml", data_dir=data, screen_diagonal_inch=15.6)
    core = Kiosk(settings, clock=FixedClock("2026-11-24T08:00:00"))
    core.seed_demo_if_empty()
    metrics = Metrics.for_screen(*SIZE, settings.screen_diagonal_inch, settings.text_size)
    app.setStyleSheet(stylesheet(metrics, settings.high_contrast))
    window = KioskWindow(core, metrics)
    window.resize(*SIZE)
    window.show()
    shoot(app, window, "home")
    for digit in "99999999":
        tap(app, window, digit)
    tap(app, window, "确定")
    shoot(app, window, "unknown-card")
    for digit in "10000001":
        tap(app, window, digit)
    tap(app, window, "确定")
    steps = [("services", "助餐"), ("meal-day", "明天"), ("meal-choice", "午餐"),
             ("meal-menu", "订这一餐"), ("meal-mode", "到食堂取"), ("meal-confirm", "确认")]
    for name, text in steps:
        shoot(app, window, name)
        tap(app, window, text)
    shoot(app, window, "receipt")
    window.close()
    core.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
