"""声音 on the home screen: how loud and how fast, one tap each, with the real speech service;
everything goes back to the defaults for the next elder."""
from __future__ import annotations

import pytest

from kiosk.speech import SpeechService
from tests.gui.conftest import RecordingSpeaker, find_button, tap, type_card


@pytest.fixture
def service(window, qtbot):
    speech = SpeechService(language="zh_CN", rate=window.core.settings.voice_rate,
                           audio_sink="null")
    window.set_speaker(speech)
    qtbot.waitUntil(lambda: window.screen("home").voice_button.isVisible(), timeout=20000)
    yield speech
    window.set_speaker(RecordingSpeaker())


def chosen(window, step: str) -> bool:
    buttons = {**window.current.volume_buttons, **window.current.speed_buttons}
    return buttons[step].property("role") == "toggle_on"


def test_louder_softer_slower_and_mute_are_one_tap_each(qtbot, window, service):
    tap(qtbot, window, "声音")
    assert window.current.name == "voice" and chosen(window, "loud") and chosen(window, "normal")
    tap(qtbot, window, "小声")
    assert service.volume == pytest.approx(0.4) and chosen(window, "quiet")
    tap(qtbot, window, "慢一点")
    assert service.rate == 112 and chosen(window, "slow")
    tap(qtbot, window, "静音")
    assert service.muted and chosen(window, "mute")
    tap(qtbot, window, "再听一遍")  # asking to hear it again turns the voice back on
    assert not service.muted
    tap(qtbot, window, "好了")
    assert window.current.name == "home"
    assert (service.volume, service.rate) == (pytest.approx(0.4), 112)  # kept for this elder
    type_card(qtbot, window, "10000001")
    tap(qtbot, window, "首页")  # sign-out: the next elder hears the defaults
    assert (service.volume, service.rate, service.muted) == (1.0, 150, False)


def test_a_change_left_at_home_goes_back_after_the_idle_time(qtbot, window, service, clock):
    tap(qtbot, window, "声音")
    tap(qtbot, window, "静音")
    tap(qtbot, window, "好了")
    clock.advance(seconds=window.core.settings.idle_timeout_s + 1)
    window.idle.tick()
    assert not service.muted and not service.changed_this_session


def test_no_sound_button_without_a_speech_engine(qtbot, window):
    window.set_speaker(SpeechService(enabled=False))
    assert not window.current.voice_button.isVisible()
    with pytest.raises(AssertionError):
        find_button(window, "声音")
