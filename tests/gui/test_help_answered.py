"""The help chain's way back, with a real platform process on 127.0.0.1: an elder asks for
help at the kiosk, staff acknowledge it on the platform (an operator on the console, or staff
at another kiosk), the kiosk pulls, and the help screen still showing the call says — once —
that staff are coming; the staff attention screen shows who answered, escalations, notes."""
from __future__ import annotations

import datetime as dt

import pytest
import requests
from PySide6.QtWidgets import QLabel
from sqlalchemy import update

from kiosk import staff
from kiosk.config import load_settings
from kiosk.core import Kiosk
from kiosk.sync.worker import SyncWorker
from service_platform import entities, feed, help_requests
from service_platform.feed import Change
from service_platform.help_requests import Actor
from service_platform.schema import help_requests as help_table
from tests.gui.conftest import screen_says, shown_window, sync_cycle, tap, tap_key, type_card
from tests.platform.wire import KioskClient, help_update_op
from tests.sync.conftest import Platform

WAIT_MS = 10_000  # the most a sync cycle may take here; most take milliseconds
OPERATOR = Actor("operator-liu", "值班员小刘", operator=True)


@pytest.fixture(scope="module")
def platform(tmp_path_factory):
    base = tmp_path_factory.mktemp("help-platform")
    running = Platform(str(base / "platform.sqlite3"), base)
    yield running
    running.stop()


@pytest.fixture
def community(platform) -> str:
    return platform.community(elders=3)


@pytest.fixture
def kiosk(qtbot, tmp_path, clock, speaker, platform, community):
    """The kiosk window as ui/app.py runs it with a platform: no demo data, syncing in the
    background (a cycle every 10 minutes, or when nudged)."""
    settings = load_settings(tmp_path / "none.toml", data_dir=tmp_path / "data",
                             screen_diagonal_inch=15.6, platform_url=platform.url,
                             enrolment_code=platform.enrolment_code(community),
                             sync_interval_s=600)
    core = Kiosk(settings, clock=clock)
    with shown_window(qtbot, core, speaker) as win:
        worker = SyncWorker(settings, clock)
        win.sync.follow(worker)
        with qtbot.waitSignal(win.post.arrived, timeout=WAIT_MS,
                              check_params_cb=sync_cycle(lambda result: result.ok)):
            worker.start()
        yield win
        worker.stop()


def synced(qtbot, win) -> None:
    """The kiosk syncs now (as it would on its next cycle) and the cycle went through."""
    with qtbot.waitSignal(win.post.arrived, timeout=WAIT_MS,
                          check_params_cb=sync_cycle(lambda result: result.ok)):
        win.sync.nudge()


def on_platform(platform, community: str, help_id: str, state: str, actor: Actor = OPERATOR,
                note: str | None = None) -> None:
    platform.db.run_write(lambda conn: help_requests.advance(
        conn, community, help_id, state, actor, dt.datetime.now(dt.UTC), note))


def escalated_on_platform(platform, community: str, help_id: str) -> None:
    """As the platform escalates a call nobody answered in time: the request, then the feed."""
    def work(conn):
        conn.execute(update(help_table).where(
            help_table.c.community_id == community, help_table.c.id == help_id,
        ).values(escalated_at=dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")))
        row = help_requests.get(conn, community, help_id)
        feed.append(conn, community, [Change("help_request", help_id,
                                             entities.help_request(row))])
    platform.db.run_write(work)


def ask_for_help(qtbot, win) -> str:
    """The elder signs in, taps 求助, then 叫工作人员; the call reaches the platform."""
    type_card(qtbot, win, "80000001")
    tap_key(qtbot, win, "nav.help")  # 求助
    with qtbot.waitSignal(win.post.arrived, timeout=WAIT_MS,
                          check_params_cb=sync_cycle(lambda result: result.ok and result.applied)):
        tap_key(qtbot, win, "help.yes")  # 叫工作人员: sync is nudged at once
    assert screen_says(win, "已通知值班社工，请稍等。")  # it reached the platform's console
    return win.current.request.id


def test_the_elder_hears_once_that_staff_are_on_their_way(qtbot, kiosk, platform, community,
                                                          speaker):
    help_id = ask_for_help(qtbot, kiosk)
    synced(qtbot, kiosk)  # nothing new yet: the words stay
    assert screen_says(kiosk, "已通知值班社工，请稍等。")
    on_platform(platform, community, help_id, "acknowledged")
    kiosk.sync.nudge()  # the kiosk's next cycle
    qtbot.waitUntil(lambda: screen_says(kiosk, "工作人员已收到，正在赶来。"), timeout=WAIT_MS)
    assert kiosk.current.name == "help" and kiosk.current.prompt() == "工作人员已收到，正在赶来。"
    synced(qtbot, kiosk)
    assert speaker.said.count("工作人员已收到，正在赶来。") == 1  # said once, not each cycle
    on_platform(platform, community, help_id, "resolved", note="已陪同回家")
    kiosk.sync.nudge()
    qtbot.waitUntil(lambda: screen_says(kiosk, "工作人员已处理好您的求助。"), timeout=WAIT_MS)
    assert speaker.said[-1] == "工作人员已处理好您的求助。"


def test_an_answer_after_the_elder_left_the_help_screen_is_not_said(qtbot, kiosk, platform,
                                                                    community, speaker):
    help_id = ask_for_help(qtbot, kiosk)
    tap_key(qtbot, kiosk, "help.back")  # 好的: back to where she was
    on_platform(platform, community, help_id, "acknowledged")
    synced(qtbot, kiosk)
    assert kiosk.current.name != "help"
    assert "工作人员已收到，正在赶来。" not in speaker.said
    row = kiosk.core.store.query_one("SELECT * FROM help_requests WHERE id = ?", (help_id,))
    assert (row["state"], row["acknowledged_by_name"]) == ("acknowledged", "值班员小刘")


def test_staff_see_who_answered_which_call_was_escalated_and_the_note(qtbot, kiosk, platform,
                                                                      community):
    core = kiosk.core
    staff.seed_demo_staff(core.store, core.clock)  # 张社工, PIN 1234
    calls = {elder: core.help.ask(elder).id
             for elder in ("elder-001", "elder-002", "elder-003")}
    synced(qtbot, kiosk)
    on_platform(platform, community, calls["elder-001"], "acknowledged")
    escalated_on_platform(platform, community, calls["elder-002"])
    on_platform(platform, community, calls["elder-003"], "resolved", note="已陪同就医")
    hall = KioskClient(platform.url, enrolled_token(platform, community))  # another kiosk
    [answer] = hall.push(help_update_op(calls["elder-002"], "acknowledged", "staff-zhang"))
    assert answer["status"] == "applied"
    synced(qtbot, kiosk)
    tap(qtbot, kiosk, "工作人员")
    tap(qtbot, kiosk, "张社工")
    for digit in "1234":
        tap(qtbot, kiosk, digit)
    tap(qtbot, kiosk, "确定")
    tap(qtbot, kiosk, "待处理 2")  # the resolved call is not to do any more
    assert screen_says(kiosk, "紧急求助 · 长者1 · 08:00 · 已收到：值班员小刘")
    assert screen_says(kiosk, "【超时已上报】 紧急求助 · 长者2 · 08:00 · 已收到：张社工")
    assert screen_says(kiosk, "紧急求助 · 长者3 · 08:00 · 已解决：值班员小刘 · 备注：已陪同就医")
    escalated = [label for label in kiosk.current.findChildren(QLabel)
                 if label.text().startswith("【超时已上报】")]
    assert [label.property("role") for label in escalated] == ["message"]


def enrolled_token(platform, community: str) -> str:
    answer = requests.post(platform.url + "/v1/enrol",
                           json={"code": platform.enrolment_code(community)}, timeout=30)
    assert answer.status_code == 200, answer.text
    return answer.json()["token"]
