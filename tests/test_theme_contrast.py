"""Every text colour against the background it is drawn on: ≥ 7:1, and ≥ 15:1 in high contrast."""
from __future__ import annotations

import re

import pytest

from kiosk.paths import ASSETS
from ui.theme import HIGH_CONTRAST_COLOURS, NORMAL_COLOURS, Metrics, stylesheet

BLOCK = re.compile(r"([^{}]+)\{([^}]*)\}")


def luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def colour_pairs() -> list[tuple[str, str, str]]:
    """(selector, text token, background token) for every rule of the theme."""
    qss = (ASSETS / "theme.qss").read_text(encoding="utf-8")
    qss = re.sub(r"/\*.*?\*/", "", qss, flags=re.S)
    pairs = []
    for selector, body in BLOCK.findall(qss):
        text = re.search(r"(?<![-\w])color:\s*\$\{(\w+)\}", body)
        back = re.search(r"background:\s*\$\{(\w+)\}", body)
        default_back = "surface" if "QPushButton" in selector else "background"
        pairs.append((selector.strip(), text.group(1) if text else "text",
                      back.group(1) if back else default_back))
    return pairs


def test_the_theme_has_rules_to_check():
    assert len(colour_pairs()) > 15


@pytest.mark.parametrize("palette, minimum", [(NORMAL_COLOURS, 7.0),
                                              (HIGH_CONTRAST_COLOURS, 15.0)])
def test_every_text_background_pair_is_readable(palette, minimum):
    weak = [(sel, fg, bg, round(contrast(palette[fg], palette[bg]), 2))
            for sel, fg, bg in colour_pairs() if contrast(palette[fg], palette[bg]) < minimum]
    assert weak == []
    # text on a button's surface inside a screen of another background still holds
    for fg in ("text", "muted_text"):
        assert contrast(palette[fg], palette["background"]) >= minimum


def test_the_check_would_notice_a_weak_pair():
    assert contrast("#777777", "#ffffff") < 7.0
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)


def test_both_palettes_fill_every_placeholder():
    metrics = Metrics.for_screen(1920, 1080, 21.5)
    assert "$" not in stylesheet(metrics) and "$" not in stylesheet(metrics, high_contrast=True)
