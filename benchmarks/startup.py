"""Start-up time of the kiosk against a bare PySide6 window (budget: within 1.5x).

    .venv/bin/python benchmarks/startup.py [--runs 7]

Both are whole processes, from launch until the first frame is shown and the event loop has
run once; offscreen, so the figures do not depend on a display. The kiosk opens a real store
(demo data already seeded, as on every start after the first).
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BARE = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow
app = QApplication(sys.argv[:1])
window = QMainWindow()
window.setCentralWidget(QLabel("hello"))
window.resize(1280, 800)
window.show()
QTimer.singleShot(0, app.quit)
app.exec()
"""


def timed(command: list[str], env: dict) -> float:
    start = time.perf_counter()
    subprocess.run(command, env=env, check=True, capture_output=True, timeout=120)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "KIOSK_VOICE_ENABLED": "false"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # a kiosk keeps its compiled modules
    data = Path(tempfile.mkdtemp(prefix="kiosk-startup-"))
    kiosk = [sys.executable, "-m", "ui.app", "--demo", "--windowed", "--quit-after-start",
             "--data-dir", str(data), "--config", str(data / "none.toml")]
    timed(kiosk, env)  # first start seeds the demo data and compiles the modules
    timed([sys.executable, "-c", BARE], env)
    bare_times = [timed([sys.executable, "-c", BARE], env) for _ in range(args.runs)]
    kiosk_times = [timed(kiosk, env) for _ in range(args.runs)]
    bare, mine = statistics.median(bare_times), statistics.median(kiosk_times)
    print(f"bare PySide6 window: median {bare * 1000:.0f} ms over {args.runs} runs")
    print(f"kiosk:               median {mine * 1000:.0f} ms over {args.runs} runs")
    print(f"ratio: {mine / bare:.2f}x (budget 1.5x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
