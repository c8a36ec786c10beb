"""A community's or a kiosk's time zone: a name of the time zone database."""
from __future__ import annotations

import zoneinfo


def known_time_zone(name: str) -> bool:
    """Asia/Shanghai is; Mars/Base, a path or nothing is not. (Asked of the database itself,
    whose ZoneInfo is then cached for the clock: not by listing every zone, some 10 ms.)"""
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return True
