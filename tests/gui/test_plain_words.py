"""Staff screens and exports say everything in words (issue 11, item 4): every staff screen and
state, the CSV and the PDF, in Chinese and English, and no internal code on them — no
"general" or "standard" for 全科 or 日常保洁, no "no audio output device", no idle_timeout_s.
In Chinese, Latin letters are only names (CSV, PDF, English, a file's path, the platform's
address, what staff typed and the keyboard's keys); in English, no code of the core's."""
from __future__ import annotations

import csv
import re

import pytest
from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton

from kiosk import day_lists
from kiosk.languages import all_languages
from kiosk.sync.push import apply_results, pending_rows, quarantine
from tests.gui.conftest import LANGUAGES, tap, tap_key
from tests.gui.test_staff_measured import seed, walk
from ui.staff.pdf import day_lists_html

LATIN = re.compile(r"[A-Za-z][A-Za-z0-9_\-']*")
PATH = re.compile(r"(?:[A-Za-z]:)?(?:[/\\][^\s/\\，。：、；）]+)+")
URL = re.compile(r"https?://[^\s，。、；）]+")
FORMATS = {"CSV", "PDF"}
# How the core names things: a code joined by _ or . (idle_timeout_s, booking.create).
JOINED_CODE = re.compile(r"\b[a-z]+(?:[_.][a-z]+)+\b")
# Reasons the speech service gives in English for the log, never for the screen.
SPEECH_REASONS = ("no audio output device", "espeak-ng is not installed")
UNKNOWN_REFUSAL = "quota_exceeded"


def codes() -> set[str]:
    """Every code of the core that has words of its own: a screen shows the words."""
    from elder_wire.meals import DIET_TAGS, MEALS, MODES

    return {*DIET_TAGS, *MEALS, *MODES, "general", "tcm", "rehab", "standard", "deep", "am",
            "pm", "tentative", "confirmed", "rejected", "cancelled", "completed",
            "acknowledged", "resolved", "urgent", "assist", UNKNOWN_REFUSAL}  # "open" is a word


def shown(win) -> list[tuple[str, str]]:
    """(what, text) of everything on show and everything said to a screen reader; the search
    field, the text fields, the pinyin being typed and the keyboard's keys show what staff type
    (pinyin, letters)."""
    found = []
    for widget in win.findChildren(QLabel) + win.findChildren(QPushButton) \
            + win.findChildren(QLineEdit):
        if not widget.isVisible() or widget.window() is not win:
            continue
        if widget.property("role") in ("field", "staff_key") or isinstance(widget, QLineEdit):
            continue
        if widget is getattr(widget.parent(), "letters", None):  # the pinyin being typed
            continue
        name = f"{type(widget).__name__} {widget.text()!r}"
        found += [(name, text) for text in {widget.text(), widget.accessibleName()} if text]
    return found


def problems_in(texts: list[tuple[str, str]], language: str) -> list[str]:
    names = FORMATS | {choice.name for choice in all_languages()}
    known = codes()
    problems = []
    for where, text in texts:
        plain = PATH.sub(" ", URL.sub(" ", text.replace("\u200b", "")))
        words = LATIN.findall(plain)
        if language != "en":
            odd = [word for word in words if word not in names]
        else:
            parts = re.split(r"\s*[·：:，,;\n]\s*", plain)
            odd = JOINED_CODE.findall(plain) + [part for part in parts if part in known]
        odd += [reason for reason in SPEECH_REASONS if reason in text]
        if odd:
            problems.append(f"{where}: {odd} in {text!r}")
    return problems


def more_to_see(window) -> None:
    """Tomorrow's cleaning and clinic lists, a failed upload and an unknown refusal, a speaker
    that cannot be heard: what the shared walk leaves out."""
    core = window.core
    core.flow("clinic").book("elder-0004", "clinic:2026-11-25:general:1400")
    core.meals.book("elder-0013", "meal:2026-11-25:dinner", "dine_in")
    row = next(r for r in pending_rows(core.store, 500) if r.op_type == "booking.create"
               and "elder-0013" in r.wire.decode())
    apply_results(core.store, core.clock, [row], [{"op_id": row.op_id, "status": "rejected",
                                                   "reason": UNKNOWN_REFUSAL, "data": {}}])
    core.complaints.file("elder-0005", reasons=("late",), staff_id="staff-zhang")
    complaint = next(r for r in pending_rows(core.store, 500)
                     if r.op_type == "complaint.create")
    quarantine(core.store, core.clock, [complaint], {"code": "invalid_payload"})


class MutedSpeaker:
    """A speech service that started but plays nothing (no speaker plugged in)."""

    available = True
    unavailable_reason = ""
    output_problem = SPEECH_REASONS[0]
    languages = ("zh_CN",)

    def say(self, text: str) -> None:
        pass


class NoEngine(MutedSpeaker):
    available = False
    unavailable_reason = SPEECH_REASONS[1]
    output_problem = ""


def walk_more(qtbot, win, tmp_path):
    yield from walk(qtbot, win)
    win.go_home()
    tap_key(qtbot, win, "staff.menu.day_lists")
    tap_key(qtbot, win, "day.tomorrow")
    yield "day lists, meals tomorrow"
    tap_key(qtbot, win, "daylist.cleaning")
    yield "day lists, cleaning tomorrow"
    tap_key(qtbot, win, "daylist.clinic")
    yield "day lists, clinic tomorrow"
    win.go_home()
    tap_key(qtbot, win, "staff.menu.attention")
    yield "attention, an upload failed and a refusal not known"
    for speaker, state in ((MutedSpeaker(), "no speaker"), (NoEngine(), "no speech engine")):
        win.speaker = speaker
        win.go_home()
        tap_key(qtbot, win, "staff.menu.sync")
        yield f"sync, {state}"
    win.go_home()
    tap_key(qtbot, win, "staff.menu.settings")
    for _ in range(30):
        tap(qtbot, win, win.core.text("settings.voice_rate.more"))
    tap_key(qtbot, win, "staff.form.save")
    yield "settings, voice too fast"
    tap_key(qtbot, win, "staff.settings.platform")
    win.current.url.setText("ftp://nowhere")
    win.current.code.setText("K7QM3XPA")
    tap_key(qtbot, win, "staff.settings.enrol")
    yield "platform and enrolment, an address not allowed"
    win.go_home()
    tap_key(qtbot, win, "staff.menu.audit")
    yield "audit, with a complaint made for an elder"


def exported(win, tmp_path) -> list[tuple[str, str]]:
    """Tomorrow's lists as the CSV and the PDF's document say them, cell by cell."""
    t, core = win.core.text, win.core
    lists = day_lists.day_lists(core.store, core.clock.today().replace(day=25))
    assert lists.services["cleaning"].lines and lists.services["clinic"].lines and lists.meals
    path = day_lists.export_csv(lists, tmp_path, t)
    with path.open(encoding="utf-8-sig", newline="") as fh:
        cells = [("CSV", cell) for row in csv.reader(fh) for cell in row if cell]
    html = day_lists_html(t, lists, [])
    cells += [("PDF", cell) for cell in re.findall(r">([^<>]+)<", html)]
    return cells


@pytest.mark.parametrize("language", LANGUAGES)
def test_staff_screens_and_exports_say_no_internal_code(qtbot, window, tmp_path, language):
    seed(window, tmp_path)
    more_to_see(window)
    problems = []
    states = 0
    for state in walk_more(qtbot, window, tmp_path):
        states += 1
        problems += [f"{state}: {p}" for p in problems_in(shown(window), language)]
    problems += problems_in(exported(window, tmp_path), language)
    assert states > 40
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_check_sees_codes(language):
    """What the check is for: a code on screen or in an export is found."""
    texts = [("label", "门诊 · general · 王秀英"),
             ("label", "语音播放有问题：no audio output device"), ("cell", "standard"),
             ("label", "不能保存：idle_timeout_s must be between")]
    assert len(problems_in(texts, language)) == 4
    fine = [("button", "导出表格 CSV"), ("label", "已导出：/tmp/x/day-lists-2026-11-25.csv"),
            ("label", "平台地址要写成 https://platform.example.org 这样"), ("button", "English")]
    assert problems_in(fine, language) == []


def test_settings_problems_and_speech_reasons_in_words():
    import errno

    from kiosk.config import load_settings
    from kiosk.i18n import Translator
    from kiosk.settings_file import problem_text, validated
    from kiosk.speech_problems import OTHER, problem_key

    t = Translator("zh_CN")
    with pytest.raises(ValueError) as too_fast:
        validated(load_settings(None), {"voice_rate": 310})
    assert problem_text(t, too_fast.value) == "语速要在每分钟 60 到 300 字之间"
    assert problem_text(t, PermissionError(errno.EACCES, "Permission denied")) \
        == "没有权限写设置文件，请找技术支持"
    assert problem_text(t, OSError(errno.ENOSPC, "No space left")) == "磁盘满了，请找技术支持"
    assert t(problem_key("no audio output device")) == "这台机器没有接音箱"
    assert t(problem_key("speech engine is starting again (no answer)")) == "语音正在启动"
    assert problem_key("something new went wrong") == OTHER
