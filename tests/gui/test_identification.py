"""Signing in by keypad or scanner; unknown cards and scanner garbage; the idle sign-out."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from tests.gui.conftest import screen_says, tap, type_card


def scan(window, text: str) -> None:
    QTest.keyClicks(window, text)
    QTest.keyClick(window, Qt.Key.Key_Return)


def test_an_unknown_card_gets_a_plain_answer_and_the_kiosk_stays_usable(qtbot, window, speaker):
    type_card(qtbot, window, "99999999")
    assert window.current.name == "home"
    assert screen_says(window, "没有找到这张卡。\n请找工作人员帮忙。")
    assert speaker.said[-1] == "没有找到这张卡。\n请找工作人员帮忙。"
    type_card(qtbot, window, "10000001")
    assert window.current.header.title.text() == "王*英，您好"


def test_a_deactivated_card_is_told_apart(qtbot, window):
    inactive = window.core.store.query_one("SELECT card_no FROM elders WHERE active = 0")
    type_card(qtbot, window, inactive["card_no"])
    assert screen_says(window, "这张卡已经停用。")


def test_a_scanned_qr_card_signs_in_without_touching_the_screen(qtbot, window):
    scan(window, "EK1:10000002")
    assert window.current.name == "services"
    assert window.current.header.title.text() == "李*国，您好"


def test_scanner_garbage_is_refused_safely(qtbot, window):
    scan(window, "%$#@!<script>")
    assert window.current.name == "home"
    assert screen_says(window, "这个卡号不对，请再试一次。")
    scan(window, "7" * 300)
    assert screen_says(window, "这个卡号不对，请再试一次。")
    assert not window.core.session.signed_in


def test_a_scan_while_someone_else_is_signed_in_switches_to_the_new_card(qtbot, window):
    type_card(qtbot, window, "10000001")
    tap(qtbot, window, "助餐")
    scan(window, "10000002")
    assert window.current.header.title.text() == "李*国，您好"


def test_the_keypad_edits_the_number(qtbot, window):
    for key in ("1", "2", "3", "退一格"):
        tap(qtbot, window, key)
    assert window.current.display.text() == "12"
    tap(qtbot, window, "清除")
    assert window.current.display.text() == "请按数字键"
    tap(qtbot, window, "确定")
    assert window.current.name == "home"


def test_idle_warning_then_sign_out_clears_the_screen(qtbot, window, clock, speaker):
    type_card(qtbot, window, "10000001")
    tap(qtbot, window, "助餐")
    clock.advance(seconds=window.core.settings.idle_timeout_s + 1)
    window.idle.tick()
    assert window.idle.warning.isVisible()
    assert screen_says(window, "还在吗？")
    assert speaker.said[-1] == "还在吗？要继续，请按继续。"
    tap(qtbot, window, "继续")
    assert not window.idle.warning.isVisible()
    assert window.current.name == "meal_day"
    clock.advance(seconds=window.core.settings.idle_timeout_s + 1)
    window.idle.tick()
    assert window.idle.warning.isVisible()
    clock.advance(seconds=window.core.settings.idle_warning_s)
    window.idle.tick()
    assert window.current.name == "home"
    assert not window.idle.warning.isVisible()
    assert not screen_says(window, "王*英")
