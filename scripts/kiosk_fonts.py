"""Build assets/fonts/KioskSans-*.otf: Noto Sans CJK SC cut down to the kiosk's own text.

The kiosk's screens are mostly its own words (the catalogues in locales/, the standard
services, dates), and Noto Sans CJK's collection files are 20 MB a weight: painting a screen
maps the font's tables and 64 KB of file around every glyph drawn, some 4 MB a weight for the
kiosk's screens, all of it counted in the kiosk's memory. "Kiosk Sans" holds the same glyphs
for those characters only (about 250 KB a weight), so they are drawn exactly as before; the
theme names it first and Noto Sans CJK SC after it, which draws everything else (elders'
names, dishes, addresses) as before.

Run it again after a catalogue gains a character (tests/gui/test_fonts.py says which):
    .venv/bin/python scripts/kiosk_fonts.py
It needs fontTools (the test extra) and Debian's fonts-noto-cjk.
"""
from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from elder_wire.catalogue import STANDARD  # noqa: E402
from kiosk.i18n import Translator, available_languages, load_messages  # noqa: E402
from kiosk.languages import all_languages  # noqa: E402
from kiosk.paths import ASSETS  # noqa: E402

NOTO = Path("/usr/share/fonts/opentype/noto")
SIMPLIFIED_CHINESE = 2  # the face of Noto Sans CJK SC in each collection file
FAMILY = "Kiosk Sans"
WEIGHTS = ("Regular", "Bold")
FONTS = ASSETS / "fonts"
# Punctuation that elders' data and the platform's texts use beside the catalogues' own.
PUNCTUATION = "，。：；！？、“”‘’（）《》【】…—～·￥"


def kiosk_characters() -> str:
    """Every character the kiosk's own text can show, in every language it has."""
    text: set[str] = set(map(chr, range(0x20, 0x7F))) | set(PUNCTUATION)
    text.update(*(choice.name for choice in all_languages()))
    for service in STANDARD:
        for texts in (service.names, service.hints, service.prompts):
            text.update(*texts.values())
    start = dt.date(2026, 1, 1)
    for language in available_languages():
        messages = load_messages(language)
        text.update(*messages.values())
        translate = Translator(language)
        patterns = [key for key in messages if key.startswith("format.") and "amount" not in
                    messages[key]]
        for day in (start + dt.timedelta(days=n) for n in range(366)):
            text.update(*(translate.day(day, pattern) for pattern in patterns))
        text.update(translate.time(dt.time(hour, 30)) for hour in range(24))
        text.update(translate.price(12345))
    return "".join(sorted(ch for ch in text if ch.isprintable()))


def build(weight: str, characters: str) -> Path:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(NOTO / f"NotoSansCJK-{weight}.ttc", fontNumber=SIMPLIFIED_CHINESE,
                  recalcTimestamp=False)
    options = subset.Options()
    options.layout_features = ["*"]  # shaping as before: vertical forms, kerning, ligatures
    options.name_IDs = ["*"]
    options.hinting = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=characters)
    subsetter.subset(font)
    _rename(font, weight)
    target = FONTS / f"KioskSans-{weight}.otf"
    font.save(target)
    return target


def _rename(font, weight: str) -> None:
    """A font changed from Noto goes by a name of its own (SIL OFL 1.1; "Noto" is a trademark
    and "Source" a reserved name of the fonts it comes from)."""
    postscript = f"KioskSans-{weight}"
    names = font["name"]
    version = names.getDebugName(5) or ""
    for name_id in (3, 7, 16, 17):
        names.removeNames(nameID=name_id)
    full = FAMILY if weight == "Regular" else f"{FAMILY} {weight}"
    for name_id, value in ((1, FAMILY), (3, f"{postscript};subset of NotoSansCJKsc;{version}"),
                           (4, full), (6, postscript)):
        names.setName(value, name_id, 3, 1, 0x409)
        names.setName(value, name_id, 1, 0, 0)
    font["CFF "].cff.fontNames = [postscript]


def main() -> int:
    characters = kiosk_characters()
    FONTS.mkdir(exist_ok=True)
    for weight in WEIGHTS:
        path = build(weight, characters)
        print(f"{path.relative_to(ROOT)}: {len(characters)} characters, "
              f"{path.stat().st_size // 1024} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
