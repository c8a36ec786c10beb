"""The languages an elder can choose: what the screens show and what the voice speaks.

A choice pairs a text catalogue with a spoken language, so 粤语 shows the Chinese screens and
speaks Cantonese. The list is data (locales/languages.toml), not code.
"""
from __future__ import annotations

import tomllib
from collections.abc import Collection
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from kiosk.i18n import catalogue_path
from kiosk.paths import LOCALES


class Language(NamedTuple):
    key: str
    text: str
    voice: str
    name: str
    needs_voice: bool = False


@lru_cache(maxsize=4)
def all_languages(root: Path = LOCALES) -> tuple[Language, ...]:
    """Every choice in languages.toml whose text catalogue exists, in the file's order."""
    with (root / "languages.toml").open("rb") as fh:
        entries = tomllib.load(fh)["language"]
    # each choice's catalogue looked up by name: a few file checks, not the folder listed by
    # a pattern (some 0.4 million instructions of the kiosk's start-up)
    return tuple(Language(**entry) for entry in entries
                 if catalogue_path(entry["text"], root).is_file())


def language(key: str, root: Path = LOCALES) -> Language:
    """The choice called `key`; ValueError for one that does not exist."""
    for choice in all_languages(root):
        if choice.key == key:
            return choice
    known = ", ".join(choice.key for choice in all_languages(root))
    raise ValueError(f"no such language: {key!r} (one of {known})")


def offered(voices: Collection[str], root: Path = LOCALES) -> tuple[Language, ...]:
    """The choices to show elders, given the spoken languages the engine has a voice for.
    A spoken-only choice (粤语 on the Chinese screens) needs its voice; one with its own
    screens (English) helps even in silence."""
    return tuple(choice for choice in all_languages(root)
                 if not choice.needs_voice or choice.voice in voices)
