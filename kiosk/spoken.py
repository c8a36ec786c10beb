"""Text as people say it: the screen shows "¥12.50", "09:30–10:00" and "3486-4844"; a speech
engine would read "十二 零零", "九 三十 十 零零" and "三千四百八十六 …". Before anything is
spoken, prices, clock times, time ranges and booking numbers are rewritten the way a person
would say them in that language ("12元5角", "9点30分到10点", "3 4 8 6，4 8 4 4")."""
from __future__ import annotations

import re

PRICE = re.compile(r"¥\s?(\d{1,3}(?:,\d{3})*|\d+)(?:\.(\d)(\d))?")
TIME = re.compile(r"(?<![\d:])(\d{1,2}):(\d{2})(?![\d:])")
RANGE = re.compile(r"\s*[–—]\s*")  # an en or em dash between two things: "to"
BOOKING_NUMBER = re.compile(r"(?<![\d-])(\d{4})-(\d{4})(?![\d-])")

CHINESE = {"yuan": "{}元", "jiao": "{}角", "fen": "{}分", "hour": "{}点", "minute": "{}分",
           "to": "到", "pause": "，"}
SPOKEN = {
    "zh_CN": CHINESE,
    "yue": CHINESE,
    "en": {"yuan": "{} yuan", "cents": " {:02d}", "hour": "{} o'clock", "clock": "{}:{:02d}",
           "to": " to ", "pause": ", "},
}


def spoken(text: str, language: str) -> str:
    """`text` with numbers rewritten for the voice of `language` (zh_CN, yue, en); text in any
    other language is returned as it is."""
    words = SPOKEN.get(language)
    if words is None:
        return text
    text = BOOKING_NUMBER.sub(lambda m: f"{' '.join(m[1])}{words['pause']}{' '.join(m[2])}",
                              text)
    text = PRICE.sub(lambda m: _price(m, words), text)
    text = TIME.sub(lambda m: _clock(int(m[1]), int(m[2]), words), text)
    return RANGE.sub(words["to"], text)


def _price(match: re.Match, words: dict[str, str]) -> str:
    yuan = int(match[1].replace(",", ""))
    tenths, hundredths = int(match[2] or 0), int(match[3] or 0)
    if "cents" in words:  # English: "12 yuan 50"
        cents = tenths * 10 + hundredths
        return words["yuan"].format(yuan) + (words["cents"].format(cents) if cents else "")
    parts = [words["yuan"].format(yuan)] if yuan or not (tenths or hundredths) else []
    if tenths:
        parts.append(words["jiao"].format(tenths))
    if hundredths:
        parts.append(words["fen"].format(hundredths))
    return "".join(parts)


def _clock(hour: int, minute: int, words: dict[str, str]) -> str:
    if "clock" in words:  # English: "9:30", "10 o'clock"
        return words["clock"].format(hour, minute) if minute else words["hour"].format(hour)
    return words["hour"].format(hour) + (words["minute"].format(minute) if minute else "")
