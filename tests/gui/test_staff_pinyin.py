"""Chinese names and addresses on the staff keyboard: pinyin typed on screen or on a keyboard,
characters picked from the candidates by tapping them, the elder saved as typed; the index read
a few pages a tap, or built by another process while the letters wait."""
from __future__ import annotations

import contextlib
import gc
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from kiosk import pinyin_index, staff
from tests.gui.conftest import find_button, tap, tap_key

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def index(pinyin_index_file):
    """Where set-up built it, or built for the session: the kiosk finds it."""
    return pinyin_index_file


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


def test_the_first_pinyin_reads_a_few_index_pages_and_never_pinyinime(qtbot, form, window,
                                                                     monkeypatch, index):
    """What the first tap costs, by what it does (not by a clock): no pinyinIME in the process,
    a few hundred objects (loading it made two million), a few thousand SQLite steps, and every
    tap's SQL searching by an index, never scanning the words."""
    statements, steps = [], []
    connect = pinyin_index.connect

    def watched(path):
        db = connect(path)
        db.set_trace_callback(statements.append)
        db.set_progress_handler(lambda: steps.append(1), 1000)  # each 1000 SQLite steps
        return db

    monkeypatch.setattr(pinyin_index, "connect", watched)
    gc.collect()
    objects = len(gc.get_objects())
    type_on_screen(qtbot, window, "w")
    assert "王" in [c.text for c in form.candidates.candidates]
    assert "pinyinIME" not in sys.modules
    assert len(gc.get_objects()) - objects < 5_000
    assert len(steps) < 10  # under 10,000 steps: a scan of the words would be millions
    type_on_screen(qtbot, window, "angxiuying")  # and every tap after it
    assert "王" in shown(form)
    with contextlib.closing(connect(index)) as db:
        plans = [row[-1] for sql in statements for row in db.execute(f"EXPLAIN QUERY PLAN {sql}")]
    assert plans and all(p.startswith("SEARCH") or p == "SCAN syllables" for p in plans), plans
    assert len(steps) < 50 and "pinyinIME" not in sys.modules


@pytest.fixture
def not_built(tmp_path, monkeypatch):
    """A kiosk installed without set-up's index, that has not built one in its cache yet."""
    cache = tmp_path / "cache"
    monkeypatch.setattr(pinyin_index, "locations", lambda: [tmp_path / "setup", cache])
    monkeypatch.setattr(pinyin_index, "cache_dir", lambda: cache)
    return cache


def build_stand_in(monkeypatch, script: str) -> None:
    """The build replaced by a quicker one, a process of its own all the same."""
    monkeypatch.setattr(pinyin_index, "build_command",
                        lambda directory: [sys.executable, "-c", script, str(directory)])


def test_without_an_index_another_process_builds_it_while_letters_wait(
        qtbot, form, window, monkeypatch, not_built, index, tmp_path):
    gate = tmp_path / "go"
    build_stand_in(monkeypatch, (
        "import pathlib, shutil, sys, time\n"
        f"while not pathlib.Path({str(gate)!r}).exists(): time.sleep(0.02)\n"
        "pathlib.Path(sys.argv[1]).mkdir(parents=True)\n"
        f"shutil.copy({str(index)!r}, sys.argv[1])"))
    type_on_screen(qtbot, window, "li")
    assert form.candidates.letters.text() == window.core.text("staff.ime.loading")
    assert shown(form) == ["li"]  # the letters as they are, meanwhile
    tap(qtbot, window, "li")
    assert form.edits["name"].text() == "li" and not form.pinyin.composing
    type_on_screen(qtbot, window, "wang")
    gate.touch()
    qtbot.wait_until(lambda: "王" in shown(form), timeout=20_000)
    tap(qtbot, window, "王")
    assert form.edits["name"].text() == "li王" and "pinyinIME" not in sys.modules


def test_a_build_that_fails_leaves_letters_only(qtbot, form, window, monkeypatch, not_built):
    build_stand_in(monkeypatch, "import sys; sys.exit('no dictionary data')")
    type_on_screen(qtbot, window, "wang")
    qtbot.wait_until(lambda: form.pinyin.unavailable, timeout=20_000)
    assert form.edits["name"].text() == "wang"
    assert form.candidates.letters.text() == window.core.text("staff.ime.unavailable")
    type_on_screen(qtbot, window, "li")
    assert form.edits["name"].text() == "wangli"
