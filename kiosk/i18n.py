"""User-visible text from the gettext catalogues in locales/, and locale-aware dates and prices."""
from __future__ import annotations

import datetime as dt
import gettext
import io
import os
import string
from functools import cached_property, lru_cache
from pathlib import Path

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
    """The catalogue's translated messages, read from its compiled .mo file (fast at start-up),
    which is made again from the .po file whenever that is newer."""
    translations = gettext.GNUTranslations(io.BytesIO(_compiled(catalogue_path(language, root))))
    return {k: v for k, v in translations._catalog.items() if k and v}


def _compiled(po: Path) -> bytes:
    mo = po.with_suffix(".mo")
    try:
        if mo.stat().st_mtime >= po.stat().st_mtime:
            return mo.read_bytes()
    except OSError:
        pass
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po.open("rb") as fh:
        catalogue = read_po(fh, locale=po.parent.parent.name)
    buffer = io.BytesIO()
    write_mo(buffer, catalogue)  # fuzzy entries are left out, as gettext does
    try:
        partial = mo.with_name(f"{mo.name}.{os.getpid()}.tmp")
        partial.write_bytes(buffer.getvalue())
        os.replace(partial, mo)  # other processes never read a half-written file
    except OSError:
        pass  # a read-only installation compiles in memory on every start
    return buffer.getvalue()


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


class Translator:
    """Messages by key, with {named} placeholders; falls back to Chinese, then to the key."""

    def __init__(self, language: str = DEFAULT_LANGUAGE) -> None:
        self.language = language
        self._messages = load_messages(language)
        self._fallback = load_messages(DEFAULT_LANGUAGE) if language != DEFAULT_LANGUAGE else {}

    def __call__(self, key: str, **params: object) -> str:
        text = self._messages.get(key) or self._fallback.get(key) or key
        return text.format(**params) if params else text

    @cached_property
    def locale(self):
        """Babel's locale, parsed once: given the identifier instead, Babel parses it again on
        every date and price (comparing it with each locale it knows, some 0.13 ms a call:
        dozens of calls on some screens). Made when first needed, so not before the first
        frame."""
        from babel import Locale

        return Locale.parse(self.language)

    def has(self, key: str) -> bool:
        return key in self._messages or key in self._fallback

    def day(self, day: dt.date, pattern: str = "format.day") -> str:
        """"11月24日 星期二" in Chinese; the pattern itself is a translatable message."""
        from babel.dates import format_date

        return format_date(day, self(pattern), locale=self.locale)

    def time(self, moment: dt.datetime | dt.time) -> str:
        from babel.dates import format_time

        return format_time(moment, "HH:mm", locale=self.locale)

    def price(self, cents: int) -> str:
        """¥12.00 in every language: the pattern is a message (Babel's English would say
        "CN¥", which nobody at a Chinese community centre writes); the digits follow the locale."""
        from babel.numbers import format_decimal

        return self("format.price", amount=format_decimal(cents / 100, "#,##0.00",
                                                          locale=self.locale))

    def relative_day(self, day: dt.date, today: dt.date) -> str:
        """今天 / 明天 / 后天, or the weekday when further away."""
        offset = (day - today).days
        key = {0: "day.today", 1: "day.tomorrow", 2: "day.after_tomorrow"}.get(offset)
        from babel.dates import format_date

        return self(key) if key else format_date(day, "EEEE", locale=self.locale)
