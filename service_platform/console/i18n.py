"""The console's words from gettext catalogues (locales/<language>/LC_MESSAGES/console.po),
Chinese first; dates and numbers through Babel. Messages are looked up by key, as the kiosk's."""
from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_datetime
from babel.messages.pofile import read_po

LOCALES = Path(__file__).resolve().parents[2] / "locales"
DOMAIN = "console"
LANGUAGES = ("zh_CN", "en")  # the first is the default
COOKIE = "console_lang"


@lru_cache(maxsize=4)
def messages(language: str) -> dict[str, str]:
    with (LOCALES / language / "LC_MESSAGES" / f"{DOMAIN}.po").open("rb") as fh:
        catalogue = read_po(fh, locale=language)
    return {m.id: m.string for m in catalogue if m.id and m.string and not m.fuzzy}


def choose(cookie: str | None, accept_language: str | None) -> str:
    """The language asked for by the cookie, else by the browser, else Chinese."""
    if cookie in LANGUAGES:
        return cookie
    for part in (accept_language or "").split(","):
        tag = part.split(";")[0].strip().lower()
        if tag.startswith("en"):
            return "en"
        if tag.startswith("zh"):
            return "zh_CN"
    return LANGUAGES[0]


class Text:
    """`t(key, **values)` for one language; a missing key shows itself, so it is noticed."""

    def __init__(self, language: str) -> None:
        self.language = language
        self._messages = messages(language)
        self.locale = Locale.parse(language)

    def __call__(self, key: str, **values) -> str:
        text = self._messages.get(key, key)
        return text.format(**values) if values else text

    def when(self, stamp: str | None, tz: str = "Asia/Shanghai") -> str:
        """A stored timestamp as a short local date and time (12月3日 15:04)."""
        if not stamp:
            return ""
        moment = dt.datetime.fromisoformat(stamp).astimezone(ZoneInfo(tz))
        return format_datetime(moment, self("console.format.datetime"), locale=self.locale)

    def duration(self, seconds: float | None) -> str:
        """3 分 05 秒 / 3 min 05 s; an hour or more as 1 小时 20 分."""
        if seconds is None:
            return "—"
        seconds = int(round(seconds))
        hours, rest = divmod(seconds, 3600)
        minutes, secs = divmod(rest, 60)
        if hours:
            return self("console.duration.hours", h=hours, m=minutes)
        if minutes:
            return self("console.duration.minutes", m=minutes, s=f"{secs:02d}")
        return self("console.duration.seconds", s=secs)
