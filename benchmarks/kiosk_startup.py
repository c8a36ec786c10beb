"""The kiosk's start-up and resident memory against a bare PySide6 window painting one label.

Both are whole processes started the same way, with the same environment, offscreen (the
figures do not depend on a display), alternated round by round so a busy machine slows both.

- startup_ratio: from just before the process is started until its first frame has been
  painted (ui/first_frame.py's probe in both, watching that one window; the process prints
  the CLOCK_MONOTONIC time it saw); a round is seven starts of each, alternated, and its
  figure the median of each seven (one start alone swings by a tenth). The kiosk is its own
  `kiosk` command with `--demo --windowed --quit-after-start` on a copy of the district store
  (20,000 elders, 500,000 bookings), as on every start after the first; compiled modules
  kept, as a deployment has them (one untimed start of each comes first).
- rss_ratio: resident memory 10 s after the first frame, the kiosk having done one staff
  search at 2 s (a staff member signed in, the staff screen showing a page of results, its
  names painted), with its voice on as on a kiosk; the speech worker is another process,
  reported beside it (rss_speech_worker_mb, the worker's own memory, without a reference).
  Reference: the bare window 10 s after its first frame.
- startup_instructions: the instructions each process runs until its first frame, counted by
  valgrind (callgrind), in millions; the same figures on a quiet machine and a busy one, where
  the times above move by a tenth from one run to the next. Each process leaves at its first
  frame (os._exit), so nothing after it is counted. Counted once: a count does not vary.
  Left out, with a line saying so, where valgrind is not installed.
"""
from __future__ import annotations

import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from benchmarks import kiosk_data
from benchmarks.harness import ROOT, Figure, median_figure, scratch

SETTLE_S = 10
STARTS_PER_ROUND = 7  # a start is some 150 ms: a round's figure is the median of seven
SEARCH_AT_S = 2

BARE = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow
from ui.first_frame import FirstFrame, report_and_quit
app = QApplication(sys.argv[:1])
window = QMainWindow()
window.setCentralWidget(QLabel("hello"))
window.resize(1280, 800)
settle = float(sys.argv[1]) if len(sys.argv) > 1 else 0
def settled():
    rss = next(l.split()[1] for l in open("/proc/self/status") if l.startswith("VmRSS:"))
    print(f"settled-rss {rss} 0", flush=True)
    app.quit()
if settle:
    FirstFrame(window).then(lambda: QTimer.singleShot(int(settle * 1000), settled))
else:
    FirstFrame(window).then(report_and_quit(app))
window.show()
sys.exit(app.exec())
"""

# The kiosk as `kiosk` starts it, with one staff search after the first frame and its memory
# (and its speech worker's) read once settled.
SETTLED_KIOSK = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
import ui.app

def rss(pid="self"):
    try:
        with open(f"/proc/{pid}/status") as status:
            return next(int(l.split()[1]) for l in status if l.startswith("VmRSS:"))
    except OSError:
        return 0

def window():
    from ui.main_window import KioskWindow
    return next(w for w in QApplication.topLevelWidgets() if isinstance(w, KioskWindow))

def staff_search():
    from kiosk.staff import list_staff
    shown = window()
    shown.staff_mode.sign_in(list_staff(shown.core.store)[0])
    shown.show_screen("staff_home")
    shown.current._set("wxy")  # a page of results, painted from then on

def children():
    import os
    me = str(os.getpid())
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            stat = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if stat[1] == me:
            yield pid

def settled():
    print(f"settled-rss {rss()} {sum(rss(pid) for pid in children())}", flush=True)
    QApplication.instance().quit()

warm_up = ui.app.warm_up
def then_settle():
    warm_up()
    QTimer.singleShot(int(float(sys.argv[1]) * 1000), staff_search)
    QTimer.singleShot(int(float(sys.argv[2]) * 1000), settled)
ui.app.warm_up = then_settle
sys.exit(ui.app.main(sys.argv[3:]))
"""


# Either process as above, leaving at its first frame: `bare`, or the kiosk's arguments.
AT_FIRST_FRAME = """
import os, sys
from benchmarks.first_frame_probe import at_first_frame

at_first_frame(lambda app: lambda: os._exit(0))
if sys.argv[1:] == ["bare"]:
    del sys.argv[1:]
    exec(BARE)
else:
    from ui.app import main
    main(sys.argv[1:])
""".replace("BARE)", repr(BARE) + ")")


def run(rounds: int, smoke: bool) -> dict[str, Figure]:
    home = scratch("bench-startup-")
    data = kiosk_data.store_copy(home / "data", smoke)
    env = _environment(home)
    kiosk = _kiosk_command(data)
    bare = [sys.executable, "-c", BARE]
    _first_frame(kiosk, env)  # compiles what is not compiled yet; seeds the days ahead
    _first_frame(bare, env)
    frames, bare_frames = [], []
    for _ in range(rounds):
        starts = _starts(kiosk, bare, env, 1 if smoke else STARTS_PER_ROUND)
        frames.append(starts[0])
        bare_frames.append(starts[1])
    settle = 3 if smoke else SETTLE_S
    search_at = 1 if smoke else SEARCH_AT_S
    voiced = {**env, "KIOSK_VOICE_ENABLED": "true", "KIOSK_SPEECH_SINK": "null"}
    memory, bare_memory, worker = [], [], []
    settled_kiosk = [sys.executable, "-c", SETTLED_KIOSK, str(search_at), str(settle),
                     "--demo", "--windowed", "--data-dir", str(data)]
    for _ in range(1 if smoke else rounds):
        own, children = _settled(settled_kiosk, voiced)
        memory.append(own)
        worker.append(children)
        bare_memory.append(_settled([*bare, str(settle)], env)[0])
    figures = {
        "startup_ratio": _ratio(frames, bare_frames, "≤ 1.3",
                                "first frame of `kiosk --demo` on the district store vs a bare "
                                "window painting one label (ms in rounds)"),
        "rss_ratio": _ratio(memory, bare_memory, "≤ 1.5",
                            f"resident memory {settle} s after the first frame, one staff "
                            "search done, voice on (MB in rounds); bare window as reference"),
        "rss_speech_worker_mb": median_figure(worker, [0.0] * len(worker), "MB", "",
                                              "the speech worker process's own resident memory "
                                              "at the same moment (no reference)"),
    }
    if shutil.which("valgrind"):
        kiosk_args = kiosk[kiosk.index("--demo"):]
        counts = [_instructions(["-c", AT_FIRST_FRAME, *args], env)
                  for args in (kiosk_args, ["bare"])]
        figures["startup_instructions"] = Figure(
            *counts, "M instr", [counts], "",
            "instructions until the first frame (valgrind), kiosk vs the bare window")
    else:
        print("startup_instructions: valgrind is not installed, not counted", file=sys.stderr)
    return figures


def _ratio(values: list[float], references: list[float], target: str, note: str) -> Figure:
    """A ratio figure: value is the ratio of the medians, the medians stay in `rounds`."""
    figure = median_figure(values, references, "×", target, note)
    return Figure(round(figure.value / figure.reference, 3), 1.0, "×", figure.rounds, target,
                  note)


def _environment(home: Path) -> dict:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "KIOSK_VOICE_ENABLED": "false",
           "XDG_CONFIG_HOME": str(home / "config"), "XDG_DATA_HOME": str(home / "share"),
           "XDG_CACHE_HOME": str(home / "cache"), "PYTHONPATH": str(ROOT)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # a kiosk keeps its compiled modules
    env.pop("KIOSK_CONFIG", None)
    return env


def _kiosk_command(data: Path) -> list[str]:
    script = Path(sys.executable).with_name("kiosk")
    start = [str(script)] if script.is_file() else [sys.executable, "-m", "ui.app"]
    return [*start, "--demo", "--windowed", "--quit-after-start", "--data-dir", str(data)]


def _output(command: list[str], env: dict, marker: str, timeout: float) -> list[str]:
    done = subprocess.run(command, env=env, cwd=ROOT, check=True, capture_output=True,
                          text=True, timeout=timeout)
    lines = [line.split()[1:3] for line in done.stdout.splitlines() if line.startswith(marker)]
    if not lines:
        raise RuntimeError(f"{command[:3]} printed no {marker}:\n{done.stderr[-2000:]}")
    return lines[0]


def _starts(kiosk: list[str], bare: list[str], env: dict, count: int) -> tuple[float, float]:
    """The medians of `count` starts of each, alternated (whichever goes first in a pair is
    the slower on a busy machine, so each goes first half the time)."""
    kiosk_ms, bare_ms = [], []
    for n in range(count):
        pair = [(kiosk, kiosk_ms), (bare, bare_ms)]
        for command, times in pair if n % 2 == 0 else reversed(pair):
            times.append(_first_frame(command, env))
    return statistics.median(kiosk_ms), statistics.median(bare_ms)


def _first_frame(command: list[str], env: dict) -> float:
    """Milliseconds from just before the process started until its first frame."""
    start = time.monotonic()
    frame, _cpu = map(float, _output(command, env, "first-frame ", 120))
    return (frame - start) * 1000


def _instructions(python_args: list[str], env: dict) -> float:
    """Millions of instructions the process runs (valgrind's count), hash seed fixed."""
    done = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable,
         *python_args], env={**env, "PYTHONHASHSEED": "0"}, cwd=ROOT, check=True,
        capture_output=True, text=True, timeout=600)
    collected = re.search(r"Collected : (\d+)", done.stderr)
    if collected is None:
        raise RuntimeError(f"valgrind counted nothing:\n{done.stderr[-2000:]}")
    return round(int(collected.group(1)) / 1e6, 1)


def _settled(command: list[str], env: dict) -> tuple[float, float]:
    """The process's resident memory once settled, and its children's, in MB."""
    own, children = map(int, _output(command, env, "settled-rss ", 120))
    return own / 1024, children / 1024
