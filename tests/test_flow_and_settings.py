"""The screen flow as data, and settings from defaults, file, environment and overrides."""
from __future__ import annotations

import pytest

from kiosk import flow
from kiosk.config import load_settings


def test_lunch_for_tomorrow_takes_six_taps_after_sign_in():
    # service tile, day, meal, book this meal, mode, confirm
    answers = ["meal", "chosen", "chosen", "book", "chosen", "confirmed"]
    screens = flow.path(["identified", *answers])
    assert screens[-1] == "receipt"
    assert len(answers) <= 6


def test_an_answer_a_screen_does_not_have_is_a_bug():
    with pytest.raises(ValueError):
        flow.next_screen("home", "meal")


def test_settings_layers(tmp_path, monkeypatch):
    config = tmp_path / "config.toml"
    config.write_text('[kiosk]\nidle_timeout_s = 120\ntext_size = "larger"\n', encoding="utf-8")
    monkeypatch.setenv("KIOSK_VOICE_ENABLED", "false")
    settings = load_settings(config, receipt_timeout_s=5)
    assert settings.idle_timeout_s == 120 and settings.text_size == "larger"
    assert settings.voice_enabled is False and settings.receipt_timeout_s == 5
    assert settings.lunch_cutoff == "09:30"


def test_a_time_zone_of_the_database_is_taken(tmp_path):
    assert load_settings(tmp_path / "none.toml", timezone="Asia/Urumqi").timezone == \
        "Asia/Urumqi"


@pytest.mark.parametrize("bad", [
    {"text_size": "tiny"}, {"idle_timeout_s": 5}, {"lunch_cutoff": "9h30"},
    {"no_such_setting": 1}, {"screen_diagonal_inch": 2}, {"timezone": "Mars/Base"},
    {"timezone": "../../etc/passwd"}, {"timezone": ""},
])
def test_bad_settings_are_refused_with_a_reason(tmp_path, bad):
    with pytest.raises(ValueError):
        load_settings(tmp_path / "none.toml", **bad)
