"""How loud and how fast the kiosk speaks for this elder: a few named steps, not a slider.

The steps are relative to the configured rate and to full volume, so staff still set the
kiosk's own pace in settings; every session starts again from the defaults.
"""
from __future__ import annotations

MUTE = "mute"
VOLUMES: dict[str, float] = {"quiet": 0.4, "medium": 0.7, "loud": 1.0}
SPEEDS: dict[str, float] = {"slow": 0.75, "normal": 1.0, "fast": 1.25}


def volume_step(volume: float, muted: bool) -> str:
    """The named step nearest to a volume, or "mute"."""
    if muted:
        return MUTE
    return min(VOLUMES, key=lambda name: abs(VOLUMES[name] - volume))


def speed_step(rate: int, configured_rate: int) -> str:
    return min(SPEEDS, key=lambda name: abs(SPEEDS[name] * configured_rate - rate))


def rate_for(speed: str, configured_rate: int) -> int:
    return round(SPEEDS[speed] * configured_rate)
