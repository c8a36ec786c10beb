"""Card numbers from the keypad, QR cards and keyboard-wedge scanners; garbage is refused."""
from __future__ import annotations

import pytest

from kiosk.cards import MAX_INPUT, card_qr_payload, parse_card_input
from kiosk.elders import find_by_card, mask_name, mask_phone
from kiosk.errors import ElderInactive, InvalidCardInput, UnknownCard
from kiosk.wedge import WedgeBuffer


@pytest.mark.parametrize("raw, card", [
    ("10000001", "10000001"),
    ("  10000001\n", "10000001"),
    ("EK1:10000001", "10000001"),
    ("ek1:10000001", "10000001"),
])
def test_card_numbers_and_qr_cards_are_read(raw, card):
    assert parse_card_input(raw) == card


@pytest.mark.parametrize("raw", [
    "", "12345", "1" * 19, "1234567a", "DROP TABLE elders;", "１２３４５６７８", "EK1:abc",
    "1000\x000001", "http://example.invalid/10000001", "9" * (MAX_INPUT + 1), "EK2:10000001",
])
def test_garbage_is_refused(raw):
    with pytest.raises(InvalidCardInput):
        parse_card_input(raw)


def test_qr_payload_round_trips():
    assert parse_card_input(card_qr_payload("10000007")) == "10000007"


def test_unknown_and_inactive_cards_are_told_apart(core):
    with pytest.raises(UnknownCard):
        find_by_card(core.store, "99999999")
    inactive = core.store.query_one("SELECT card_no FROM elders WHERE active = 0")["card_no"]
    with pytest.raises(ElderInactive):
        find_by_card(core.store, inactive)


def test_an_elder_never_shows_personal_data_in_logs(core):
    wang = find_by_card(core.store, "10000001")
    assert wang.name not in repr(wang) and wang.phone not in repr(wang)
    assert mask_phone("13812341234") == "138****1234"
    assert mask_phone("12") == "****"


def feed(buffer, text, start=0.0, gap=0.01):
    at = start
    for char in text:
        buffer.feed(char, at)
        at += gap
    return at


def test_a_fast_burst_ending_in_enter_is_a_scan():
    buffer = WedgeBuffer()
    at = feed(buffer, "EK1:10000001")
    assert buffer.enter(at) == "EK1:10000001"


def test_a_person_typing_slowly_is_not_a_scan():
    buffer = WedgeBuffer()
    at = feed(buffer, "10000001", gap=0.3)
    assert buffer.enter(at) is None


def test_a_pause_starts_a_new_burst():
    buffer = WedgeBuffer()
    at = feed(buffer, "xx")
    at = feed(buffer, "10000002", start=at + 2.0)
    assert buffer.enter(at) == "10000002"


def test_an_over_long_burst_is_rejected_whole():
    buffer = WedgeBuffer()
    at = feed(buffer, "1" * 500)
    scanned = buffer.enter(at)
    with pytest.raises(InvalidCardInput):
        parse_card_input(scanned)
    assert buffer.enter(at + 0.01) is None  # and nothing is left over


@pytest.mark.parametrize("name, shown", [
    ("王秀英", "王*英"), ("王芳", "王*"), ("欧阳明华", "欧阳*华"), ("欧阳", "欧*"),
    ("Mary Ann Lee", "Mary A. L."), ("", ""),
])
def test_a_shared_screen_shows_names_masked(name, shown):
    assert mask_name(name) == shown
