"""User-visible text from the gettext catalogues in locales/, and locale-aware dates and prices."""
from __future__ import annotations

import datetime as dt
import string
from functools import lru_cache
from pathlib import Path

from babel import Locale
from babel.dates import format_date, format_time
from babel.messages.pofile import read_po
from babel.numbers import format_currency

from kiosk.paths import LOCALES

DOMAIN = "kiosk"
DEFAULT_LANGUAGE = "zh_CN"


def catalogue_path(language: str, root: Path = LOCALES) -> Path:
    return root / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def available_languages(root: Path = LOCALES) -> list[str]:
    """Every language with a catalogue; adding one needs no code change."""
    return sorted(p.parent.parent.name for p in root.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))


@lru_cache(maxsize=8)
def load_messages(language: str, root: Path = LOCALES) -> dict[str, str]:
    with catalogue_path(language, root).open("rb") as fh:
        catalogue = read_po(fh, locale=language)
    return {m.id: m.string for m in catalogue if m.id and m.string and not m.fuzzy}


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


class Translator:
    """Messages by key, with {named} placeholders; falls back to Chinese, then to the key."""

    def __init__(self, language: str = DEFAULT_LANGUAGE) -> None:
        self.language = language
        self.locale = Locale.parse(language)
        self._messages = load_messages(language)
        self._fallback = load_messages(DEFAULT_LANGUAGE) if language != DEFAULT_LANGUAGE else {}

    def __call__(self, key: str, **params: object) -> str:
        text = self._messages.get(key) or self._fallback.get(key) or key
        return text.format(**params) if params else text

    def has(self, key: str) -> bool:
        return key in self._messages or key in self._fallback

    def day(self, day: dt.date) -> str:
        """"11月24日 星期二" in Chinese; the pattern itself is a translatable message."""
        return format_date(day, self("format.day"), locale=self.locale)

    def time(self, moment: dt.datetime | dt.time) -> str:
        return format_time(moment, "HH:mm", locale=self.locale)

    def price(self, cents: int) -> str:
        return format_currency(cents / 100, "CNY", locale=self.locale)

    def relative_day(self, day: dt.date, today: dt.date) -> str:
        """今天 / 明天 / 后天, or the weekday when further away."""
        offset = (day - today).days
        key = {0: "day.today", 1: "day.tomorrow", 2: "day.after_tomorrow"}.get(offset)
        return self(key) if key else format_date(day, "EEEE", locale=self.locale)
