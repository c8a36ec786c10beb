"""The demo platform agrees with the demo kiosk, and the platform never imports kiosk code."""
from __future__ import annotations

import ast
import datetime as dt
import json
from pathlib import Path
from zoneinfo import ZoneInfo

import service_platform
from service_platform import demo

FORBIDDEN = {"kiosk", "ui", "PySide6"}


def test_demo_slots_match_the_kiosk_demo():
    from kiosk import demo as kiosk_demo
    from kiosk.clock import FixedClock

    clock = FixedClock("2026-11-23T08:00:00")
    data = demo.load_community()
    ours = demo.meal_slots(data, clock.today(), ZoneInfo("Asia/Shanghai"))
    theirs = [{**row, "menu": json.loads(row["menu"])}
              for row in kiosk_demo._slot_rows(data, clock, "09:30", "15:00")]
    assert ours == theirs
    assert ours[0]["cutoff"] == "2026-11-23T09:30:00+08:00"


def test_demo_menus_rotate():
    data = demo.load_community()
    day = dt.date(2026, 11, 24)
    assert demo.demo_menu(data["dishes"], day, "lunch") != demo.demo_menu(
        data["dishes"], day + dt.timedelta(days=1), "lunch")


def test_platform_never_imports_kiosk_or_qt():
    package = Path(service_platform.__file__).parent
    for source in package.rglob("*.py"):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            for name in names:
                assert name.split(".")[0] not in FORBIDDEN, f"{source.name} imports {name}"
