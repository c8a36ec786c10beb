"""A service manager's stop (SIGTERM) or Ctrl-C closes the kiosk in order: the event loop ends,
the speech worker, sync and the store are closed, and the process exits 0 without leaving
anything behind (no leaked semaphores, no traceback)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
UP = "speech ready"  # logged once the voice is up, the last thing started after the first frame


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_stop_signal_closes_everything_in_order(tmp_path, stop):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "KIOSK_SPEECH_SINK": "null"}
    kiosk = subprocess.Popen(
        [sys.executable, "-m", "ui.app", "--demo", "--windowed",
         "--data-dir", str(tmp_path / "data"), "--config", str(tmp_path / "none.toml")],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines = []
    try:
        for line in kiosk.stdout:  # the kiosk logs as it starts; wait for the voice
            lines.append(line)
            if UP in line:
                break
        assert any(UP in line for line in lines), "".join(lines)
        kiosk.send_signal(stop)
        rest, _ = kiosk.communicate(timeout=30)
    finally:
        if kiosk.poll() is None:
            kiosk.kill()
    output = "".join(lines) + rest
    assert kiosk.returncode == 0, output
    assert "Traceback" not in output and "leaked" not in output, output
