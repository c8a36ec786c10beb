"""Staff screens measured like the elders' ones (1280x800 window, 大): targets ≥ 16 mm,
3 mm apart, text ≥ 7 mm and never clipped, every control named."""
from __future__ import annotations

from PySide6.QtWidgets import QApplication

from kiosk import staff
from tests.gui.conftest import tap
from tests.gui.measure import all_problems


def walk(qtbot, win):
    tap(qtbot, win, "工作人员")
    yield "login"
    tap(qtbot, win, "张社工")
    yield "pin"
    for key in "1234":
        tap(qtbot, win, key)
    tap(qtbot, win, "确定")
    for key in "wxy":
        tap(qtbot, win, key)
    yield "search"
    tap(qtbot, win, "王秀英")
    yield "elder"
    tap(qtbot, win, "修改资料")
    yield "elder form"
    tap(qtbot, win, "下一步")
    yield "elder needs"
    for name in ("每日名单", "待处理", "同步", "设置", "操作记录"):
        win.go_home()
        tap(qtbot, win, name)
        yield name
    win.go_home()
    tap(qtbot, win, "设置")
    tap(qtbot, win, "平台与注册")
    yield "platform and enrolment"


def test_staff_screens_meet_the_size_rules(qtbot, window):
    core = window.core
    staff.seed_demo_staff(core.store, core.clock)
    core.help.ask("elder-0002", "urgent")
    core.meals.book("elder-0003", "meal:2026-11-24:lunch", "delivery")
    problems = []
    for state in walk(qtbot, window):
        QApplication.processEvents()
        problems += [f"{state}: {p}" for p in all_problems(window, window.metrics)]
    assert not problems, "\n".join(problems)
