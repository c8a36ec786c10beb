"""Every message is translated in every language, keeps its placeholders, and exists."""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from kiosk.i18n import (
    DEFAULT_LANGUAGE,
    Translator,
    available_languages,
    load_messages,
    placeholders,
)

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = available_languages()


def test_chinese_and_english_are_there():
    assert {"zh_CN", "en"} <= set(LANGUAGES)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated_with_the_same_placeholders(language):
    reference = load_messages(DEFAULT_LANGUAGE)
    messages = load_messages(language)
    assert sorted(set(reference) - set(messages)) == []
    assert sorted(set(messages) - set(reference)) == []
    broken = [k for k in reference if placeholders(reference[k]) != placeholders(messages[k])]
    assert broken == []


def keys_used_in_code() -> set[str]:
    pattern = re.compile(r"""\b(?:t|self\.t|text|core\.text)\(\s*["']([a-z_]+\.[a-z_.]+)["']""")
    keys = set()
    for path in list((ROOT / "kiosk").rglob("*.py")) + list((ROOT / "ui").rglob("*.py")):
        keys |= set(pattern.findall(path.read_text(encoding="utf-8")))
    return keys


def test_every_message_the_code_asks_for_exists():
    used = keys_used_in_code()
    assert len(used) > 20  # the scan found the screens' messages
    assert sorted(used - set(load_messages(DEFAULT_LANGUAGE))) == []


def test_dynamic_message_families_are_complete():
    messages = load_messages(DEFAULT_LANGUAGE)
    from elder_wire.meals import DIET_TAGS, MEALS, MODES
    needed = {f"tag.{t}" for t in DIET_TAGS} | {f"meal.{m}" for m in MEALS}
    needed |= {f"mode.{m}" for m in MODES}
    needed |= {f"reason.{r}" for r in ("full", "closed", "duplicate", "elder_inactive",
                                       "unknown_slot", "unknown_elder", "mode_not_allowed")}
    refusals = ("duplicate", "full", "closed", "no_service")  # kiosk.service_flows.ServiceDay
    needed |= {f"cleaning.day.{r}" for r in refusals} | {f"service.reason.{r}" for r in refusals}
    # Services as data: every slot kind is worded (kiosk/booking_text.py), every status shown.
    from elder_wire.catalogue import SLOT_KINDS
    from elder_wire.codes import BookingStatus
    kinds = [kind for kind in SLOT_KINDS if kind not in ("meal", "group")]
    needed |= {f"slot.{kind}.confirm.sentence" for kind in kinds}
    needed |= {f"card.slot.{kind}" for kind in kinds} | {"meal.confirm.sentence", "card.meal"}
    needed |= {f"booking.state.{status}" for status in BookingStatus}
    needed |= {f"attendance.state.{s}" for s in ("came", "walk_in", "waiting", "expected")}
    # 意见/投诉: its subjects, every reason chip, every refusal (kiosk/complaints.py)
    from kiosk.complaints import ABOUT, INVALID, every_reason
    needed |= {f"complaint.about.{a}" for a in ABOUT} | {f"complaint.about.{a}.hint" for a in ABOUT}
    needed |= {f"rating.reason.{code}" for code in every_reason()}
    needed |= {f"complaint.invalid.{what}" for what in INVALID}
    assert sorted(needed - set(messages)) == []


def test_dates_and_prices_follow_the_locale():
    zh, en = Translator("zh_CN"), Translator("en")
    tuesday = dt.date(2026, 11, 24)
    assert zh.day(tuesday) == "11月24日 星期二"
    assert en.day(tuesday) == "Tuesday 24 November"
    assert zh.price(1200) == "¥12.00"
    assert en.price(123450) == "¥1,234.50"  # not Babel's English "CN¥"
    assert zh.relative_day(tuesday, tuesday) == "今天"
    assert zh.relative_day(tuesday + dt.timedelta(1), tuesday) == "明天"
    assert zh("services.greeting", name="王秀英") == "王秀英，您好"
