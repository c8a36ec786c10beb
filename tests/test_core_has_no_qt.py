"""The core must run without Qt: importing every kiosk module loads no PySide6."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import kiosk

CHECK = """
import importlib, pkgutil, sys, kiosk
for module in pkgutil.walk_packages(kiosk.__path__, "kiosk."):
    if module.name.endswith("__main__"):
        continue
    importlib.import_module(module.name)
loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("PySide6", "shiboken6", "ui"))
print(",".join(loaded))
"""


def test_importing_the_whole_core_loads_no_qt():
    root = Path(kiosk.__file__).parent.parent
    result = subprocess.run([sys.executable, "-c", CHECK], cwd=root, capture_output=True,
                            text=True, check=True, timeout=60)
    assert result.stdout.strip() == ""


def test_the_check_would_notice_qt(tmp_path):
    probe = CHECK.replace("print(", "import PySide6.QtCore\nloaded = ['PySide6']\nprint(")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            check=True, timeout=60)
    assert "PySide6" in result.stdout
