"""A kiosk started on a damaged database, in the real window: the first staff member to sign
in is told in plain words, the sync panel keeps saying it, the elders' screens go on."""
from __future__ import annotations

import os
import sqlite3

import pytest

from kiosk import staff
from kiosk.clock import FixedClock
from kiosk.core import Kiosk
from tests.conftest import MORNING
from tests.gui.conftest import screen_says, tap


@pytest.fixture
def gui_settings(gui_settings):
    """A kiosk's database with three meals not yet sent and a page of garbage over its
    elders, left by the kiosk's last run."""
    clock = FixedClock(MORNING)
    core = Kiosk(gui_settings, clock=clock)
    core.seed_demo_if_empty()
    staff.seed_demo_staff(core.store, clock)
    for n in (1, 2, 3):
        core.meals.book(f"elder-000{n}", "meal:2026-11-25:lunch", "pickup")
    core.close()
    conn = sqlite3.connect(gui_settings.db_path)
    [page] = conn.execute("SELECT pageno FROM dbstat WHERE name = 'elders' ORDER BY pageno "
                          "LIMIT 1").fetchone()
    size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    with gui_settings.db_path.open("r+b") as fh:
        fh.seek((page - 1) * size)
        fh.write(os.urandom(size))
    return gui_settings


def sign_in(qtbot, win) -> None:
    tap(qtbot, win, "工作人员")
    tap(qtbot, win, "张社工")
    for digit in "1234":
        tap(qtbot, win, digit)
    tap(qtbot, win, "确定")


def test_staff_are_told_once_and_the_sync_panel_keeps_it(qtbot, window):
    recovery = window.core.store.recovery
    assert recovery is not None and recovery.unsent == 3
    sign_in(qtbot, window)
    assert window.current.name == "staff_home"
    assert screen_says(window, "本机数据库在") and screen_says(window, "找回了 3 项还没上传的记录")
    assert screen_says(window, recovery.kept_as)
    tap(qtbot, window, "清空")  # read: the tasks again
    tap(qtbot, window, "同步")
    assert screen_says(window, "找回了 3 项还没上传的记录")
    tap(qtbot, window, "返回")
    assert window.current.name == "staff_home" and not screen_says(window, "本机数据库在")
    tap(qtbot, window, "退出")
    assert window.current.name == "home"
