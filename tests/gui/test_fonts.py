"""Kiosk Sans (assets/fonts, scripts/kiosk_fonts.py): the kiosk's own text in a small cut of
Noto Sans CJK SC, everything else in Noto itself, drawn exactly as Noto alone draws it."""
from __future__ import annotations

import importlib.util

import pytest
from PySide6.QtGui import QFont, QFontInfo, QImage, QPainter, QRawFont
from PySide6.QtWidgets import QLabel

from kiosk.paths import ROOT
from ui.theme import FONTS

pytestmark = pytest.mark.gui

WEIGHTS = ("Regular", "Bold")
# Names as elders have them: characters no catalogue uses, so Kiosk Sans has none of them.
NAMES = "曹婷彬"


def build_script():
    spec = importlib.util.spec_from_file_location("kiosk_fonts", ROOT / "scripts" /
                                                  "kiosk_fonts.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def raw(weight: str) -> QRawFont:
    font = QRawFont(str(FONTS / f"KioskSans-{weight}.otf"), 40)
    assert font.isValid()
    return font


@pytest.mark.parametrize("weight", WEIGHTS)
def test_kiosk_sans_has_every_character_of_the_kiosks_own_text(qapp, weight):
    """Every message of every catalogue, the standard services, dates and prices: a character
    missing would still be drawn (by Noto) but map Noto's 20 MB file into the kiosk's memory
    again. Run scripts/kiosk_fonts.py after adding text with a new character."""
    characters = build_script().kiosk_characters()
    assert set("社区养老服务自助终端星期四") <= set(characters)  # the title, a weekday
    font = raw(weight)
    noto = QFont()
    noto.setFamilies(["Noto Sans CJK SC"])
    noto.setBold(weight == "Bold")
    noto = QRawFont.fromFont(noto)
    assert noto.familyName() == "Noto Sans CJK SC"
    # what Noto has (not ✔, which another font of the system draws)
    missing = [ch for ch in characters if noto.supportsCharacter(ord(ch)) and
               not font.supportsCharacter(ord(ch))]
    assert not missing, f"run scripts/kiosk_fonts.py: Kiosk Sans lacks {''.join(missing)!r}"
    assert not any(font.supportsCharacter(ord(ch)) for ch in NAMES)


def test_the_window_writes_in_kiosk_sans(window):
    shown = [label for label in window.findChildren(QLabel) if label.isVisible() and
             label.text()]
    assert shown
    assert {QFontInfo(label.font()).family() for label in shown} == {"Kiosk Sans"}


@pytest.mark.parametrize("bold", [False, True])
def test_text_and_names_look_exactly_as_in_noto(window, bold):
    """The kiosk's words from Kiosk Sans and a name from Noto beside them, pixel for pixel as
    Noto Sans CJK SC alone draws the same line."""
    line = f"{window.core.text('app.title')} {NAMES} 2026年12月4日"

    def drawn(families: list[str]) -> QImage:
        font = QFont()
        font.setFamilies(families)
        font.setPixelSize(48)
        font.setBold(bold)
        image = QImage(1600, 80, QImage.Format.Format_ARGB32)
        image.fill(0xFFFFFFFF)
        painter = QPainter(image)
        painter.setFont(font)
        painter.drawText(4, 60, line)
        painter.end()
        return image

    theme = drawn(["Kiosk Sans", "Noto Sans CJK SC"])
    assert QFontInfo(window.font()).family() == "Kiosk Sans"  # so Kiosk Sans drew a part
    noto = drawn(["Noto Sans CJK SC"])
    blank = QImage(theme.size(), theme.format())
    blank.fill(0xFFFFFFFF)
    assert theme != blank
    assert theme == noto
