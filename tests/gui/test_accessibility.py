"""What a screen reader is told, read through Qt's accessibility interface (QAccessible), as
an assistive technology reads it: which choice of a group is checked, which booking a cancel
button cancels, names for the receipt's QR code and the help-sent tick, what staff typed,
nothing hidden under the "还在吗？" warning, never two buttons of one name (issue 11, item 5)."""
from __future__ import annotations

from collections import Counter

from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible

from kiosk import staff
from tests.gui.conftest import VoiceStandIn, find_button, tap, tap_key, tap_service, type_card
from tests.gui.test_staff_mode import sign_in
from ui.widgets import BigButton

LI = "10000002"


def told(widget) -> QAccessible.State:
    return QAccessible.queryAccessibleInterface(widget).state()


def name(widget) -> str:
    return QAccessible.queryAccessibleInterface(widget).text(QAccessible.Text.Name)


def checked(win, *texts: str) -> list[bool]:
    return [bool(told(find_button(win, text)).checked) for text in texts]


def reachable_buttons(win) -> list[BigButton]:
    """The buttons a screen reader offers: the ones it is not told are invisible."""
    return [b for b in win.findChildren(BigButton) if not told(b).invisible]


def names_twice(win) -> list[str]:
    counts = Counter(name(b) for b in reachable_buttons(win))
    return [text for text, count in counts.items() if count > 1]


def test_text_size_and_language_say_which_is_chosen(qtbot, window):
    window.set_speaker(VoiceStandIn())  # 普通话 / 粤语 / English on the home screen
    assert checked(window, "大", "特大", "超大") == [True, False, False]
    assert told(find_button(window, "大")).checkable
    tap(qtbot, window, "超大")
    assert checked(window, "大", "特大", "超大") == [False, False, True]
    tap(qtbot, window, "超大")  # tapping the chosen one again leaves it chosen
    assert checked(window, "超大") == [True]
    assert checked(window, "普通话", "粤语", "English") == [True, False, False]
    assert name(find_button(window, "English")) == "语言：English"


def test_sound_levels_say_which_is_chosen(qtbot, window):
    window.set_speaker(VoiceStandIn())
    tap_key(qtbot, window, "voice.entry")
    tap_key(qtbot, window, "voice.slow")
    speed = [window.core.text(f"voice.{step}") for step in ("slow", "normal", "fast")]
    buttons = window.current.speed_buttons
    assert [bool(told(buttons[s]).checked) for s in ("slow", "normal", "fast")] \
        == [True, False, False], speed


def test_cleaning_needs_are_checked_not_only_marked(qtbot, window):
    type_card(qtbot, window, LI)
    for text in ("助洁", "明天", "上午", "日常保洁"):
        tap(qtbot, window, text)
    pets = find_button(window, "家有宠物")
    assert name(pets) == "家有宠物" and not told(pets).checked and told(pets).checkable
    tap(qtbot, window, "家有宠物")
    assert name(pets) == "家有宠物" and told(pets).checked  # the glyph shows it, too
    assert pets.text().startswith("✓")


def test_confirm_screens_have_one_back_and_name_every_button_once(qtbot, window):
    type_card(qtbot, window, LI)
    for text in ("助餐", "明天", "午餐", "订这一餐", "在食堂吃"):
        tap(qtbot, window, text)
    assert window.current.name == "confirm"
    assert names_twice(window) == []
    assert [name(b) for b in reachable_buttons(window)].count("返回") == 1
    tap(qtbot, window, "返回修改")  # says what it does: back to change the choice
    assert window.current.name == "meal_mode"
    window.show_screen("services")
    for text in ("助医", "体检", "明天"):
        tap(qtbot, window, text)
    assert window.current.name == "confirm" and names_twice(window) == []


def test_two_bookings_two_cancel_buttons_that_say_which(qtbot, window):
    core = window.core
    core.meals.book("elder-0002", "meal:2026-11-25:lunch", "dine_in")
    core.meals.book("elder-0002", "meal:2026-11-25:dinner", "pickup")
    type_card(qtbot, window, LI)
    tap_service(qtbot, window, "my_bookings")
    cancels = [b for b in reachable_buttons(window) if b.text() == "取消这个预订"]
    names = [name(b) for b in cancels]
    assert len(cancels) == 2 and len(set(names)) == 2, names
    assert any("午餐" in n for n in names) and any("晚餐" in n for n in names)
    assert all(n.startswith("取消：") for n in names)
    assert names_twice(window) == []


def test_the_receipt_qr_code_and_the_help_tick_have_names(qtbot, window):
    type_card(qtbot, window, LI)
    for text in ("助餐", "明天", "午餐", "订这一餐", "在食堂吃", "确认"):
        tap(qtbot, window, text)
    number = window.core.session.receipt.number
    assert name(window.current.qr) == f"预订号 {number} 的二维码"
    tap_key(qtbot, window, "nav.help")
    tick = window.current.done_icon
    tap_key(qtbot, window, "help.yes")
    assert name(tick) == "求助已发出" and not told(tick).invisible


def test_staff_search_day_lists_and_settings_say_their_state(qtbot, window, tmp_path):
    staff.seed_demo_staff(window.core.store, window.core.clock)
    window.config_path = tmp_path / "kiosk.toml"
    sign_in(qtbot, window)
    display = window.current.display
    assert name(display) == "查找老人"
    for key in "wxy":
        tap(qtbot, window, key)
    assert name(display) == "查找老人：wxy"
    tap_key(qtbot, window, "staff.key.clear")
    tap_key(qtbot, window, "staff.menu.day_lists")
    assert checked(window, "今天", "明天", "后天") == [True, False, False]
    assert checked(window, "餐食", "保洁", "门诊") == [True, False, False]
    tap(qtbot, window, "明天")
    tap(qtbot, window, "门诊")
    assert checked(window, "今天", "明天", "后天") == [False, True, False]
    assert checked(window, "餐食", "保洁", "门诊") == [False, False, True]
    window.go_home()
    tap_key(qtbot, window, "staff.menu.settings")
    contrast = [b for b in reachable_buttons(window) if name(b).startswith("高对比度")]
    assert [bool(told(b).checked) for b in contrast] == [True, False]  # 关 (off) chosen
    contrast[1]._last_tap = -1e9
    qtbot.mouseClick(contrast[1], Qt.MouseButton.LeftButton)  # 开 (on): two rows say 开
    assert [bool(told(b).checked) for b in contrast] == [False, True]


def test_under_the_idle_warning_nothing_else_is_offered(qtbot, window):
    type_card(qtbot, window, LI)
    services = reachable_buttons(window)
    assert any(b.text().startswith("助餐") for b in services)
    window.core.clock.advance(seconds=window.core.settings.idle_timeout_s + 1)
    window.idle.tick()
    offered = [b.text() for b in reachable_buttons(window)]
    assert offered == ["继续"]
    tap(qtbot, window, "继续")
    assert all(not told(b).invisible for b in services)
