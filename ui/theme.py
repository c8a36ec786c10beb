"""Sizes in millimetres turned into pixels for this screen, and the stylesheet built from them."""
from __future__ import annotations

import logging
import math
from functools import cache
from string import Template
from typing import NamedTuple

from kiosk.paths import ASSETS

# Chinese glyph height per text size (大 / 特大 / 超大), from the senior UI rules.
GLYPH_MM = {"large": 7.0, "larger": 9.0, "largest": 11.0}
TEXT_SIZES = tuple(GLYPH_MM)
# A CJK glyph in Noto Sans CJK fills about 0.88 of the font's pixel size.
GLYPH_PER_EM = 0.88
PRIMARY_MM = 25.0
TILE_MM = 40.0  # service and meal tiles: the biggest things on screen
TARGET_MM = 16.0
GAP_MM = 3.0

NORMAL_COLOURS = {
    "text": "#141414", "muted_text": "#3a3a3a", "background": "#fbf8f1", "surface": "#ffffff",
    "header_background": "#efe9dc", "line": "#6b6b6b", "pressed": "#d8d2c4",
    "pressed_text": "#141414",
    "primary_background": "#0b3d91", "primary_text": "#ffffff", "primary_pressed": "#062a66",
    "error_border": "#9b1c1c", "error_background": "#fff1f1", "error_text": "#7a1010",
    "ok_border": "#1b6b34", "ok_background": "#eef8f0", "ok_text": "#0d4a22",
    "wait_border": "#8a5a00", "wait_background": "#fff7e6", "wait_text": "#5c3b00",
    "unavailable_background": "#ecebe7", "unavailable_text": "#3d3d3d",
    "help_background": "#9b1c1c", "help_text": "#ffffff",
}
HIGH_CONTRAST_COLOURS = {
    **{k: "#ffffff" for k in NORMAL_COLOURS},
    "background": "#000000", "surface": "#000000", "header_background": "#000000",
    # pressed turns a button white with black text: the plainest feedback there is
    "pressed": "#ffffff", "pressed_text": "#000000",
    "primary_background": "#ffff00", "primary_text": "#000000", "primary_pressed": "#ffffff",
    "error_background": "#000000", "ok_background": "#000000",
    "wait_background": "#000000", "unavailable_background": "#000000",
    "error_text": "#ffff00", "error_border": "#ffff00", "wait_text": "#ffff00",
    "wait_border": "#ffff00", "help_background": "#ffff00", "help_text": "#000000",
}


class Metrics(NamedTuple):
    px_per_mm: float
    text_size: str = "large"

    @classmethod
    def for_screen(cls, width_px: int, height_px: int, diagonal_inch: float,
                   text_size: str = "large") -> Metrics:
        return cls(math.hypot(width_px, height_px) / (diagonal_inch * 25.4), text_size)

    def with_text_size(self, text_size: str) -> Metrics:
        return self._replace(text_size=text_size)

    def mm(self, millimetres: float) -> int:
        return math.ceil(millimetres * self.px_per_mm)

    @property
    def font(self) -> int:
        return self.mm(GLYPH_MM[self.text_size] / GLYPH_PER_EM)

    @property
    def small_font(self) -> int:
        return self.font  # nothing an elder must read is smaller than the chosen size

    @property
    def title_font(self) -> int:
        return round(self.font * 1.25)

    @property
    def huge_font(self) -> int:
        return round(self.font * 1.6)

    @property
    def primary(self) -> int:
        return self.mm(PRIMARY_MM)

    @property
    def tile(self) -> int:
        return self.mm(TILE_MM)

    @property
    def target(self) -> int:
        return self.mm(TARGET_MM)

    @property
    def gap(self) -> int:
        return self.mm(GAP_MM)


def stylesheet(metrics: Metrics, high_contrast: bool = False) -> str:
    colours = HIGH_CONTRAST_COLOURS if high_contrast else NORMAL_COLOURS
    template = Template((ASSETS / "theme.qss").read_text(encoding="utf-8"))
    border = max(2, metrics.mm(0.6))
    return template.substitute(
        colours,
        font=metrics.font, small_font=metrics.small_font, title_font=metrics.title_font,
        huge_font=metrics.huge_font, primary=metrics.primary, tile=metrics.tile,
        target=metrics.target, gap=metrics.gap, radius=metrics.mm(2), border=border,
        # min-width counts the contents only: a key's border is part of its 16 mm target
        key_width=metrics.target - 2 * border,
    )


FONTS = ASSETS / "fonts"


@cache
def add_kiosk_fonts() -> None:
    """Kiosk Sans, the theme's first font: Noto Sans CJK SC's glyphs for the kiosk's own text
    only (scripts/kiosk_fonts.py), some 250 KB a weight against Noto's 20 MB collections, of
    which a kiosk's screens had mapped some 4 MB a weight into its memory. Names, dishes and
    anything else not in it are drawn by Noto Sans CJK SC, the theme's next font, as before.
    Once per process (cached), before the first text is laid out."""
    from PySide6.QtGui import QFontDatabase

    for face in sorted(FONTS.glob("*.otf")):
        if QFontDatabase.addApplicationFont(str(face)) < 0:  # Noto draws it all: more memory
            logging.getLogger(__name__).warning("font %s could not be loaded", face.name)
