"""Every text colour against the background it is drawn on: ≥ 7:1, and ≥ 15:1 in high contrast."""
from __future__ import annotations

import re

import pytest

from ui.theme import HIGH_CONTRAST_COLOURS, NORMAL_COLOURS, Metrics, stylesheet

BLOCK = re.compile(r"([^{}]+)\{([^}]*)\}")


def luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


# Where a label has no background of its own, it sits on one of these.
UNDERNEATH = ("background", "surface", "header_background")


def rules(high_contrast: bool) -> dict[str, dict[str, str]]:
    """selector -> {property: value} of the stylesheet as the kiosk builds it."""
    qss = stylesheet(Metrics.for_screen(1920, 1080, 21.5), high_contrast)
    qss = re.sub(r"/\*.*?\*/", "", qss, flags=re.S)
    return {selector.strip(): dict(re.findall(r"([-\w]+):\s*([^;]+);", body))
            for selector, body in BLOCK.findall(qss)}


def colour_pairs(high_contrast: bool) -> list[tuple[str, str, str]]:
    """(selector, text colour, background colour) for every rule that draws text, pressed
    states included (they keep the text colour of the button they press)."""
    palette = HIGH_CONTRAST_COLOURS if high_contrast else NORMAL_COLOURS
    theme = rules(high_contrast)
    pairs = []
    for selector, props in theme.items():
        base = theme.get(selector.removesuffix(":pressed"), {})
        text = props.get("color") or base.get("color") or palette["text"]
        back = props.get("background") or base.get("background")
        if back in (None, "transparent"):
            backs = ([palette["surface"]] if selector.startswith("QPushButton")
                     else [palette[name] for name in UNDERNEATH])
        else:
            backs = [back]
        pairs += [(selector, text.strip(), b.strip()) for b in backs]
    return pairs


def test_the_theme_has_rules_to_check():
    pairs = colour_pairs(high_contrast=False)
    assert len(pairs) > 25
    assert ('QPushButton[role="primary"]:pressed', NORMAL_COLOURS["primary_text"],
            NORMAL_COLOURS["primary_pressed"]) in pairs


@pytest.mark.parametrize("high_contrast, minimum", [(False, 7.0), (True, 15.0)])
def test_every_text_background_pair_is_readable(high_contrast, minimum):
    weak = [(sel, fg, bg, round(contrast(fg, bg), 2))
            for sel, fg, bg in colour_pairs(high_contrast) if contrast(fg, bg) < minimum]
    assert weak == []


def test_the_check_would_notice_a_weak_pair():
    assert contrast("#777777", "#ffffff") < 7.0
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)


def test_both_palettes_fill_every_placeholder():
    metrics = Metrics.for_screen(1920, 1080, 21.5)
    assert "$" not in stylesheet(metrics) and "$" not in stylesheet(metrics, high_contrast=True)
