"""Staff enrol the kiosk with a real platform process on 127.0.0.1: the platform is asked off
the GUI thread, so the kiosk keeps repainting and the staff can leave while it answers."""
from __future__ import annotations

import datetime as dt
import socket
import stat
import threading
import time

import pytest
from PySide6.QtCore import QTimer

from kiosk import staff
from kiosk.sync.worker import SyncWorker
from service_platform import operators
from tests.gui.conftest import find_button, screen_says, sync_cycle, tap
from tests.sync.conftest import Platform
from tests.sync.proxy import FORWARD, Action, Proxy

WAIT_MS = 10_000  # the most any answer here may take; most take milliseconds


@pytest.fixture(scope="module")
def platform(tmp_path_factory):
    base = tmp_path_factory.mktemp("enrol-platform")
    running = Platform(str(base / "platform.sqlite3"), base)
    yield running
    running.stop()


@pytest.fixture
def gui_settings(gui_settings):
    return gui_settings._replace(sync_timeout_s=1.0)  # a silent platform: 1 s


@pytest.fixture
def desk(window, tmp_path):
    staff.seed_demo_staff(window.core.store, window.core.clock)
    window.config_path = tmp_path / "kiosk.toml"  # where a good enrolment saves the address
    return window


@pytest.fixture
def silent_platform():
    """Accepts connections and never answers; counts them."""
    server = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []

    def accept() -> None:
        while True:
            try:
                held.append(server.accept()[0])
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}", held
    server.close()
    for conn in held:
        conn.close()


def open_enrolment(qtbot, win, url: str, code: str) -> None:
    tap(qtbot, win, "工作人员")
    tap(qtbot, win, "张社工")
    for digit in "1234":
        tap(qtbot, win, digit)
    tap(qtbot, win, "确定")
    tap(qtbot, win, "设置")
    tap(qtbot, win, "平台与注册")
    assert win.current.name == "staff_enrol"
    win.current.url.setText(url)
    win.current.code.setText(code)


def enrolled_kiosk(win) -> str:
    return win.core.store.get_state("kiosk_id")


def test_a_good_code_enrols_and_sync_starts_with_it(qtbot, desk, platform):
    community = platform.community(elders=2)
    code = platform.enrolment_code(community)
    # As ui/app.py starts it for a kiosk with a platform address and no token yet.
    settings = desk.core.settings._replace(platform_url=platform.url)
    worker = SyncWorker(settings)
    desk.sync.follow(worker)
    with qtbot.waitSignal(desk.post.arrived, timeout=WAIT_MS,
                          check_params_cb=sync_cycle()) as first:
        worker.start()
    try:
        assert first.args[0].payload.result.error_key == "sync.error.not_enrolled"
        open_enrolment(qtbot, desk, platform.url, code)
        tap(qtbot, desk, "注册本机")
        assert screen_says(desk, "正在注册…")  # at once: the platform is asked elsewhere
        with qtbot.waitSignal(desk.post.arrived, timeout=WAIT_MS,
                              check_params_cb=sync_cycle(lambda result: result.ok)):
            qtbot.waitUntil(lambda: screen_says(desk, "已注册到：同步测试社区"), timeout=WAIT_MS)
    finally:
        worker.stop()
    assert find_button(desk, "注册本机").isEnabled() and desk.current.code.text() == ""
    assert enrolled_kiosk(desk).startswith("kiosk-")
    assert desk.core.store.get_state("community_id") == community
    token = desk.core.settings.token_path
    assert stat.S_IMODE(token.stat().st_mode) == 0o600
    assert f'platform_url = "{platform.url}"' in desk.config_path.read_text()
    assert desk.core.settings.platform_url == platform.url
    audit = desk.core.store.query_one(
        "SELECT staff_id FROM audit_log WHERE action = 'kiosk.enrol'")
    assert audit["staff_id"] == "staff-zhang"


def test_enrolled_but_the_settings_file_cannot_be_written_says_both(qtbot, desk, platform,
                                                                    tmp_path):
    (tmp_path / "not-a-folder").write_text("")
    desk.config_path = tmp_path / "not-a-folder" / "kiosk.toml"  # writing it fails
    code = platform.enrolment_code(platform.community(elders=1))
    open_enrolment(qtbot, desk, platform.url, code)
    tap(qtbot, desk, "注册本机")
    qtbot.waitUntil(lambda: screen_says(desk, "保存失败"), timeout=WAIT_MS)
    assert screen_says(desk, "已注册到：同步测试社区")
    assert find_button(desk, "注册本机").isEnabled()
    assert enrolled_kiosk(desk).startswith("kiosk-")  # the enrolment itself is kept


@pytest.mark.parametrize("code", ["wrong", "expired", "revoked"])
def test_a_code_the_platform_refuses_gives_a_plain_message(qtbot, desk, platform, code):
    community = platform.community(elders=1)
    if code == "wrong":
        text = "AAAA-BBBB-CCCC"
    elif code == "expired":
        text = operators.add_kiosk(platform.db, community, "终端", dt.timedelta(0))[1]
    else:
        kiosk_id, text = operators.add_kiosk(platform.db, community, "终端")
        operators.revoke_kiosk(platform.db, kiosk_id)
    open_enrolment(qtbot, desk, platform.url, text)
    tap(qtbot, desk, "注册本机")
    qtbot.waitUntil(lambda: screen_says(desk, "登记码无效或已过期"), timeout=WAIT_MS)
    assert find_button(desk, "注册本机").isEnabled()
    assert not enrolled_kiosk(desk) and not desk.core.settings.token_path.exists()
    assert not desk.config_path.exists()


def test_a_platform_that_never_answers_leaves_the_kiosk_repainting(qtbot, desk,
                                                                   silent_platform):
    url, connections = silent_platform
    open_enrolment(qtbot, desk, url, "K7QM-3XPA-9RTD")
    ticks: list[float] = []
    timer = QTimer(desk)
    timer.timeout.connect(lambda: (ticks.append(time.monotonic()), desk.current.repaint()))
    timer.start(10)
    asked = time.monotonic()
    tap(qtbot, desk, "注册本机")
    assert screen_says(desk, "正在注册…")
    go = find_button(desk, "注册本机")
    assert not go.isEnabled()
    tap(qtbot, desk, "注册本机")  # a second tap while it waits asks nothing more
    qtbot.waitUntil(lambda: screen_says(desk, "连不上服务平台"), timeout=WAIT_MS)
    timer.stop()
    waited = time.monotonic() - asked
    during = [t for t in ticks if t >= asked]
    gaps = [b - a for a, b in zip(during, during[1:], strict=False)]
    # The answer never came: 1 s went by (the read timeout), and the screen was repainted
    # all along, never more than a fraction of it apart.
    assert waited >= 0.9 and len(during) >= 10 and max(gaps) < 0.5
    assert len(connections) == 1 and go.isEnabled()
    assert not enrolled_kiosk(desk)


def test_nothing_listening_gives_a_plain_message(qtbot, desk):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again: nothing listens there
    open_enrolment(qtbot, desk, f"http://127.0.0.1:{port}", "K7QM-3XPA-9RTD")
    tap(qtbot, desk, "注册本机")
    qtbot.waitUntil(lambda: screen_says(desk, "连不上服务平台"), timeout=WAIT_MS)
    assert find_button(desk, "注册本机").isEnabled()


def test_the_staff_may_leave_and_sign_out_while_the_platform_answers(qtbot, desk, platform):
    community = platform.community(elders=1)
    proxy = Proxy(platform.port)
    answer = threading.Event()  # the platform's answer is held until the test lets it go
    proxy.rule = lambda request: (Action(after_forward=lambda: answer.wait(WAIT_MS / 1000))
                                  if request.path == "/v1/enrol" else FORWARD)
    try:
        open_enrolment(qtbot, desk, proxy.url, platform.enrolment_code(community))
        tap(qtbot, desk, "注册本机")
        qtbot.waitUntil(lambda: proxy.count("/v1/enrol") == 1, timeout=WAIT_MS)
        tap(qtbot, desk, "首页")
        assert desk.current.name == "staff_home"
        tap(qtbot, desk, "设置")
        tap(qtbot, desk, "平台与注册")
        assert screen_says(desk, "正在注册…") and not find_button(desk, "注册本机").isEnabled()
        tap(qtbot, desk, "返回")
        tap(qtbot, desk, "首页")
        tap(qtbot, desk, "退出")
        assert desk.current.name == "home" and not desk.staff_mode.signed_in
        answer.set()
        qtbot.waitUntil(lambda: bool(enrolled_kiosk(desk)), timeout=WAIT_MS)
    finally:
        answer.set()
        proxy.close()
    assert desk.current.name == "home" and not screen_says(desk, "已注册到")
    assert desk.core.settings.token_path.exists()
    assert desk.core.store.get_state("community_id") == community
    audit = desk.core.store.query_one(
        "SELECT staff_id FROM audit_log WHERE action = 'kiosk.enrol'")
    assert audit["staff_id"] == "staff-zhang"  # who asked, though she has signed out since
    # the demo community's data stayed behind; the new one's arrives with the first pull
    assert desk.core.store.query_one("SELECT COUNT(*) AS n FROM elders")["n"] == 0
    staff.seed_demo_staff(desk.core.store, desk.core.clock)
    open_enrolment(qtbot, desk, proxy.url, "")
    assert not screen_says(desk, "正在注册…") and find_button(desk, "注册本机").isEnabled()


def test_moving_to_another_community_hands_sync_over_and_leaves_nothing_behind(qtbot, desk,
                                                                             platform):
    from kiosk.sync.enrolment import enrol
    first, second = platform.community(elders=2), platform.community(elders=3)
    enrol(desk.core.store, desk.core.settings.token_path, platform.enrolment_code(first),
          platform.url)
    starter = desk.sync
    try:
        # the worker's events reach the GUI thread queued: waiting after starting misses none
        starter.start_worker(desk.core.settings._replace(platform_url=platform.url))
        with qtbot.waitSignal(desk.post.arrived, timeout=WAIT_MS,
                              check_params_cb=sync_cycle(lambda result: result.ok)):
            pass
        old_worker = starter.worker
        assert elders(desk) == 2  # the first community's, pulled
        staff.seed_demo_staff(desk.core.store, desk.core.clock)  # as its staff would arrive
        open_enrolment(qtbot, desk, platform.url, platform.enrolment_code(second))
        tap(qtbot, desk, "注册本机")
        qtbot.waitUntil(lambda: screen_says(desk, "已注册到"), timeout=WAIT_MS)
        assert not old_worker.running and starter.worker is not old_worker
        qtbot.waitUntil(lambda: desk.core.store.get_state("community_id") == second
                        and elders(desk) == 3, timeout=WAIT_MS)  # pulled by the new worker
    finally:
        starter.stop()


def elders(desk) -> int:
    return desk.core.store.query_one("SELECT COUNT(*) AS n FROM elders")["n"]


def test_the_kiosk_starts_its_worker_once_sync_is_loaded_off_the_gui_thread(qtbot, desk,
                                                                           platform):
    from kiosk.sync.enrolment import enrol
    community = platform.community(elders=2)
    enrol(desk.core.store, desk.core.settings.token_path, platform.enrolment_code(community),
          platform.url)
    link = desk.sync
    try:
        with qtbot.waitSignal(desk.post.arrived, timeout=WAIT_MS,
                              check_params_cb=sync_cycle(lambda result: result.ok)):
            link.start_worker_soon(desk.core.settings._replace(platform_url=platform.url))
        assert link.active and elders(desk) == 2
    finally:
        link.stop()
