"""Staff screens measured like the elders' ones: every staff screen and state, in Chinese and
English, at every text size, on both reference screens — targets ≥ 16 mm and 3 mm apart, text
at the size's glyph height and never clipped, every control named, and the window never bigger
than the screen."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from kiosk import staff
from kiosk.errors import KnownError
from kiosk.sync.pull import apply_page
from kiosk.sync.push import apply_results, pending_rows
from tests.gui.conftest import LANGUAGES, tap, tap_key, visible_buttons
from tests.gui.measure import SCREENS, on_screen, window_problems
from ui.theme import TEXT_SIZES


def type_keys(qtbot, win, keys: str) -> None:
    tap_key(qtbot, win, "staff.key.clear")  # 清空
    for key in keys:
        tap(qtbot, win, key)


def tap_paged(qtbot, win, key: str) -> None:
    """Tap message `key` on whichever page shows it (big text pages what does not fit)."""
    text = win.core.text(key)
    for _ in range(9):
        if any(b.text().endswith(text) for b in visible_buttons(win)):
            break
        tap_key(qtbot, win, "staff.page.next")  # 下一页
    tap(qtbot, win, text)


def turned(qtbot, win) -> bool:
    """下一页 where there is one: what fits on one page at small text pages at big text."""
    text = win.core.text("staff.page.next")
    following = [b for b in visible_buttons(win) if b.text() == text and b.isEnabled()]
    if following:
        tap(qtbot, win, text)
    return bool(following)


def wrong_pins(core, count: int) -> None:
    for _ in range(count):
        with pytest.raises(KnownError):
            staff.verify_pin(core.store, core.clock, "staff-zhang", "9999")


def walk(qtbot, win):
    """Every staff screen and state, yielded after it shows. Buttons are tapped by message key
    (names and search keys are data), so the same walk runs in every language."""
    core = win.core
    tap_key(qtbot, win, "staff.entry")  # 工作人员
    yield "login, nobody on the list yet"
    staff.seed_demo_staff(core.store, core.clock)
    win.go_home()
    tap_key(qtbot, win, "staff.entry")  # 工作人员
    yield "login"
    tap(qtbot, win, "张社工")
    yield "pin"
    for key in "9999":
        tap(qtbot, win, key)
    tap_key(qtbot, win, "home.key.ok")  # 确定
    yield "pin, wrong"
    wrong_pins(core, 3)
    for key in "9999":
        tap(qtbot, win, key)
    tap_key(qtbot, win, "home.key.ok")  # 确定
    yield "pin, locked"
    core.clock.advance(minutes=5)
    win.current.show_lock()  # as its timer does each second: the keys are back
    for key in "1234":
        tap(qtbot, win, key)
    tap_key(qtbot, win, "home.key.ok")  # 确定
    yield "search, nothing typed"
    type_keys(qtbot, win, "qqq")
    yield "search, nobody found"
    type_keys(qtbot, win, "1")
    yield "search, every elder found"
    tap_key(qtbot, win, "staff.page.next")  # 下一页
    yield "search, page 2"
    type_keys(qtbot, win, "wxy")
    yield "search"
    tap(qtbot, win, "王秀英")
    yield "elder"
    yield from walk_complaint_note(qtbot, win)
    type_keys(qtbot, win, "wxy")
    tap(qtbot, win, "王秀英")
    tap_key(qtbot, win, "staff.elder.edit")  # 修改资料
    yield "elder form"
    win.current.edits["emergency_name"].setText("王明")  # Chinese: the input method's
    win.current.edits["emergency_phone"].setText("13900000000")
    tap_paged(qtbot, win, "elder.notify_family.agree")  # 同意
    yield "elder form, the family may be told"
    tap_key(qtbot, win, "staff.form.next")  # 下一步
    yield "elder needs"
    tap_key(qtbot, win, "staff.form.save")  # 保存
    yield "elder, saved"
    tap_key(qtbot, win, "staff.elder.deactivate")  # 停用
    yield "elder, deactivated"
    win.go_home()
    tap_key(qtbot, win, "staff.menu.register")  # 登记老人
    yield "elder form, a new elder"
    for key in "wangxiuying":
        tap(qtbot, win, key)
    yield "elder form, pinyin and its candidates"
    tap_key(qtbot, win, "staff.ime.next")  # ▶
    yield "elder form, more candidates"
    tap_key(qtbot, win, "staff.form.next")  # 下一步
    yield "elder needs, a new elder"
    tap_paged(qtbot, win, "elder.field.delivery_allowed")  # 送餐上门
    tap_key(qtbot, win, "staff.form.save")  # 保存
    yield "elder needs, a new elder not valid"
    win.go_home()
    tap_key(qtbot, win, "staff.menu.day_lists")  # 每日名单
    yield "day lists, meals"
    if turned(qtbot, win):
        yield "day lists, meals, page 2"
    tap_key(qtbot, win, "daylist.export_csv")  # 导出表格 CSV
    yield "day lists, exported"
    tap_key(qtbot, win, "daylist.cleaning")  # 保洁
    yield "day lists, cleaning"
    tap_key(qtbot, win, "daylist.clinic")  # 门诊
    yield "day lists, clinic"
    tap_key(qtbot, win, "day.tomorrow")  # 明天
    yield "day lists, clinic tomorrow"
    win.go_home()
    tap_key(qtbot, win, "staff.menu.attention")  # 待处理 (with a count)
    yield "attention"
    said = core.text("staff.attention.acknowledge")  # 已收到, on every open help request
    acknowledge = next(b for b in visible_buttons(win) if b.text() == said)
    qtbot.mouseClick(acknowledge, Qt.MouseButton.LeftButton)
    yield "attention, a help request acknowledged"
    if turned(qtbot, win):
        yield "attention, page 2"
    win.go_home()
    tap_key(qtbot, win, "staff.menu.sync")  # 同步
    yield "sync"
    tap_key(qtbot, win, "staff.sync.now")  # 立即同步
    yield "sync, not configured"
    win.go_home()
    tap_key(qtbot, win, "staff.menu.settings")  # 设置
    yield "settings"
    for _ in range(3):
        tap_paged(qtbot, win, "settings.idle_timeout_s.less")  # 短一点
    tap_key(qtbot, win, "staff.form.save")  # 保存
    yield "settings, not valid"
    tap_paged(qtbot, win, "settings.idle_timeout_s.more")  # 长一点
    tap_key(qtbot, win, "staff.form.save")  # 保存
    yield "settings, saved"
    tap_key(qtbot, win, "staff.settings.platform")  # 平台与注册
    yield "platform and enrolment"
    tap_key(qtbot, win, "staff.settings.enrol")  # 注册本机
    yield "platform and enrolment, refused"
    win.go_home()
    tap_key(qtbot, win, "staff.menu.audit")  # 操作记录
    yield "audit"
    if turned(qtbot, win):
        yield "audit, page 2"


def walk_complaint_note(qtbot, win):
    """意见/投诉 for the elder beside them: the note staff type on her behalf (issue 13)."""
    tap_key(qtbot, win, "staff.elder.services")
    tap_key(qtbot, win, "service.complaint")
    tap_key(qtbot, win, "complaint.about.centre")
    tap_key(qtbot, win, "rating.reason.long_wait")
    yield "complaint reasons, staff beside her"
    tap_key(qtbot, win, "complaint.add_note")
    yield "complaint note"
    type_keys(qtbot, win, "paidui")
    yield "complaint note, pinyin and its candidates"
    tap_key(qtbot, win, "complaint.note.save")
    yield "complaint confirm, with a note"
    win.go_home()  # back to the staff home


def seed(window, tmp_path) -> None:
    """Enough bookings and help requests to fill two pages (the staff come in the walk)."""
    core = window.core
    for number in range(1, 7):
        core.meals.book(f"elder-{number:04d}", "meal:2026-11-24:lunch",
                        "pickup" if number % 2 else "dine_in")
    calls = [core.help.ask(f"elder-{number:04d}", "urgent") for number in range(7, 12)]
    answered_on_the_console(core, calls[-2], "acknowledged", escalated_at=core.clock.now())
    answered_on_the_console(core, calls[-1], "resolved", resolution_note="已陪同就医，家属已知情")
    core.flow("cleaning").book("elder-0003", "cleaning:2026-11-25:pm", "deep")
    core.meals.book("elder-0012", "meal:2026-11-25:lunch", "pickup")
    row = next(r for r in pending_rows(core.store, 500) if r.op_type == "booking.create")
    apply_results(core.store, core.clock, [row], [{"op_id": row.op_id, "status": "rejected",
                                                   "reason": "full", "data": {}}])
    window.config_path = tmp_path / "kiosk.toml"


def answered_on_the_console(core, call, state: str, **fields) -> None:
    """An operator answered a call on the platform's console; the kiosk pulled it."""
    stamp = core.clock.now().isoformat()
    data = {"id": call.id, "elder_id": call.elder_id, "kind": call.kind, "state": state,
            "created_at": call.created_at, f"{state}_by": "operator-liu", f"{state}_at": stamp,
            f"{state}_by_name": "值班员小刘",
            **{k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in fields.items()}}
    apply_page(core.store, core.clock, [{"seq": 1, "kind": "help_request", "id": call.id,
                                         "op": "upsert", "data": data}], 1)


@pytest.mark.parametrize("screen", SCREENS)
@pytest.mark.parametrize("size", TEXT_SIZES)
@pytest.mark.parametrize("language", LANGUAGES)
def test_staff_screens_meet_the_size_rules(qtbot, window, tmp_path, language, screen, size):
    """Staff screens follow the kiosk's default language: a kiosk set to English shows them
    in English, whose words are much wider than Chinese ones — the same walk, in both."""
    assert window.core.text.language == language
    seed(window, tmp_path)
    metrics = on_screen(window, screen, size)
    problems = []
    for state in walk(qtbot, window):  # staff sign-in sets 大: kept at size all the same
        problems += [f"{state}: {p}" for p in window_problems(window, screen, metrics)]
    assert not problems, "\n".join(problems)
