"""An elder picks 普通话, 粤语 or English on the home screen in one tap; sign-out goes back."""
from __future__ import annotations

import pytest

from kiosk.speech import SpeechService
from tests.gui.conftest import (
    RecordingSpeaker,
    VoiceStandIn,
    screen_says,
    tap,
    type_card,
    visible_texts,
)


@pytest.fixture
def voices(window):
    speaker = VoiceStandIn()
    window.set_speaker(speaker)
    return speaker


def test_english_is_one_tap_and_the_prompt_is_said_in_it(qtbot, window, voices):
    tap(qtbot, window, "English")
    assert voices.voice == "en"
    assert voices.said[-1] == window.core.text("home.prompt")
    assert voices.said[-1].startswith("Hello")
    assert screen_says(window, "Scan your card")
    assert list(window.current.language_buttons) == ["zh_CN", "yue", "en"]
    assert all(button.isVisible() for button in window.current.language_buttons.values())
    assert not any("请" in text for text in visible_texts(window))
    assert window.windowTitle() == window.core.text("app.title")
    type_card(qtbot, window, "10000001")
    assert window.current.name == "services"
    assert screen_says(window, "Meals")
    tap(qtbot, window, "Home")  # sign-out: the next elder finds Mandarin again
    assert voices.voice == "zh_CN"
    assert screen_says(window, "请刷卡")


def test_cantonese_speaks_cantonese_over_the_chinese_screens(qtbot, window, voices):
    tap(qtbot, window, "粤语")
    assert voices.voice == "yue"
    assert voices.said[-1] == window.core.text("home.prompt") and "请刷卡" in voices.said[-1]
    assert screen_says(window, "请刷卡")
    assert window.current.language_buttons["yue"].property("role") == "nav_selected"
    type_card(qtbot, window, "10000001")
    assert voices.voice == "yue"  # kept while the elder books
    tap(qtbot, window, "首页")
    assert voices.voice == "zh_CN"


def test_a_choice_left_behind_at_home_goes_back_after_the_idle_time(qtbot, window, voices,
                                                                     clock):
    tap(qtbot, window, "English")
    tap(qtbot, window, "Largest")
    clock.advance(seconds=window.core.settings.idle_timeout_s + 1)
    window.idle.tick()
    assert window.core.language.key == "zh_CN" and voices.voice == "zh_CN"
    assert window.metrics.text_size == "large"
    assert screen_says(window, "请刷卡")


def test_before_the_voice_starts_the_screens_languages_are_offered(qtbot, window):
    assert list(window.current.language_buttons) == ["zh_CN", "en"]


def test_with_no_speech_engine_english_screens_are_still_offered(qtbot, window):
    window.set_speaker(SpeechService(enabled=False))
    assert list(window.current.language_buttons) == ["zh_CN", "en"]


def test_the_real_engine_adds_cantonese_once_it_is_ready(qtbot, window):
    service = SpeechService(language="zh_CN", audio_sink="null")
    try:
        window.set_speaker(service)
        qtbot.waitUntil(lambda: "yue" in window.current.language_buttons, timeout=20000)
        assert list(window.current.language_buttons) == ["zh_CN", "yue", "en"]
        tap(qtbot, window, "粤语")
        assert service.language == "yue"
    finally:
        window.set_speaker(RecordingSpeaker())


def test_staff_work_in_the_default_language_and_set_it_for_everyone(qtbot, window, voices,
                                                                    tmp_path):
    from kiosk import staff

    staff.seed_demo_staff(window.core.store, window.core.clock)
    window.config_path = tmp_path / "kiosk.toml"
    tap(qtbot, window, "English")
    tap(qtbot, window, "Staff")
    tap(qtbot, window, "张社工")
    for key in "1234":
        tap(qtbot, window, key)
    tap(qtbot, window, "OK")
    assert window.current.name == "staff_home" and voices.voice == "zh_CN"
    assert screen_says(window, "每日名单")  # staff screens in the kiosk's own language
    tap(qtbot, window, "设置")
    tap(qtbot, window, "粤语")
    tap(qtbot, window, "保存")
    assert 'language = "yue"' in window.config_path.read_text()
    window.staff_mode.sign_out()
    assert window.current.name == "home" and voices.voice == "yue"
    assert window.current.language_buttons["yue"].property("role") == "nav_selected"
