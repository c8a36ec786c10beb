"""The platform's notion of "now" and how timestamps are written on the wire and in the database."""
from __future__ import annotations

import datetime as dt


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def stamp(moment: dt.datetime) -> str:
    """ISO 8601 with offset and milliseconds, e.g. 2026-11-23T01:02:03.456+00:00."""
    return moment.isoformat(timespec="milliseconds")


def parse(value: str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise ValueError("timestamp without an offset")
    return moment
