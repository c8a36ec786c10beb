"""Numbers on the screen become words a person would say."""
from __future__ import annotations

import pytest

from kiosk.spoken import spoken


@pytest.mark.parametrize("shown, mandarin", [
    ("补贴后您付¥12.00。", "补贴后您付12元。"),
    ("您付¥12.50", "您付12元5角"),
    ("您付¥0.05", "您付5分"),
    ("¥1,234.00", "1234元"),
    ("时间09:30–10:00", "时间9点30分到10点"),
    ("预订号是3486-4844", "预订号是3 4 8 6，4 8 4 4"),
    ("11月25日 星期三的午餐", "11月25日 星期三的午餐"),
    ("卡号 10000001", "卡号 10000001"),  # nothing to rewrite (and cards are never spoken)
])
def test_mandarin(shown, mandarin):
    assert spoken(shown, "zh_CN") == mandarin
    assert spoken(shown, "yue") == mandarin  # Cantonese reads the same characters its own way


@pytest.mark.parametrize("shown, english", [
    ("You pay ¥12.00.", "You pay 12 yuan."),
    ("You pay ¥12.05", "You pay 12 yuan 05"),
    ("09:30–10:00", "9:30 to 10 o'clock"),
    ("Number 3486-4844", "Number 3 4 8 6, 4 8 4 4"),
])
def test_english(shown, english):
    assert spoken(shown, "en") == english


def test_dates_phone_like_runs_and_other_languages_are_left_alone():
    assert spoken("2026-11-24", "zh_CN") == "2026-11-24"
    assert spoken("138-1234-5678", "zh_CN") == "138-1234-5678"
    assert spoken("¥12.00", "fr") == "¥12.00"
