"""Chinese names and addresses on the staff keyboard: pinyin typed on screen or on a keyboard,
characters picked from the candidates by tapping them, the elder saved as typed."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from kiosk import staff
from tests.gui.conftest import find_button, tap, tap_key

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def form(window, qtbot):
    """The elder form of a signed-in staff member, for a new elder."""
    staff.seed_demo_staff(window.core.store, window.core.clock)
    tap_key(qtbot, window, "staff.entry")
    tap(qtbot, window, "张社工")
    for digit in "1234":
        tap(qtbot, window, digit)
    tap_key(qtbot, window, "home.key.ok")
    tap_key(qtbot, window, "staff.menu.register")
    assert window.current.name == "staff_elder_form"
    return window.current


def type_on_screen(qtbot, win, keys: str) -> None:
    for key in keys:
        tap(qtbot, win, key)


def type_physically(win, keys: str) -> None:
    """Key events through the window, as a USB keyboard's arrive, to the focused field."""
    for key in keys:
        QTest.keyClick(win.windowHandle(), key)


def shown(form) -> list[str]:
    return [c.text for c in form.candidates.shown()]


def test_the_cursor_starts_in_the_name_field(qtbot, form):
    assert QApplication.focusWidget() is form.edits["name"]
    assert form.target.current is form.edits["name"]


def test_a_name_and_an_address_typed_in_pinyin_are_saved(qtbot, form, window):
    type_on_screen(qtbot, window, "wangxiuying")
    assert form.candidates.letters.text() == "wangxiuying"
    assert "王" in shown(form) and form.edits["name"].text() == ""
    tap(qtbot, window, "王")  # wang; xiuying still waits
    assert form.edits["name"].text() == "王" and form.candidates.letters.text() == "xiuying"
    assert shown(form)[0] == "秀英"
    tap(qtbot, window, "秀英")
    assert form.edits["name"].text() == "王秀英" and not form.pinyin.composing
    form.edits["card_no"].setFocus()
    type_on_screen(qtbot, window, "10000060")
    form.edits["phone"].setFocus()
    type_on_screen(qtbot, window, "13800000000")
    form.edits["address"].setFocus()
    type_on_screen(qtbot, window, "xingfuli")
    tap(qtbot, window, "幸福")
    tap(qtbot, window, "里")
    for key in ("3", "号", "楼", "2", "单元", "5", "0", "1", "室"):
        tap(qtbot, window, key)
    assert form.edits["address"].text() == "幸福里3号楼2单元501室"
    tap_key(qtbot, window, "staff.form.next")
    tap_key(qtbot, window, "staff.form.save")
    assert window.current.name == "staff_elder"
    row = window.core.store.query_one(
        "SELECT name, address FROM elders WHERE card_no = '10000060'")
    assert (row["name"], row["address"]) == ("王秀英", "幸福里3号楼2单元501室")
    [op] = [json.loads(r["payload"]) for r in window.core.store.query(
        "SELECT payload FROM outbox WHERE op_type = 'elder.upsert'")]
    assert (op["name"], op["address"]) == ("王秀英", "幸福里3号楼2单元501室")


def test_one_syllable_at_a_time(qtbot, form, window):
    for letters, character in (("wang", "王"), ("xiu", "秀"), ("ying", "英")):
        type_on_screen(qtbot, window, letters)
        tap(qtbot, window, character)
    assert form.edits["name"].text() == "王秀英"


def test_a_keyboard_gets_the_same_candidates_and_picks_by_number(qtbot, form, window):
    type_on_screen(qtbot, window, "xiuying")
    on_screen = shown(form)
    tap_key(qtbot, window, "staff.key.clear")
    type_physically(window, "xiuying")
    assert shown(form) == on_screen and form.edits["name"].text() == ""
    type_physically(window, "1")  # the first candidate: 秀英
    assert form.edits["name"].text() == "秀英"
    type_physically(window, "wang ")  # Space takes the first one
    assert form.edits["name"].text() == "秀英" + shown_first(form, "wang")
    QTest.keyClick(window.windowHandle(), Qt.Key.Key_Backspace)  # no pinyin waiting: a character
    assert form.edits["name"].text() == "秀英"


def shown_first(form, letters: str) -> str:
    from kiosk.pinyin_input import Composition, PinyinDictionary

    return Composition(letters).candidates(PinyinDictionary.shared())[0].text


def test_candidates_page_and_deleting_takes_back_letters(qtbot, form, window):
    type_on_screen(qtbot, window, "shi")
    first = shown(form)
    assert len(first) >= 2
    tap_key(qtbot, window, "staff.ime.next")
    assert shown(form) and not set(shown(form)) & set(first)
    tap_key(qtbot, window, "staff.ime.previous")
    assert shown(form) == first
    tap_key(qtbot, window, "staff.key.delete")
    assert form.candidates.letters.text() == "sh"
    for _ in range(2):
        tap_key(qtbot, window, "staff.key.delete")
    assert form.candidates.letters.text() == "" and shown(form) == []


def test_a_digit_puts_the_waiting_pinyin_in_first(qtbot, form, window):
    form.edits["address"].setFocus()
    type_on_screen(qtbot, window, "louxia")
    tap(qtbot, window, "3")
    assert form.edits["address"].text() == shown_first(form, "louxia") + "3"


def test_latin_letters_on_the_toggle_and_in_number_fields(qtbot, form, window):
    toggle = find_button(window, window.core.text("staff.ime.chinese"))
    assert toggle.accessibleName() == "拼音输入：开"
    tap_key(qtbot, window, "staff.ime.chinese")
    type_on_screen(qtbot, window, "ab")
    assert form.edits["name"].text() == "ab" and not form.pinyin.composing
    assert find_button(window, window.core.text("staff.ime.latin")).accessibleName() \
        == "拼音输入：关"
    form.edits["card_no"].setFocus()
    tap_key(qtbot, window, "staff.ime.latin")
    type_on_screen(qtbot, window, "x")  # no pinyin in a number field
    assert form.edits["card_no"].text() == "x"


def test_the_dictionary_stays_off_the_start_up_path():
    code = ("import sys, ui.main_window, ui.staff.elder_form, ui.staff.pinyin; "
            "print(sorted(m for m in sys.modules if m.startswith('pinyinIME')))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                          check=True, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert done.stdout.strip() == "[]"


def test_register_opens_an_empty_form_after_an_edit_was_left(qtbot, window):
    """An edit of 王秀英 left by 首页: 登记老人 is a new elder, not her record again."""
    staff.seed_demo_staff(window.core.store, window.core.clock)
    tap_key(qtbot, window, "staff.entry")
    tap(qtbot, window, "张社工")
    for key in "1234":
        tap(qtbot, window, key)
    tap_key(qtbot, window, "home.key.ok")
    for key in "wxy":
        tap(qtbot, window, key)
    tap(qtbot, window, "王秀英")
    tap_key(qtbot, window, "staff.elder.edit")
    assert window.current.edits["name"].text() == "王秀英"
    tap_key(qtbot, window, "nav.home")
    tap_key(qtbot, window, "staff.key.clear")
    tap_key(qtbot, window, "staff.menu.register")
    assert window.current.header.title.text() == window.core.text("staff.form.new_title")
    assert all(not edit.text() for edit in window.current.edits.values())


def test_the_field_typed_in_keeps_the_keys_when_the_form_pages_again(qtbot, form, window):
    """Another text size pages the fields again: the keys still type where staff typed, on
    the page it went to; a card-reader message first, then the keys type in a field in sight."""
    form.edits["address"].setFocus()
    window.set_text_size("largest")
    qtbot.wait_until(lambda: form.edits["address"].isVisible())
    for key in ("3", "号"):
        tap(qtbot, window, key)
    assert form.edits["address"].text() == "3号"
    assert QApplication.focusWidget() is form.edits["address"]
    form.card_scanned("%%%")  # not a card: said above the fields, on the first page
    assert form.message.isVisible()
    typing_in = form.target.current
    assert typing_in.isVisible() and QApplication.focusWidget() is typing_in
