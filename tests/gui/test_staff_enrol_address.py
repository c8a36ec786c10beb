"""The platform address at enrolment, in the real window with a real platform on 127.0.0.1:
a QR code's address is shown to staff before anything is asked of it, and used only when they
tap again; plain http to another machine is refused in plain words."""
from __future__ import annotations

import pytest

from kiosk import staff
from tests.gui.conftest import screen_says, tap
from tests.sync.conftest import Platform
from tests.sync.proxy import Proxy

WAIT_MS = 10_000


@pytest.fixture(scope="module")
def platform(tmp_path_factory):
    base = tmp_path_factory.mktemp("enrol-address-platform")
    running = Platform(str(base / "platform.sqlite3"), base)
    yield running
    running.stop()


@pytest.fixture
def gui_settings(gui_settings):
    return gui_settings._replace(sync_timeout_s=2.0)


@pytest.fixture
def desk(window, tmp_path):
    staff.seed_demo_staff(window.core.store, window.core.clock)
    window.config_path = tmp_path / "kiosk.toml"
    return window


@pytest.fixture
def proxy(platform):
    running = Proxy(platform.port)
    yield running
    running.close()


def open_enrolment(qtbot, win, url: str, code: str) -> None:
    tap(qtbot, win, "工作人员")
    tap(qtbot, win, "张社工")
    for digit in "1234":
        tap(qtbot, win, digit)
    tap(qtbot, win, "确定")
    tap(qtbot, win, "设置")
    tap(qtbot, win, "平台与注册")
    win.current.url.setText(url)
    win.current.code.setText(code)


def qr(url: str, code: str) -> str:
    return f'{{"v": 1, "platform": "{url}", "code": "{code}"}}'


@pytest.mark.parametrize("typed", ["", "https://platform.example.org"])
def test_a_qr_codes_address_is_shown_and_used_only_on_a_second_tap(qtbot, desk, platform,
                                                                   proxy, typed):
    community = platform.community(elders=1)
    open_enrolment(qtbot, desk, typed, qr(proxy.url, platform.enrolment_code(community)))

    tap(qtbot, desk, "注册本机")

    assert screen_says(desk, "二维码里的平台地址是：") and screen_says(desk, "再按“注册本机”")
    assert desk.current.url.text() == proxy.url
    assert proxy.seen == [] and not desk.core.store.get_state("kiosk_id")  # nothing asked yet
    tap(qtbot, desk, "注册本机")
    qtbot.waitUntil(lambda: screen_says(desk, "已注册到：同步测试社区"), timeout=WAIT_MS)
    assert proxy.count("/v1/enrol") == 1
    assert desk.core.settings.platform_url == proxy.url
    assert f'platform_url = "{proxy.url}"' in desk.config_path.read_text()


@pytest.mark.parametrize("how", ["typed", "qr"])
def test_plain_http_to_another_machine_is_refused_in_words(qtbot, desk, how):
    url = "http://192.0.2.10:8700"
    if how == "typed":
        open_enrolment(qtbot, desk, url, "K7QM-3XPA-9RTD")
    else:
        open_enrolment(qtbot, desk, "", qr(url, "K7QM-3XPA-9RTD"))
        tap(qtbot, desk, "注册本机")  # shown first
    tap(qtbot, desk, "注册本机")
    assert screen_says(desk, "平台地址要用 https:// 开头（只有本机地址可以用 http://）")
    assert not desk.current.job.running and not desk.core.store.get_state("kiosk_id")
    assert not desk.config_path.exists()
