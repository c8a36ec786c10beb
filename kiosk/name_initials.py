"""Pinyin initials of a name (王秀英 → "wxy"), stored with each elder so staff search is a query.

Computed when an elder row is written, from pypinyin's table of single characters read as
data: importing pypinyin itself loads its phrase dictionary (some 55 MB and 0.2 s) that names
do not need, so the package is never imported. A name's heteronyms (曾 z or c, 单 s or d) give
more than one spelling; the column holds them space-separated, the most common first.
"""
from __future__ import annotations

import functools
import importlib.util
import itertools
import json
import threading
import unicodedata
from pathlib import Path

MAX_VARIANTS = 16  # heteronyms multiply; a name has few that matter


_reading = threading.Lock()  # one thread reads the table; one wanting it meanwhile waits


def load_soon() -> None:
    """Read the table now in a thread of its own, for names about to be written (a kiosk
    joining reads it while it waits for the platform's first elders)."""
    threading.Thread(target=_letters, name="name-initials", daemon=True).start()


def _letters() -> dict[str, str]:
    """Each character's possible first letters, most common reading first ("曾" → "zc")."""
    with _reading:
        return _table()


@functools.cache
def _table() -> dict[str, str]:
    spec = importlib.util.find_spec("pypinyin")  # finds the package without importing it
    if spec is None or not spec.submodule_search_locations:
        return {}
    table = Path(next(iter(spec.submodule_search_locations))) / "pinyin_dict.json"
    readings = json.loads(table.read_text(encoding="utf-8"))
    return {chr(int(code)): "".join(dict.fromkeys(_first(r) for r in found.split(",")))
            for code, found in readings.items()}


def _first(reading: str) -> str:
    """The first letter of a tone-marked reading (ǎ → a, ń → n)."""
    return unicodedata.normalize("NFD", reading)[:1].lower()


def _choices(name: str) -> list[str]:
    """Per character (or run of Latin letters, as pypinyin takes it) its possible letters."""
    letters, choices, latin = _letters(), [], False
    for ch in name:
        if ch in letters:
            choices.append(letters[ch])
            latin = False
        elif ch.isascii() and ch.isalnum():
            if not latin:
                choices.append(ch.lower())
            latin = True
        else:
            latin = False
    return choices


def spellings(name: str) -> list[str]:
    """Every initials spelling of a name, the most common first: 曾桂兰 → ["zgl", "cgl"]."""
    combined = itertools.product(*_choices(name.strip()))
    return ["".join(parts) for parts in itertools.islice(combined, MAX_VARIANTS)]


def column(name: str) -> str:
    """What the elders table's `initials` column holds for this name."""
    return " ".join(spellings(name)) if name.strip() else ""


def fill_missing(conn) -> int:
    """Set the initials of rows written without them (an older store, a bulk import);
    the number of rows set. Cheap when there are none: the column is indexed."""
    rows = conn.execute("SELECT id, name FROM elders WHERE initials = '' AND name != ''"
                        ).fetchall()
    filled = [(column(name), elder_id) for elder_id, name in rows]
    conn.executemany("UPDATE elders SET initials = ? WHERE id = ?",
                     [(value, elder_id) for value, elder_id in filled if value])
    return len(filled)
