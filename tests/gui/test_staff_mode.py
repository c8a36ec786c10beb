"""Staff mode by visible text: PIN sign-in and lockout, idle sign-out, finding and helping an
elder, registering, day lists, attention list, sync panel, settings and the audit log."""
from __future__ import annotations

import json

import pytest
from PySide6.QtCore import QPoint, Qt

from kiosk import staff
from kiosk.sync.push import apply_results, pending_rows
from tests.gui.conftest import find_button, screen_says, tap, visible_buttons
from ui.staff.widgets import breakable


@pytest.fixture
def desk(window):
    staff.seed_demo_staff(window.core.store, window.core.clock)
    return window


def sign_in(qtbot, win, name="张社工", pin="1234"):
    tap(qtbot, win, "工作人员")
    assert win.current.name == "staff_login"
    tap(qtbot, win, name)
    for digit in pin:
        tap(qtbot, win, digit)
    tap(qtbot, win, "确定")


def test_the_corner_entry_is_named_and_big_enough(desk):
    button = find_button(desk, "工作人员")
    assert button.accessibleName() == "工作人员"
    assert min(button.width(), button.height()) >= desk.metrics.mm(16) - 1


def test_a_staff_member_books_lunch_for_wxy_in_under_8_taps_after_pin(qtbot, desk):
    sign_in(qtbot, desk)
    assert desk.current.name == "staff_home" and screen_says(desk, "工作人员：张社工")
    taps = 0
    for text in ("w", "x", "y", "王秀英", "明天午餐", "到食堂取", "确认"):
        tap(qtbot, desk, text)
        taps += 1
    assert taps < 8
    assert desk.current.name == "receipt"
    booking = desk.core.store.query_one("SELECT * FROM bookings")
    assert booking["slot_id"] == "meal:2026-11-25:lunch" and booking["staff_id"] == "staff-zhang"
    actions = {r["action"] for r in desk.core.store.query("SELECT action FROM audit_log")}
    assert {"staff.sign_in", "booking.create"} <= actions
    tap(qtbot, desk, "回到首页")  # back to the staff home: she is still signed in
    assert desk.current.name == "staff_home" and not desk.core.session.signed_in
    assert not screen_says(desk, "135****6633")  # her row is gone from the screen


def test_search_rows_mask_the_phone_and_find_by_phone_last_four(qtbot, desk):
    sign_in(qtbot, desk)
    for digit in "6633":
        tap(qtbot, desk, digit)
    row = find_button(desk, "王秀英")
    assert "135****6633" in row.text() and "13530246633" not in row.text()


def test_search_results_page_through_everyone_found_a_page_of_rows_at_a_time(qtbot, desk):
    """Fifty found: every one shown once over the pages, in order; only a page's rows are
    widgets, refilled as the page turns; a row on a later page opens the elder it shows."""
    sign_in(qtbot, desk)
    tap(qtbot, desk, "1")  # the first digit of every demo card
    home = desk.current
    found = [elder.card_no for elder in home.found]
    assert len(found) == 50 and home.results.pages > 1
    seen, longest = [], 0
    for page in range(home.results.pages):
        if page:
            tap(qtbot, desk, "下一页")
        rows = [b for b in visible_buttons(desk) if b.property("role") == "staff_row"]
        longest = max(longest, len(rows))
        seen += [row.text().rsplit(" ", 1)[-1] for row in rows]  # the card, its last line
    assert seen == found
    assert len(home.results.rows) == longest < len(found)
    row = rows[-1]
    row._last_tap = -1e9
    qtbot.mouseClick(row, Qt.MouseButton.LeftButton, pos=QPoint(row.width() // 2,
                                                                row.height() // 2))
    assert desk.current.name == "staff_elder"
    assert desk.core.session.elder.card_no == found[-1]


def test_five_wrong_pins_lock_that_staff_member_for_five_minutes(qtbot, desk):
    for _ in range(4):
        sign_in(qtbot, desk, pin="9999")
        assert screen_says(desk, "密码不对")
        tap(qtbot, desk, "首页")
    sign_in(qtbot, desk, pin="9999")
    assert screen_says(desk, "已锁定。请 5 分钟后再试")
    tap(qtbot, desk, "首页")
    sign_in(qtbot, desk, pin="1234")  # the right PIN does not open a locked name
    assert desk.current.name == "staff_pin" and screen_says(desk, "已锁定")
    desk.core.clock.advance(minutes=5)
    tap(qtbot, desk, "首页")
    sign_in(qtbot, desk, pin="1234")
    assert desk.current.name == "staff_home"


def test_two_minutes_idle_ends_the_staff_session(qtbot, desk):
    sign_in(qtbot, desk)
    tap(qtbot, desk, "w")
    desk.core.clock.advance(seconds=119)
    desk.staff_mode.tick()
    assert desk.current.name == "staff_home"
    desk.core.clock.advance(seconds=1)
    desk.staff_mode.tick()
    assert desk.current.name == "home" and not desk.staff_mode.signed_in
    assert screen_says(desk, "请按数字键") and not screen_says(desk, "工作人员：")


def test_registering_an_elder_validates_then_saves_with_its_upsert(qtbot, desk):
    sign_in(qtbot, desk)
    tap(qtbot, desk, "登记老人")
    form = desk.current
    tap(qtbot, desk, "下一步")
    tap(qtbot, desk, "保存")
    assert screen_says(desk, "请填写姓名") and screen_says(desk, "卡号是 6 到 18 位数字")
    tap(qtbot, desk, "返回")
    form.edits["name"].setText("赵桂兰")  # Chinese comes through the system input method
    form.edits["card_no"].setFocus()
    for digit in "10000051":
        tap(qtbot, desk, digit)
    desk.identify("EK1:10000052")  # a card held to the scanner fills the form instead
    assert form.edits["card_no"].text() == "10000052"
    form.edits["phone"].setText("13800000000")
    tap(qtbot, desk, "下一步")
    for chip in ("低盐", "用助行器", "基本"):
        tap(qtbot, desk, chip)
    assert find_button(desk, "低盐").text() == "✔ 低盐"
    tap(qtbot, desk, "保存")
    assert desk.current.name == "staff_elder" and screen_says(desk, "代办：赵桂兰")
    [op] = [json.loads(r["payload"]) for r in desk.core.store.query(
        "SELECT payload FROM outbox WHERE op_type = 'elder.upsert'")]
    assert op["card_no"] == "10000052" and op["dietary"] == ["low_salt"]
    assert op["mobility"] == "walker" and op["staff_id"] == "staff-zhang"
    tap(qtbot, desk, "停用")
    assert screen_says(desk, "状态：已停用") and not screen_says(desk, "今天午餐")


def test_the_family_may_be_told_only_where_an_emergency_contact_is_given(qtbot, desk):
    sign_in(qtbot, desk)
    tap(qtbot, desk, "登记老人")
    form = desk.current
    assert screen_says(desk, "求助未及时处理时可通知家属")
    toggle = find_button(desk, "同意")
    assert not toggle.isEnabled() and toggle.property("role") == "staff_chip"
    form.edits["name"].setText("赵桂兰")
    form.edits["card_no"].setText("10000053")
    form.edits["emergency_name"].setText("赵明")
    assert not toggle.isEnabled()  # a name alone is nobody to call
    form.edits["emergency_phone"].setText("13900000000")
    assert toggle.isEnabled() and toggle.text() == "同意"
    tap(qtbot, desk, "同意")
    assert toggle.text() == "✔ 同意" and toggle.property("role") == "staff_chip_on"
    assert "求助未及时处理时可通知家属" in toggle.accessibleName()
    tap(qtbot, desk, "下一步")
    tap(qtbot, desk, "保存")
    assert desk.current.name == "staff_elder"
    [op] = [json.loads(r["payload"]) for r in desk.core.store.query(
        "SELECT payload FROM outbox WHERE op_type = 'elder.upsert'")]
    assert op["notify_family"] is True
    assert op["emergency_contact"] == {"name": "赵明", "phone": "13900000000"}
    tap(qtbot, desk, "修改资料")  # editing again shows the consent given
    assert find_button(desk, "同意").text() == "✔ 同意"
    desk.current.edits["emergency_phone"].setText("")
    assert not toggle.isEnabled() and toggle.text() == "同意"


def test_day_lists_on_screen_and_as_csv_and_pdf(qtbot, desk):
    core = desk.core
    core.meals.book("elder-0001", "meal:2026-11-24:lunch", "pickup")
    core.meals.book("elder-0002", "meal:2026-11-24:lunch", "delivery")
    sign_in(qtbot, desk)
    tap(qtbot, desk, "每日名单")
    assert screen_says(desk, "午餐共 2 份：在食堂吃 0、到食堂取 1、送餐上门 1")
    assert screen_says(desk, "王秀英") and screen_says(desk, "待确认")
    tap(qtbot, desk, "导出表格 CSV")
    csv_path = core.settings.data_dir / "exports" / "day-lists-2026-11-24.csv"
    assert screen_says(desk, breakable(csv_path)) and "李建国" in csv_path.read_text("utf-8-sig")
    tap(qtbot, desk, "导出打印 PDF")
    pdf = csv_path.with_suffix(".pdf")
    assert screen_says(desk, breakable(pdf)) and pdf.read_bytes().startswith(b"%PDF")
    tap(qtbot, desk, "保洁")
    assert screen_says(desk, "还没有预订") or screen_says(desk, "没有这项服务的数据")


def refuse_first(core, op_type, reason):
    row = next(r for r in pending_rows(core.store, 500) if r.op_type == op_type)
    apply_results(core.store, core.clock, [row], [{"op_id": row.op_id, "status": "rejected",
                                                   "reason": reason, "data": {}}])


def test_attention_list_help_refusals_and_complaints_until_dealt_with(qtbot, desk):
    core = desk.core
    core.meals.book("elder-0001", "meal:2026-11-25:lunch", "pickup")
    refuse_first(core, "booking.create", "full")
    core.help.ask("elder-0002", "urgent")
    sign_in(qtbot, desk)
    tap(qtbot, desk, "待处理 2")
    assert screen_says(desk, "紧急求助 · 李建国") and screen_says(desk, "预订未成功")
    assert screen_says(desk, "有预订未成功的老人：王秀英（1）")
    tap(qtbot, desk, "已收到")
    assert screen_says(desk, "已收到") and screen_says(desk, "紧急求助")
    assert screen_says(desk, "已收到：张社工")
    tap(qtbot, desk, "已解决")  # not to do any more: shown for the rest of the day, as done
    assert screen_says(desk, "紧急求助 · 李建国 · 08:00 · 已解决：张社工")
    assert find_button(desk, "已处理") and desk.current.to_do == 1
    tap(qtbot, desk, "已处理")
    assert screen_says(desk, "没有要处理的事") and screen_says(desk, "已解决：张社工")
    states = [json.loads(r["payload"])["state"] for r in core.store.query(
        "SELECT payload FROM outbox WHERE op_type = 'help.update' ORDER BY seq")]
    assert states == ["acknowledged", "resolved"]


class FakeWorker:
    """What the window's sync link sees of a kiosk.sync.worker.SyncWorker."""

    def __init__(self) -> None:
        self.nudged = 0

    def add_listener(self, listener) -> None:
        pass

    def stop(self) -> None:
        pass

    def nudge(self) -> None:
        self.nudged += 1


class SilentSpeech:
    available = False
    unavailable_reason = "no speech engine installed"
    output_problem = ""

    def say(self, text: str) -> None:
        pass


def test_sync_panel_counts_and_sync_now(qtbot, desk):
    desk.core.meals.book("elder-0001", "meal:2026-11-25:lunch", "pickup")
    sign_in(qtbot, desk)
    tap(qtbot, desk, "同步")
    assert screen_says(desk, "待上传") and screen_says(desk, "本机没有语音服务")
    tap(qtbot, desk, "立即同步")
    assert screen_says(desk, "无法同步")
    desk.sync.follow(worker := FakeWorker())
    desk.speaker = SilentSpeech()
    tap(qtbot, desk, "首页")
    tap(qtbot, desk, "同步")
    tap(qtbot, desk, "立即同步")
    assert worker.nudged >= 1 and screen_says(desk, "正在同步")
    assert screen_says(desk, "语音没有声音：这台机器没有装语音程序")  # the reason, in words


def test_settings_are_validated_and_saved_to_the_config_file(qtbot, desk, tmp_path):
    desk.config_path = tmp_path / "kiosk.toml"
    sign_in(qtbot, desk)
    tap(qtbot, desk, "设置")
    for _ in range(3):
        tap(qtbot, desk, "短一点")
    tap(qtbot, desk, "保存")
    assert screen_says(desk, "不能保存") and not desk.config_path.exists()
    for _ in range(4):
        tap(qtbot, desk, "长一点")
    tap(qtbot, desk, "快一点")
    tap(qtbot, desk, "特大")
    tap(qtbot, desk, "保存")
    assert screen_says(desk, "已保存")
    text = desk.config_path.read_text()
    assert "idle_timeout_s = 120" in text and "voice_rate = 160" in text
    assert 'text_size = "larger"' in text and desk.core.settings.idle_timeout_s == 120
    tap(qtbot, desk, "平台与注册")
    desk.current.url.setText("ftp://nowhere")
    desk.current.code.setText("K7QM3XPA")
    tap(qtbot, desk, "注册本机")
    assert screen_says(desk, "不能保存：平台地址要写成 https://platform.example.org 这样")


def test_audit_log_lists_staff_actions(qtbot, desk):
    sign_in(qtbot, desk)
    tap(qtbot, desk, "操作记录")
    assert screen_says(desk, "张社工 · 登录")
