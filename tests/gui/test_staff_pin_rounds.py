"""Staff PIN rounds in the real window: the second round of wrong PINs locks for 10 minutes,
and the next sign-in tells her how many wrong tries there were (both languages' words)."""
from __future__ import annotations

import pytest

from kiosk import staff
from tests.gui.conftest import screen_says, tap


@pytest.fixture
def desk(window):
    staff.seed_demo_staff(window.core.store, window.core.clock)
    return window


def sign_in(qtbot, win, pin: str) -> None:
    win.go_home()
    tap(qtbot, win, "工作人员")
    tap(qtbot, win, "张社工")
    for digit in pin:
        tap(qtbot, win, digit)
    tap(qtbot, win, "确定")


def test_a_second_round_locks_longer_and_the_next_sign_in_is_told(qtbot, desk):
    for minutes in (5, 10):
        for _ in range(staff.MAX_TRIES):
            sign_in(qtbot, desk, "9999")
        assert screen_says(desk, f"已锁定。请 {minutes} 分钟后再试")
        desk.core.clock.advance(minutes=minutes)
    sign_in(qtbot, desk, "9999")
    sign_in(qtbot, desk, "1234")
    assert desk.current.name == "staff_home"
    assert screen_says(desk, "自您上次登录以来，您的密码被输错了 11 次")
    assert not screen_says(desk, "登记老人")  # said where the tasks stand, until 清空
    tap(qtbot, desk, "清空")
    assert not screen_says(desk, "输错了")
    tap(qtbot, desk, "登记老人")
    tap(qtbot, desk, "返回")  # the staff home again: told only once
    assert desk.current.name == "staff_home" and not screen_says(desk, "输错了")
    tap(qtbot, desk, "退出")
    sign_in(qtbot, desk, "1234")
    assert desk.current.name == "staff_home" and not screen_says(desk, "输错了")
