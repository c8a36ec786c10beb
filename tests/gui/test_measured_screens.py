"""Every screen, at every text size, on both reference screens, measured against the rules."""
from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication

from kiosk.elders import find_by_card
from tests.gui.conftest import tap, type_card
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
    window.core.clock.advance(seconds=window.core.settings.idle_timeout_s + 1)
    window.idle.tick()
    yield "still there?"


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
