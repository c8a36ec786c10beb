"""Every screen, at every text size, on both reference screens, measured against the rules."""
from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication

from kiosk.elders import find_by_card
from tests.gui.conftest import tap, type_card, visible_buttons
from tests.gui.measure import all_problems
from ui.theme import TEXT_SIZES, Metrics, stylesheet

# 21.5" 1920x1080 kiosk panel, and a 1280x800 window on a 15.6" laptop panel.
SCREENS = {"1920x1080": ((1920, 1080), 21.5), "1280x800": ((1280, 800), 15.6)}


def walk(qtbot, window):
    """Every screen and state an elder can reach, yielded after it shows."""
    yield "home"
    type_card(qtbot, window, "99999999")
    yield "home with an unknown card"
    type_card(qtbot, window, "10000002")  # 李建国: delivery allowed, so three modes show
    yield "services"
    tap(qtbot, window, "助餐")
    yield "days"
    tap(qtbot, window, "今天")
    yield "lunch or dinner"
    tap(qtbot, window, "午餐")
    yield "menu"
    tap(qtbot, window, "订这一餐")
    yield "how to eat"
    tap(qtbot, window, "送餐上门")
    yield "confirm"
    tap(qtbot, window, "确认")
    yield "receipt"
    tap(qtbot, window, "回到首页")
    type_card(qtbot, window, "10000002")
    tap(qtbot, window, "助餐")
    tap(qtbot, window, "今天")
    tap(qtbot, window, "午餐")
    yield "lunch or dinner, already booked, with its message"
    yield from walk_services(qtbot, window)
    window.core.clock.advance(seconds=window.core.settings.idle_timeout_s + 1)
    window.idle.tick()
    yield "still there?"


def tap_first(qtbot, window, text: str) -> None:
    """The first (leftmost) of several visible buttons saying `text`, e.g. on booking cards."""
    found = [b for b in visible_buttons(window) if b.text() == text]
    first = min(found, key=lambda b: b.mapTo(window, QPoint(0, 0)).x())
    first._last_tap = -1e9
    qtbot.mouseClick(first, Qt.MouseButton.LeftButton)


def to_services(window) -> None:
    """Straight back to the services screen in the same session: signing out and in again
    restyles every screen twice, which the walk need not pay for each service."""
    window.history.clear()
    window.show_screen("services")


def walk_services(qtbot, window):
    """Help, cleaning, the health station, my bookings and rating (issue 4)."""
    tap(qtbot, window, "首页")
    tap(qtbot, window, "求助")
    yield "help, before signing in"
    tap(qtbot, window, "叫工作人员")
    yield "help, staff told"
    tap(qtbot, window, "好的")
    type_card(qtbot, window, "10000002")
    tap(qtbot, window, "助洁")
    yield "cleaning days"
    tap(qtbot, window, "下一页")
    yield "cleaning days, page 2"
    tap(qtbot, window, "下一页")
    yield "cleaning days, last page"
    tap(qtbot, window, "上一页")
    tap(qtbot, window, "上一页")
    tap(qtbot, window, "明天")
    yield "cleaning window"
    tap(qtbot, window, "上午")
    yield "cleaning kind"
    tap(qtbot, window, "深度保洁")
    yield "cleaning needs"
    tap(qtbot, window, "家有宠物")
    tap(qtbot, window, "行动不便需协助")
    yield "cleaning needs, two chosen"
    tap(qtbot, window, "好了，下一步")
    yield "cleaning confirm"
    tap(qtbot, window, "确认")
    yield "cleaning receipt"
    window.core.cleaning.book("elder-0003", "cleaning:2026-11-25:pm", "deep")  # 1 unit left
    to_services(window)
    tap(qtbot, window, "助洁")
    tap(qtbot, window, "明天")
    tap(qtbot, window, "下午")
    yield "cleaning kind, deep clean too big for the window"
    tap(qtbot, window, "深度保洁")
    yield "cleaning kind, deep clean refused with its message"
    to_services(window)
    tap(qtbot, window, "助医")
    yield "medical"
    tap(qtbot, window, "门诊挂号")
    yield "departments"
    tap(qtbot, window, "全科")
    yield "clinic days"
    tap(qtbot, window, "明天")
    yield "clinic times"
    tap(qtbot, window, "下一页")
    yield "clinic times, afternoon page"
    tap(qtbot, window, "14:00–14:30")
    yield "clinic confirm"
    tap(qtbot, window, "确认")
    yield "clinic receipt"
    to_services(window)
    tap(qtbot, window, "助医")
    tap(qtbot, window, "医生上门")
    yield "home visit days"
    tap(qtbot, window, "明天")
    yield "home visit confirm"
    to_services(window)
    tap(qtbot, window, "助医")
    tap(qtbot, window, "体检")
    yield "health check days"
    tap(qtbot, window, "明天")
    yield "health check confirm"
    tap(qtbot, window, "确认")
    to_services(window)
    yield "services, before my bookings"
    tap(qtbot, window, "我的预订")
    yield "my bookings"
    tap(qtbot, window, "下一页")
    yield "my bookings, page 2"
    tap_first(qtbot, window, "取消这个预订")
    yield "cancel confirm"
    tap(qtbot, window, "确认取消")
    yield "my bookings after cancelling"
    with window.core.store.transaction() as conn:  # the lunch booked above is over
        conn.execute("UPDATE bookings SET status = 'completed' WHERE service = 'meal'")
    tap(qtbot, window, "首页")
    type_card(qtbot, window, "10000002")
    yield "rating faces"
    tap(qtbot, window, "不满意")
    yield "rating reasons"
    tap(qtbot, window, "饭菜凉了")
    yield "rating reasons, one chosen"
    tap(qtbot, window, "提交")
    yield "complaint"
    tap(qtbot, window, "投诉")
    yield "services, complaint received"
    tap(qtbot, window, "助餐")  # where the walk above measured the idle warning
    tap(qtbot, window, "今天")
    tap(qtbot, window, "午餐")


@pytest.mark.parametrize("screen", SCREENS)
@pytest.mark.parametrize("size", TEXT_SIZES)
def test_every_screen_meets_the_rules(qtbot, window, screen, size):
    (width, height), inches = SCREENS[screen]
    metrics = Metrics.for_screen(width, height, inches, size)
    window.metrics = metrics
    QApplication.instance().setStyleSheet(stylesheet(metrics))
    window.resize(width, height)
    problems = []
    for state in walk(qtbot, window):
        if window.metrics.text_size != size:  # signing out returns to the default size
            window.set_text_size(size)
        window.metrics = metrics
        QApplication.processEvents()
        needed = window.minimumSizeHint()
        if needed.width() > width or needed.height() > height:
            problems.append(f"{state}: needs {needed.width()}x{needed.height()}, "
                            f"more than the screen")
            continue
        if (window.width(), window.height()) != (width, height):
            problems.append(f"{state}: the window grew to {window.width()}x{window.height()}")
            continue
        problems += [f"{state}: {p}" for p in all_problems(window, metrics)]
        if state.startswith("home"):
            assert window.current.prompt()
        else:
            assert window.current.prompt() or window.idle.warning.isVisible()
    assert not problems, "\n".join(problems)


def test_text_size_is_one_tap_on_the_home_screen_and_resets_at_sign_out(qtbot, window):
    tap(qtbot, window, "超大")
    assert window.metrics.text_size == "largest"
    big = window.current.display.font().pixelSize()
    type_card(qtbot, window, "10000001")
    assert window.metrics.text_size == "largest"
    tap(qtbot, window, "首页")
    assert window.metrics.text_size == "large"
    assert window.current.display.font().pixelSize() < big
    assert find_by_card(window.core.store, "10000001")  # nothing else was touched


def test_the_measures_notice_small_targets_and_clipped_text(qtbot):
    from PySide6.QtWidgets import QVBoxLayout, QWidget

    from ui.widgets import BigButton, label

    metrics = Metrics.for_screen(1280, 800, 15.6)
    QApplication.instance().setStyleSheet(stylesheet(metrics))
    page = QWidget()
    qtbot.addWidget(page)
    layout = QVBoxLayout(page)
    tiny = BigButton("小", "choice")
    tiny.setStyleSheet("min-height: 0; min-width: 0; font-size: 10px")
    tiny.setFixedSize(30, 30)
    squeezed = label("这一行字太长了放不下" * 3, wrap=False)
    squeezed.setFixedWidth(100)
    nameless = BigButton("", "choice")
    nameless.setAccessibleName("")
    for widget in (tiny, squeezed, nameless):
        layout.addWidget(widget)
    page.resize(600, 600)
    page.show()
    qtbot.waitExposed(page)
    problems = "\n".join(all_problems(page, metrics))
    assert "target under" in problems and "primary under" in problems
    assert "text clipped" in problems and "no accessible name" in problems
