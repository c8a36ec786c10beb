"""After 求助 the elder is told who was told (issue 11, item 8): on demo data only the staff
here; with a platform, its duty social workers once the call reached the console — now, or as
soon as the network is back, the staff here knowing meanwhile. With a real platform process,
tests/gui/test_help_answered.py."""
from __future__ import annotations

import pytest

from kiosk.config import load_settings
from kiosk.core import Kiosk
from kiosk.sync.push import apply_results, pending_rows
from kiosk.sync.status import LAST_ERROR, LAST_SUCCESS, STOPPED
from tests.gui.conftest import LANGUAGES, cycle_ended, screen_says, shown_window, tap_key, type_card
from tests.gui.measure import SCREENS, on_screen, window_problems

HERE = "已通知这里的工作人员，请稍等。"
SENDING = "这里的工作人员已经知道了，正在通知值班社工，请稍等。"
OFFLINE = "网络断了。这里的工作人员已经知道了，网络一通就通知值班社工。请稍等。"
DUTY = "已通知值班社工，请稍等。"


@pytest.fixture
def platform_window(qtbot, tmp_path, clock, speaker, language):
    """A kiosk given a platform (nothing listens there: its sync is played by the test)."""
    settings = load_settings(tmp_path / "none.toml", data_dir=tmp_path / "data",
                             screen_diagonal_inch=15.6, platform_url="http://127.0.0.1:9",
                             language=language)
    core = Kiosk(settings, clock=clock)
    core.seed_demo_if_empty()  # elders to sign in with, as a platform would have sent them
    with shown_window(qtbot, core, speaker) as win:
        yield win


def ask(qtbot, win) -> None:
    type_card(qtbot, win, "10000002")
    tap_key(qtbot, win, "nav.help")
    tap_key(qtbot, win, "help.yes")


def last_sync(win, ok: bool) -> None:
    store, now = win.core.store, win.core.clock.now()
    store.set_state(LAST_SUCCESS, now.isoformat())
    store.set_state(LAST_ERROR, "" if ok else "sync.error.offline")


def platform_took_the_call(win) -> None:
    """The next sync cycle pushed help.create and the platform applied it."""
    core = win.core
    row = next(r for r in pending_rows(core.store, 500) if r.op_type == "help.create")
    apply_results(core.store, core.clock, [row], [{"op_id": row.op_id, "status": "applied",
                                                   "data": {}}])
    cycle_ended(win)


def test_on_demo_data_only_the_staff_here_are_told(qtbot, window, speaker):
    ask(qtbot, window)
    assert screen_says(window, HERE) and speaker.said[-1] == HERE


def test_online_the_duty_social_worker_is_told_once_the_call_is_there(qtbot, platform_window,
                                                                      speaker):
    last_sync(platform_window, ok=True)
    ask(qtbot, platform_window)
    assert screen_says(platform_window, SENDING) and speaker.said[-1] == SENDING
    cycle_ended(platform_window)  # a cycle that did not get it there: the words stay
    assert screen_says(platform_window, SENDING)
    platform_took_the_call(platform_window)
    assert screen_says(platform_window, DUTY) and speaker.said[-1] == DUTY
    cycle_ended(platform_window)
    assert speaker.said.count(DUTY) == 1  # said once


def test_offline_the_staff_here_know_and_the_duty_worker_will_when_it_is_back(
        qtbot, platform_window, speaker):
    last_sync(platform_window, ok=False)
    ask(qtbot, platform_window)
    assert screen_says(platform_window, OFFLINE) and speaker.said[-1] == OFFLINE
    platform_took_the_call(platform_window)  # the network came back
    assert screen_says(platform_window, DUTY)


def test_a_platform_that_stopped_this_kiosk_reaches_nobody_but_the_staff_here(
        qtbot, platform_window):
    last_sync(platform_window, ok=False)
    platform_window.core.store.set_state(STOPPED, "1")
    ask(qtbot, platform_window)
    assert screen_says(platform_window, HERE)


def test_an_answer_already_there_is_not_undone_by_the_delivery(qtbot, platform_window):
    last_sync(platform_window, ok=True)
    ask(qtbot, platform_window)
    screen = platform_window.current
    core = platform_window.core
    core.help.update(screen.request.id, "acknowledged", "staff-zhang")  # staff here took it
    screen.answered(core.help.open_requests()[0])
    platform_took_the_call(platform_window)
    assert screen_says(platform_window, "工作人员已收到，正在赶来。")
    assert not screen_says(platform_window, DUTY)


@pytest.mark.parametrize("screen", SCREENS)
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_longest_words_fit_at_the_largest_text(qtbot, platform_window, language, screen):
    metrics = on_screen(platform_window, screen, "largest")
    last_sync(platform_window, ok=False)
    ask(qtbot, platform_window)
    assert platform_window.current.words == "help.sent.offline"
    problems = window_problems(platform_window, screen, metrics)
    assert not problems, "\n".join(problems)
