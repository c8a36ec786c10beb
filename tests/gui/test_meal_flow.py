"""An elder books a lunch by tapping visible text, offline, and it is kept."""
from __future__ import annotations

import errno
import subprocess
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QRect

from kiosk.config import load_settings
from kiosk.core import Kiosk
from kiosk.elders import find_by_card
from kiosk.slots import get_slot
from tests.gui.conftest import WINDOW, find_button, screen_says, tap, type_card
from ui.main_window import KioskWindow
from ui.theme import Metrics


def sign_in_wang(qtbot, window):
    type_card(qtbot, window, "10000001")
    assert window.current.name == "services"
    assert window.current.header.title.text() == "王*英，您好"


def test_wang_books_tomorrows_lunch_for_pickup(qtbot, window, speaker):
    assert screen_says(window, "请按数字键")
    sign_in_wang(qtbot, window)
    tap(qtbot, window, "助餐")
    assert window.current.name == "meal_day"
    assert find_button(window, "今天").text().endswith("可以订")
    tap(qtbot, window, "明天")
    assert window.current.header.title.text() == "11月25日 星期三，订哪一餐？"
    assert "09:30 前可订" in find_button(window, "午餐").text()
    tap(qtbot, window, "午餐")
    assert window.current.name == "meal_menu"
    slot = get_slot(window.core.store, "meal:2026-11-25:lunch", window.core.clock.tz)
    for dish in slot.menu:
        assert screen_says(window, dish.name)
        assert all(screen_says(window, window.core.text("tag." + tag)) for tag in dish.tags)
    assert screen_says(window, "每份 ¥15.00，补贴后您付 ¥12.00")
    tap(qtbot, window, "订这一餐")
    assert window.current.name == "meal_mode"
    assert not screen_says(window, "送餐上门")  # her profile does not allow delivery
    tap(qtbot, window, "到食堂取")
    sentence = "您要订11月25日 星期三的午餐，到食堂取，补贴后您付¥12.00。"
    assert screen_says(window, sentence)
    assert speaker.said[-1] == f"{sentence}对的话，请按确认。"
    tap(qtbot, window, "确认")
    assert window.current.name == "receipt"
    booking = window.core.store.query_one("SELECT * FROM bookings")
    assert booking["slot_id"] == "meal:2026-11-25:lunch" and booking["mode"] == "pickup"
    assert screen_says(window, f"预订号 {booking['number']}")
    assert screen_says(window, "已预订，等联网后确认")
    assert window.core.store.query_one("SELECT COUNT(*) FROM outbox")[0] == 1
    # The receipt goes home by itself, and nothing of her stays on screen.
    qtbot.waitUntil(lambda: window.current.name == "home", timeout=5000)
    assert not window.core.session.signed_in
    assert not any(screen_says(window, s) for s in ("王*英", booking["number"]))


def test_delivery_is_offered_when_the_profile_allows_it(qtbot, window):
    type_card(qtbot, window, "10000002")
    tap(qtbot, window, "助餐")
    tap(qtbot, window, "明天")
    tap(qtbot, window, "晚餐")
    tap(qtbot, window, "订这一餐")
    tap(qtbot, window, "送餐上门")
    assert screen_says(window, "送餐上门，补贴后您付¥6.00。")


def test_a_booked_meal_says_so_and_cannot_be_booked_again(qtbot, window, speaker):
    wang = find_by_card(window.core.store, "10000001")
    window.core.meals.book(wang.id, "meal:2026-11-25:lunch", "pickup")
    sign_in_wang(qtbot, window)
    tap(qtbot, window, "助餐")
    tap(qtbot, window, "明天")
    assert "您已订过" in find_button(window, "午餐").text()
    tap(qtbot, window, "午餐")
    assert window.current.name == "meal_choice"
    assert screen_says(window, "您已经订过这一餐了。")
    assert speaker.said[-1] == "您已经订过这一餐了。"


def test_past_the_cutoff_todays_lunch_is_shut(qtbot, window, clock):
    clock.set("2026-11-24T10:00:00")
    sign_in_wang(qtbot, window)
    tap(qtbot, window, "助餐")
    tap(qtbot, window, "今天")
    assert "已过预订时间" in find_button(window, "午餐").text()
    tap(qtbot, window, "午餐")
    assert screen_says(window, "这一餐已经过了预订时间。")
    assert "15:00 前可订" in find_button(window, "晚餐").text()


def test_a_full_meal_found_at_confirm_is_told_plainly_and_nothing_is_booked(qtbot, window):
    sign_in_wang(qtbot, window)
    tap(qtbot, window, "助餐")
    tap(qtbot, window, "明天")
    tap(qtbot, window, "午餐")
    tap(qtbot, window, "订这一餐")
    tap(qtbot, window, "在食堂吃")
    window.core.store.conn.execute(
        "UPDATE slots SET capacity = 0 WHERE id = 'meal:2026-11-25:lunch'")
    tap(qtbot, window, "确认")
    assert window.current.name == "confirm"
    assert screen_says(window, "这一餐已经订满了。")
    assert window.core.store.query_one("SELECT COUNT(*) FROM bookings")[0] == 0


def test_back_goes_one_step_and_home_signs_out(qtbot, window):
    sign_in_wang(qtbot, window)
    tap(qtbot, window, "助餐")
    tap(qtbot, window, "明天")
    tap(qtbot, window, "返回")
    assert window.current.name == "meal_day"
    tap(qtbot, window, "首页")
    assert window.current.name == "home"
    assert not window.core.session.signed_in
    assert not screen_says(window, "王*英")


def test_confirm_is_never_under_the_finger_that_chose_the_mode(qtbot, window):
    sign_in_wang(qtbot, window)
    for text in ("助餐", "明天", "午餐", "订这一餐"):
        tap(qtbot, window, text)
    centres = []
    for mode in ("在食堂吃", "到食堂取"):
        button = find_button(window, mode)
        centres.append(button.mapTo(window, QPoint(button.width() // 2, button.height() // 2)))
    tap(qtbot, window, "到食堂取")
    ok = find_button(window, "确认")
    area = QRect(ok.mapTo(window, QPoint(0, 0)), ok.size())
    assert not any(area.contains(point) for point in centres)


def test_lunch_for_tomorrow_takes_at_most_six_taps_after_sign_in(qtbot, window):
    sign_in_wang(qtbot, window)
    taps = 0
    for text in ("助餐", "明天", "午餐", "订这一餐", "到食堂取", "确认"):
        tap(qtbot, window, text)
        taps += 1
        if window.current.name == "receipt":
            break
    assert window.current.name == "receipt"
    assert taps <= 6


@pytest.fixture
def tiny_disk(tmp_path):
    """A real 4 MB filesystem that can be filled up (needs root to mount; CI runs as root)."""
    mount_point = tmp_path / "disk"
    mount_point.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount_point)],
                             capture_output=True)
    if mounted.returncode != 0:
        pytest.skip("cannot mount a small filesystem here (not root)")
    yield mount_point
    subprocess.run(["umount", "-l", str(mount_point)], check=True)


def fill_disk(folder: Path) -> Path:
    filler = folder / "filler"
    with filler.open("wb", buffering=0) as fh:  # unbuffered: closing it writes nothing more
        try:
            while True:
                fh.write(b"\0" * 65536)
                fh.flush()
        except OSError as error:
            assert error.errno == errno.ENOSPC
    return filler


def test_a_full_disk_at_confirm_gets_a_plain_message_and_loses_nothing(
        qtbot, tiny_disk, clock, speaker):
    settings = load_settings(tiny_disk / "none.toml", data_dir=tiny_disk / "data")
    core = Kiosk(settings, clock=clock)
    core.seed_demo_if_empty()
    window = KioskWindow(core, Metrics.for_screen(*WINDOW, 15.6), speaker)
    qtbot.addWidget(window)
    window.resize(*WINDOW)
    window.show()
    wang = find_by_card(core.store, "10000001")
    earlier = core.meals.book(wang.id, "meal:2026-11-26:lunch", "pickup")
    sign_in_wang(qtbot, window)
    for text in ("助餐", "明天", "午餐", "订这一餐", "到食堂取"):
        tap(qtbot, window, text)
    filler = fill_disk(tiny_disk)
    tap(qtbot, window, "确认")
    assert window.current.name == "confirm"
    assert screen_says(window, "系统暂时出了问题，已办好的预订不会丢失。")
    filler.unlink()  # staff free some space: the same confirm now works
    assert [r["id"] for r in core.store.query("SELECT id FROM bookings")] == [earlier.id]
    tap(qtbot, window, "确认")
    assert window.current.name == "receipt"
    assert core.store.query_one("SELECT COUNT(*) FROM bookings")[0] == 2
    window.stop_listening()
    core.close()
