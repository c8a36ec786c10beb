"""Known conditions of the world, each with a message key for a plain answer on screen."""
from __future__ import annotations


class KnownError(Exception):
    """A condition the elder or staff is told about in plain words; not a bug."""

    message_key = "error.generic"

    def __init__(self, detail: str = "", **params: object) -> None:
        super().__init__(detail or self.message_key)
        self.params = params


class InvalidCardInput(KnownError):
    message_key = "error.card_invalid"


class UnknownCard(KnownError):
    message_key = "error.card_unknown"


class ElderInactive(KnownError):
    message_key = "error.elder_inactive"


class BookingRejected(KnownError):
    """A business rule said no; `reason` is a stable code shared with the platform."""

    def __init__(self, reason: str, **params: object) -> None:
        super().__init__(reason, **params)
        self.reason = reason
        self.message_key = f"reason.{reason}"


class StorageError(KnownError):
    message_key = "error.storage"
