"""Named steps for how loud and how fast the kiosk speaks."""
from __future__ import annotations

from kiosk.voice_levels import MUTE, rate_for, speed_step, volume_step


def test_volume_steps_round_to_the_nearest_and_mute_wins():
    assert volume_step(1.0, muted=False) == "loud"
    assert volume_step(0.45, muted=False) == "quiet"
    assert volume_step(0.7, muted=True) == MUTE


def test_speed_steps_follow_the_configured_rate():
    assert rate_for("slow", 150) == 112 and rate_for("fast", 120) == 150
    assert speed_step(150, 150) == "normal" and speed_step(150, 120) == "fast"
    assert speed_step(rate_for("slow", 180), 180) == "slow"
