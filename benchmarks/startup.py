"""Start-up time of the kiosk against a bare PySide6 window (budget: within 1.5x).

    .venv/bin/python benchmarks/startup.py [--runs 11]

Both are whole processes started the same way, with the same environment and working
directory, timed from just before the process is started until its first frame has been
painted: each prints the CLOCK_MONOTONIC time at which ui/first_frame.py saw its window's
first paint done (the same probe in both, watching that one window only), and the benchmark
subtracts the time it started the process at. Until the process has exited is printed too,
for information only: tearing down is not start-up. Offscreen, so the figures do not depend
on a display; the ratio of the medians is the budget's figure, the fastest runs' and the CPU
time's ratios are printed beside it as a check on a busy machine.

The kiosk is started by its own `kiosk` command (the console script of the editable install
scripts/setup.sh makes), with the settings and data it finds by default (platformdirs, here
under a fresh XDG home), on a store with the demo data already seeded, as on every start
after the first, and with `--demo` (no demo platform beside it). Compiled modules: a
deployment has them (pip compiles what it installs, scripts/setup.sh the kiosk's own), so
PYTHONDONTWRITEBYTECODE is dropped and one untimed start of each comes first. The runs
alternate kiosk and bare window, so a busy machine slows both alike.
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

ROOT = Path(__file__).resolve().parent.parent

BARE = """
import sys
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow
from ui.first_frame import FirstFrame, report_and_quit
app = QApplication(sys.argv[:1])
window = QMainWindow()
window.setCentralWidget(QLabel("hello"))
window.resize(1280, 800)
FirstFrame(window).then(report_and_quit(app))
window.show()
sys.exit(app.exec())
"""


def timed(command: list[str], env: dict) -> tuple[float, float, float]:
    """Seconds until the first frame, CPU seconds the process had spent by then, and seconds
    until it had exited."""
    start = time.monotonic()
    done = subprocess.run(command, env=env, cwd=ROOT, check=True, capture_output=True,
                          text=True, timeout=120)
    exited = time.monotonic()
    stamps = [line.split()[1:3] for line in done.stdout.splitlines()
              if line.startswith("first-frame ")]
    if not stamps:
        raise RuntimeError(f"{command[0]} printed no first-frame time:\n{done.stderr}")
    frame, cpu = map(float, stamps[0])
    return frame - start, cpu, exited - start


def kiosk_command() -> list[str]:
    script = Path(sys.executable).with_name("kiosk")
    start = [str(script)] if script.is_file() else [sys.executable, "-m", "ui.app"]
    return start + ["--demo", "--windowed", "--quit-after-start"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=11)
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="kiosk-startup-"))
    # The kiosk finds its settings and data where it would on a kiosk (platformdirs), here
    # under a fresh home; the bare window gets the very same environment.
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "KIOSK_VOICE_ENABLED": "false",
           "XDG_CONFIG_HOME": str(home / "config"), "XDG_DATA_HOME": str(home / "data")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # a kiosk keeps its compiled modules
    env.pop("KIOSK_CONFIG", None)
    kiosk = kiosk_command()
    bare = [sys.executable, "-c", BARE]
    timed(kiosk, env)  # first start seeds the demo data and compiles the modules
    timed(bare, env)
    runs: dict[str, list[tuple[float, float, float]]] = {"bare": [], "kiosk": []}
    for _ in range(args.runs):
        runs["bare"].append(timed(bare, env))
        runs["kiosk"].append(timed(kiosk, env))
    medians, fastest, cpu = {}, {}, {}
    for name, label in (("bare", "bare PySide6 window"), ("kiosk", "kiosk")):
        frames = sorted(t for t, _, _ in runs[name])
        medians[name], fastest[name] = statistics.median(frames), frames[0]
        cpu[name] = statistics.median(c for _, c, _ in runs[name])
        exited = statistics.median(e for _, _, e in runs[name])
        print(f"{label + ':':21s}first frame median {medians[name] * 1000:.0f} ms over "
              f"{args.runs} runs ({', '.join(f'{t * 1000:.0f}' for t in frames)}); "
              f"CPU by then {cpu[name] * 1000:.0f} ms; exited {exited * 1000:.0f} ms")
    print(f"ratio: {medians['kiosk'] / medians['bare']:.2f}x (budget 1.5x); fastest runs "
          f"{fastest['kiosk'] / fastest['bare']:.2f}x, CPU {cpu['kiosk'] / cpu['bare']:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
