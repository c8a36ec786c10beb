"""Layout and wording (issue 11, item 6): a booking card reads what, status, actions; the meal
receipt says it is booked; a meal says by when on which day; menu tags are words, not buttons;
times big in their tiles; settings in columns; a done export not red; staff booking for an elder
see her name; 求助 and the page buttons as big as a main action; full screen without a window
manager; a locked PIN locks the keys; the home screen forgets half a card number and says why
it signed someone out."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QLabel

from kiosk import staff
from tests.gui.conftest import (
    LANGUAGES,
    find_button,
    screen_says,
    tap,
    tap_key,
    tap_service,
    type_card,
    visible_buttons,
)
from tests.gui.measure import SCREENS, on_screen, window_problems
from tests.gui.test_staff_mode import sign_in
from tests.needs import unavailable
from ui.screens.home import NOTICE_S
from ui.theme import PRIMARY_MM, TEXT_SIZES

ROOT = Path(__file__).resolve().parents[2]
LI, WANG = "10000002", "10000001"


def top(window, widget) -> int:
    return widget.mapTo(window, QPoint(0, 0)).y()


def shown_label(window, text: str) -> QLabel:
    [found] = [w for w in window.findChildren(QLabel) if w.isVisible() and w.text() == text]
    return found


def mm_tall(window, widget) -> float:
    return widget.height() / window.metrics.px_per_mm


def test_a_booking_card_says_what_then_its_status_then_what_to_do(qtbot, window):
    window.core.meals.book("elder-0002", "meal:2026-11-25:lunch", "dine_in")
    type_card(qtbot, window, LI)
    tap_service(qtbot, window, "my_bookings")
    what = shown_label(window, "11月25日 星期三 午餐，在食堂吃")
    status = shown_label(window, "待确认")
    cancel = find_button(window, "取消这个预订")
    assert top(window, what) < top(window, status) < top(window, cancel)
    assert status.property("role") == "state_wait"  # coloured words, no box like a field
    assert "border" not in theme_rule("QLabel[role=\"state_wait\"]")


def theme_rule(selector: str) -> str:
    qss = (ROOT / "assets" / "theme.qss").read_text(encoding="utf-8")
    start = qss.index(selector + " {")
    return qss[start:qss.index("}", start)]


def test_the_meal_receipt_says_it_is_booked_not_the_question(qtbot, window):
    type_card(qtbot, window, WANG)
    for text in ("助餐", "明天", "午餐", "订这一餐", "到食堂取", "确认"):
        tap(qtbot, window, text)
    summary = window.current.summary.text()
    assert summary == "11月25日 星期三 午餐，到食堂取，您付¥12.00。"
    assert "您要订" not in summary and "吗" not in summary


def test_a_meal_says_by_when_on_which_day_it_can_be_booked(qtbot, window):
    type_card(qtbot, window, WANG)
    tap(qtbot, window, "助餐")
    tap(qtbot, window, "今天")
    assert find_button(window, "午餐").text() == "午餐\n今天 09:30 前可订"
    tap_key(qtbot, window, "nav.back")
    tap(qtbot, window, "明天")
    assert find_button(window, "晚餐").text() == "晚餐\n明天 15:00 前可订"


def test_menu_tags_are_words_not_buttons(qtbot, window):
    type_card(qtbot, window, WANG)
    for text in ("助餐", "明天", "午餐"):
        tap(qtbot, window, text)
    tags = [w for w in window.findChildren(QLabel) if w.isVisible() and w.property("role") == "tag"]
    assert tags and all(tag.text() for tag in tags)
    assert {"清真", "软食、素食"} <= {tag.text() for tag in tags}
    rule = theme_rule('QLabel[role="tag"]')
    assert "border" not in rule and "background" not in rule


def test_times_are_big_in_their_big_tiles(qtbot, window):
    type_card(qtbot, window, LI)
    for text in ("助医", "门诊挂号", "全科", "明天"):
        tap(qtbot, window, text)
    tile = find_button(window, "09:00–09:30")
    assert tile.font().pixelSize() >= window.metrics.title_font
    assert mm_tall(window, tile) > 40  # the tiles are large: the words are too


def test_help_and_the_page_buttons_are_as_big_as_a_main_action(qtbot, window):
    type_card(qtbot, window, LI)
    tap(qtbot, window, "助洁")
    help_button = find_button(window, "求助")
    following = find_button(window, "下一页")
    assert mm_tall(window, help_button) >= PRIMARY_MM - 0.5
    assert mm_tall(window, following) >= PRIMARY_MM - 0.5
    back = find_button(window, "返回")
    assert help_button.property("role") == "help" != back.property("role")  # unlike the rest


def test_settings_choices_line_up_in_columns(qtbot, window, tmp_path):
    staff.seed_demo_staff(window.core.store, window.core.clock)
    window.config_path = tmp_path / "kiosk.toml"
    sign_in(qtbot, window)
    tap_key(qtbot, window, "staff.menu.settings")
    lefts = {}
    for (name, _value), button in window.current.choices.items():
        lefts.setdefault(name, []).append(button.mapTo(window, QPoint(0, 0)).x())
    rows = list(lefts.values())
    assert all(row == rows[0][:len(row)] for row in rows), lefts


def test_a_done_export_is_news_not_an_error(qtbot, window, tmp_path):
    staff.seed_demo_staff(window.core.store, window.core.clock)
    sign_in(qtbot, window)
    tap_key(qtbot, window, "staff.menu.day_lists")
    tap_key(qtbot, window, "daylist.export_csv")
    assert window.current.message.property("role") == "status_ok"
    assert screen_says(window, "已导出")


def staff_books_lunch_for_wang(qtbot, window) -> None:
    """张社工 signs in (by message keys: the same in every language) and finds 王秀英."""
    staff.seed_demo_staff(window.core.store, window.core.clock)
    tap_key(qtbot, window, "staff.entry")
    tap(qtbot, window, "张社工")
    for digit in "1234":
        tap(qtbot, window, digit)
    tap_key(qtbot, window, "home.key.ok")
    for text in ("w", "x", "y"):
        tap(qtbot, window, text)
    tap(qtbot, window, "王秀英")


def test_staff_booking_for_an_elder_see_her_name_on_every_step(qtbot, window):
    staff_books_lunch_for_wang(qtbot, window)
    tap(qtbot, window, window.core.text("staff.elder.services"))
    for text in ("助餐", "明天", "午餐", "订这一餐", "到食堂取"):
        assert screen_says(window, "代办：王秀英"), window.current.name
        tap(qtbot, window, text)
    assert window.current.name == "confirm" and screen_says(window, "代办：王秀英")
    tap(qtbot, window, "确认")
    assert screen_says(window, "代办：王秀英")
    tap(qtbot, window, "回到首页")  # the staff home: nobody's name any more
    window.staff_mode.sign_out()
    type_card(qtbot, window, WANG)  # she books for herself: no 代办
    assert not screen_says(window, "代办")


@pytest.mark.parametrize("screen", SCREENS)
@pytest.mark.parametrize("size", TEXT_SIZES)
@pytest.mark.parametrize("language", LANGUAGES)
def test_staff_booking_screens_with_the_name_meet_the_rules(qtbot, window, language, screen,
                                                            size):
    staff_books_lunch_for_wang(qtbot, window)
    metrics = on_screen(window, screen, size)
    problems = []
    tap_key(qtbot, window, "staff.elder.services")
    problems += [f"services: {p}" for p in window_problems(window, screen, metrics)]
    tap_service(qtbot, window, "meal")
    for key in ("day.tomorrow", "meal.lunch", "menu.book", "mode.pickup"):
        problems += [f"{window.current.name}: {p}"
                     for p in window_problems(window, screen, metrics)]
        tap_key(qtbot, window, key)
    problems += [f"confirm: {p}" for p in window_problems(window, screen, metrics)]
    assert window.current.header.acting_for.isVisible()
    assert not problems, "\n".join(problems)


def test_a_locked_pin_turns_the_keys_off_and_says_so_until_it_is_over(qtbot, window):
    core = window.core
    staff.seed_demo_staff(core.store, core.clock)
    for _ in range(5):
        sign_in(qtbot, window, pin="9999")
        tap_key(qtbot, window, "nav.home")
    sign_in(qtbot, window, pin="9999")
    screen = window.current
    assert screen.name == "staff_pin" and screen_says(window, "已锁定")
    assert not screen.ok.isEnabled() and not find_button(window, "1").isEnabled()
    tap_key(qtbot, window, "nav.home")
    tap(qtbot, window, "工作人员")
    tap(qtbot, window, "张社工")  # back again: still locked, and still said
    assert screen_says(window, "已锁定") and not screen.ok.isEnabled()
    core.clock.advance(minutes=5)
    screen.lock_timer.timeout.emit()  # its next look, a second later
    assert screen.ok.isEnabled() and find_button(window, "1").isEnabled()
    assert not screen_says(window, "已锁定")


def test_half_a_card_number_is_forgotten_when_nobody_is_there(qtbot, window):
    for digit in "1000":
        tap(qtbot, window, digit)
    assert window.current.display.text() == "1000"
    window.core.clock.advance(seconds=window.core.settings.idle_timeout_s - 1)
    window.idle.tick()
    assert window.current.display.text() == "1000"  # still typing, slowly
    window.core.clock.advance(seconds=1)
    window.idle.tick()
    assert window.current.display.text() == window.core.text("home.card_empty")


def test_after_an_idle_sign_out_home_says_why_for_a_while(qtbot, window, speaker):
    type_card(qtbot, window, LI)
    settings = window.core.settings
    window.core.clock.advance(seconds=settings.idle_timeout_s + settings.idle_warning_s)
    window.idle.tick()
    home = window.current
    words = window.core.text("idle.signed_out")
    assert home.name == "home" and screen_says(window, words)
    assert home.message.property("role") == "status_wait"  # news, not an error
    assert speaker.said[-1].startswith(words) and speaker.said[-1].endswith(home.t("home.prompt"))
    assert home.notice_timer.isActive() and home.notice_timer.interval() == NOTICE_S * 1000
    home.notice_timer.timeout.emit()
    assert not screen_says(window, words) and screen_says(window, home.t("home.instruction"))
    assert home.prompt() == home.t("home.prompt")


def test_after_a_sign_out_by_hand_home_says_nothing_of_it(qtbot, window):
    type_card(qtbot, window, LI)
    tap_key(qtbot, window, "nav.home")
    assert not screen_says(window, window.core.text("idle.signed_out"))
    assert all(b.isEnabled() for b in visible_buttons(window))


# The kiosk as `kiosk --quit-after-start` starts it full screen on an X server with no window
# manager (as under a kiosk compositor that does not resize): where is its window?
FULL_SCREEN_PROBE = """
import json, sys
from PySide6.QtCore import QTimer
import ui.first_frame

def report(app):
    def at_first_frame():
        def after():
            from PySide6.QtWidgets import QApplication
            window = next(w for w in QApplication.topLevelWidgets() if hasattr(w, "card_reader"))
            g, s = window.geometry(), app.primaryScreen().geometry()
            print(json.dumps({"window": [g.x(), g.y(), g.width(), g.height()],
                              "screen": [s.x(), s.y(), s.width(), s.height()]}))
            app.quit()
        QTimer.singleShot(300, after)
    return at_first_frame

ui.first_frame.report_and_quit = report
from ui.app import main
sys.exit(main(sys.argv[1:]))
"""


def test_full_screen_fills_the_screen_without_a_window_manager(tmp_path):
    if shutil.which("xvfb-run") is None:
        unavailable("xvfb-run is not installed (scripts/setup.sh installs it)")
    env = {**os.environ, "QT_QPA_PLATFORM": "xcb", "KIOSK_VOICE_ENABLED": "false"}
    done = subprocess.run(
        ["xvfb-run", "-a", "-s", "-screen 0 1920x1080x24", sys.executable, "-c",
         FULL_SCREEN_PROBE, "--demo", "--quit-after-start", "--data-dir",
         str(tmp_path / "data"), "--config", str(tmp_path / "none.toml")],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=True)
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["window"] == seen["screen"] == [0, 0, 1920, 1080]
