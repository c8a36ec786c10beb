"""Start-up: the first frame waits for nothing it does not show, and what waits runs right after."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import QAbstractAnimation, Qt
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow

from kiosk.config import load_settings
from kiosk.core import Kiosk
from ui.first_frame import FirstFrame
from ui.widgets import BigButton, centred, label

ROOT = Path(__file__).resolve().parents[2]


class PaintRecorder(QLabel):
    def __init__(self, log: list[str]) -> None:
        super().__init__("hello")
        self.log = log

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt naming)
        self.log.append("paint")
        super().paintEvent(event)


def test_work_after_the_first_frame_runs_once_it_is_painted_in_order(qtbot):
    log: list[str] = []
    window = QMainWindow()
    window.setCentralWidget(PaintRecorder(log))
    qtbot.addWidget(window)
    first_frame = FirstFrame(window)
    first_frame.then(lambda: log.append("first"))
    first_frame.then(lambda: log.append("second"))
    assert not first_frame.painted
    window.show()
    qtbot.waitUntil(lambda: "second" in log)
    assert log.index("paint") < log.index("first") < log.index("second")
    assert first_frame.painted
    first_frame.then(lambda: log.append("late"))  # after the frame: soon, all the same
    qtbot.waitUntil(lambda: log[-1] == "late")


# The kiosk as `kiosk --quit-after-start` starts it, its benchmark probe replaced by one that
# notes which modules are loaded at the first frame and a moment later, put in as
# ui.first_frame is imported (benchmarks/first_frame_probe.py), so that it imports nothing
# (PySide6 above all) before the kiosk.
PROBE = """
import gc, json, sys

def report(app):
    def note_modules():
        from PySide6.QtCore import QTimer
        loaded = list(sys.modules)  # in the order they were first imported
        seen = {"frame": sorted(loaded), "collecting": gc.isenabled(),
                "before_pyside": loaded[:loaded.index("PySide6")],
                # PySide6 builds its Qt namespace's enums (some 100) at the first use of `Qt`
                "qt_namespace": "Qt" in vars(sys.modules["PySide6.QtCore"])}
        def after():
            seen["after"] = sorted(sys.modules)
            seen["collecting_after"] = gc.isenabled()
            from PySide6.QtCore import Qt
            from PySide6.QtTest import QTest
            from PySide6.QtWidgets import QApplication
            window = next(w for w in QApplication.topLevelWidgets() if hasattr(w, "card_reader"))
            QTest.keyClicks(window, "10000001")  # a card scanner's burst, heard once listening
            QTest.keyClick(window, Qt.Key.Key_Return)
            seen["signed_in"] = window.core.session.signed_in
            print(json.dumps(seen))
            app.quit()
        QTimer.singleShot(100, after)
    return note_modules

from benchmarks.first_frame_probe import at_first_frame

at_first_frame(report)
from ui.app import main
sys.exit(main(sys.argv[1:]))
"""


def test_the_first_frame_waits_for_no_booking_rule_sync_speech_or_bulk_writes(tmp_path):
    settings = load_settings(tmp_path / "none.toml", data_dir=tmp_path / "data")
    core = Kiosk(settings)
    core.seed_demo_if_empty()  # a later start: the demo community is there already
    core.close()
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "KIOSK_VOICE_ENABLED": "false"}
    done = subprocess.run(
        [sys.executable, "-c", PROBE, "--demo", "--windowed", "--quit-after-start",
         "--data-dir", str(tmp_path / "data"), "--config", str(tmp_path / "none.toml")],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=True)
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    later = ("kiosk.bookings", "kiosk.service_flows", "kiosk.ratings", "kiosk.speech",
             "kiosk.demo", "kiosk.audit", "kiosk.elders", "kiosk.staff")
    for module in later + ("kiosk.sync.worker", "requests", "babel", "ui.screens.services",
                           "pinyinIME", "pypinyin", "ui.card_reader", "kiosk.recovery",
                           "sqlite_utils", "dataclasses", "ui.sync_link"):
        # (dataclasses: the records the first frame needs are named tuples or plain classes;
        # a dataclass compiles its methods as its module is imported, 0.5-1 ms each)
        assert module not in seen["frame"], f"{module} is imported before the first frame"
    assert not seen["collecting"]  # the cyclic collector waits for the first frame too
    assert not seen["qt_namespace"], "PySide6's Qt namespace is built before the first frame"
    for module in later + ("ui.screens.services",):  # warmed up, seeded, spoken: right after
        assert module in seen["after"], f"{module} is not imported after the first frame"
    assert seen["collecting_after"]
    assert "sqlite_utils" not in seen["after"]  # seeding demo data needs none of its 10 MB
    assert seen["signed_in"]  # the card reader listens from right after the first frame
    # The Qt-free modules the first frame needs come before PySide6, whose import hook would
    # read the source of every module they import (ui/app.py).
    qt_free = [name for name in seen["frame"] if name.split(".")[0] == "kiosk"] + ["ui.theme"]
    assert "kiosk.staff_session" in qt_free  # staff mode's session: the register waits
    for module in qt_free:
        assert module in seen["before_pyside"], f"{module} is imported after PySide6"


def test_values_set_by_property_name_take_effect(qtbot):
    """The first frame's widgets set Qt namespace values by property name (ui/widgets.py)."""
    text = centred(label("<b>王秀英</b>"))
    button = BigButton("确认")
    qtbot.addWidget(text)
    qtbot.addWidget(button)
    assert text.textFormat() == Qt.TextFormat.PlainText  # a name in markup is shown as typed
    assert text.alignment() == Qt.AlignmentFlag.AlignCenter
    assert button.focusPolicy() == Qt.FocusPolicy.NoFocus


def test_the_screens_are_resized_at_once_without_an_animation(window):
    """Qt would move the main window's central widget (the screens) through an animation; its
    timer object, once the input watch sees it, makes PySide6 build every QtWidgets class
    (assets/theme.qss). The screens take the window's new size at once, with none."""
    window.resize(1024, 700)
    QApplication.sendPostedEvents()  # the layout's request, as the event loop would
    window.layout().activate()
    assert window.stack.size() == window.size()
    assert not window.stack.findChildren(QAbstractAnimation)
