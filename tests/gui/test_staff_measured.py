"""Staff screens measured like the elders' ones: every staff screen and state, at every text
size, on both reference screens — targets ≥ 16 mm and 3 mm apart, text at the size's glyph
height and never clipped, every control named, and the window never bigger than the screen."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from kiosk import staff
from kiosk.errors import KnownError
from kiosk.sync.push import apply_results, pending_rows
from tests.gui.conftest import tap, visible_buttons
from tests.gui.measure import SCREENS, on_screen, window_problems
from ui.theme import TEXT_SIZES


def type_keys(qtbot, win, keys: str) -> None:
    tap(qtbot, win, "清空")
    for key in keys:
        tap(qtbot, win, key)


def tap_paged(qtbot, win, text: str) -> None:
    """Tap `text` on whichever page shows it (big text pages what does not fit)."""
    for _ in range(9):
        if any(b.text().endswith(text) for b in visible_buttons(win)):
            break
        tap(qtbot, win, "下一页")
    tap(qtbot, win, text)


def turned(qtbot, win) -> bool:
    """下一页 where there is one: what fits on one page at small text pages at big text."""
    following = [b for b in visible_buttons(win) if b.text() == "下一页" and b.isEnabled()]
    if following:
        tap(qtbot, win, "下一页")
    return bool(following)


def wrong_pins(core, count: int) -> None:
    for _ in range(count):
        with pytest.raises(KnownError):
            staff.verify_pin(core.store, core.clock, "staff-zhang", "9999")


def walk(qtbot, win):
    """Every staff screen and state, yielded after it shows."""
    core = win.core
    tap(qtbot, win, "工作人员")
    yield "login, nobody on the list yet"
    staff.seed_demo_staff(core.store, core.clock)
    win.go_home()
    tap(qtbot, win, "工作人员")
    yield "login"
    tap(qtbot, win, "张社工")
    yield "pin"
    for key in "9999":
        tap(qtbot, win, key)
    tap(qtbot, win, "确定")
    yield "pin, wrong"
    wrong_pins(core, 3)
    for key in "9999":
        tap(qtbot, win, key)
    tap(qtbot, win, "确定")
    yield "pin, locked"
    core.clock.advance(minutes=5)
    for key in "1234":
        tap(qtbot, win, key)
    tap(qtbot, win, "确定")
    yield "search, nothing typed"
    type_keys(qtbot, win, "qqq")
    yield "search, nobody found"
    type_keys(qtbot, win, "1")
    yield "search, every elder found"
    tap(qtbot, win, "下一页")
    yield "search, page 2"
    type_keys(qtbot, win, "wxy")
    yield "search"
    tap(qtbot, win, "王秀英")
    yield "elder"
    tap(qtbot, win, "修改资料")
    yield "elder form"
    tap(qtbot, win, "下一步")
    yield "elder needs"
    tap(qtbot, win, "保存")
    yield "elder, saved"
    tap(qtbot, win, "停用")
    yield "elder, deactivated"
    win.go_home()
    tap(qtbot, win, "登记老人")
    yield "elder form, a new elder"
    tap(qtbot, win, "下一步")
    yield "elder needs, a new elder"
    tap_paged(qtbot, win, "送餐上门")
    tap(qtbot, win, "保存")
    yield "elder needs, a new elder not valid"
    win.go_home()
    tap(qtbot, win, "每日名单")
    yield "day lists, meals"
    if turned(qtbot, win):
        yield "day lists, meals, page 2"
    tap(qtbot, win, "导出表格 CSV")
    yield "day lists, exported"
    tap(qtbot, win, "保洁")
    yield "day lists, cleaning"
    tap(qtbot, win, "门诊")
    yield "day lists, clinic"
    tap(qtbot, win, "明天")
    yield "day lists, clinic tomorrow"
    win.go_home()
    tap(qtbot, win, "待处理")
    yield "attention"
    acknowledge = next(b for b in visible_buttons(win) if b.text() == "已收到")
    qtbot.mouseClick(acknowledge, Qt.MouseButton.LeftButton)
    yield "attention, a help request acknowledged"
    if turned(qtbot, win):
        yield "attention, page 2"
    win.go_home()
    tap(qtbot, win, "同步")
    yield "sync"
    tap(qtbot, win, "立即同步")
    yield "sync, not configured"
    win.go_home()
    tap(qtbot, win, "设置")
    yield "settings"
    for _ in range(3):
        tap_paged(qtbot, win, "短一点")
    tap(qtbot, win, "保存")
    yield "settings, not valid"
    tap_paged(qtbot, win, "长一点")
    tap(qtbot, win, "保存")
    yield "settings, saved"
    tap(qtbot, win, "平台与注册")
    yield "platform and enrolment"
    tap(qtbot, win, "注册本机")
    yield "platform and enrolment, refused"
    win.go_home()
    tap(qtbot, win, "操作记录")
    yield "audit"
    if turned(qtbot, win):
        yield "audit, page 2"


def seed(window, tmp_path) -> None:
    """Enough bookings and help requests to fill two pages (the staff come in the walk)."""
    core = window.core
    for number in range(1, 7):
        core.meals.book(f"elder-{number:04d}", "meal:2026-11-24:lunch",
                        "pickup" if number % 2 else "dine_in")
    for number in range(7, 12):
        core.help.ask(f"elder-{number:04d}", "urgent")
    core.cleaning.book("elder-0003", "cleaning:2026-11-25:pm", "deep")
    core.meals.book("elder-0012", "meal:2026-11-25:lunch", "pickup")
    row = next(r for r in pending_rows(core.store, 500) if r.op_type == "booking.create")
    apply_results(core.store, core.clock, [row], [{"op_id": row.op_id, "status": "rejected",
                                                   "reason": "full", "data": {}}])
    window.config_path = tmp_path / "kiosk.toml"


@pytest.mark.parametrize("screen", SCREENS)
@pytest.mark.parametrize("size", TEXT_SIZES)
def test_staff_screens_meet_the_size_rules(qtbot, window, tmp_path, screen, size):
    seed(window, tmp_path)
    metrics = on_screen(window, screen, size)
    problems = []
    for state in walk(qtbot, window):  # staff sign-in sets 大: kept at size all the same
        problems += [f"{state}: {p}" for p in window_problems(window, screen, metrics)]
    assert not problems, "\n".join(problems)
