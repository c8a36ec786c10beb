"""What a card reader, QR scanner or keypad hands us, checked before it touches the store."""
from __future__ import annotations

import re

from kiosk.errors import InvalidCardInput

MAX_INPUT = 64
CARD_DIGITS = re.compile(r"[0-9]{6,18}")
# A printed QR elder card carries "EK1:<card number>" so that stray codes are told apart.
QR_CARD = re.compile(r"EK1:([0-9]{6,18})")


def parse_card_input(raw: str) -> str:
    """The card number in `raw`, or InvalidCardInput for anything else."""
    if len(raw) > MAX_INPUT:
        raise InvalidCardInput("input too long")
    text = raw.strip()
    if not text.isprintable():
        raise InvalidCardInput("control characters")
    if CARD_DIGITS.fullmatch(text):
        return text
    match = QR_CARD.fullmatch(text.upper())
    if match:
        return match.group(1)
    raise InvalidCardInput("not a card number")


def card_qr_payload(card_no: str) -> str:
    return f"EK1:{card_no}"
