"""What can go wrong talking to the platform, each with a plain message key for staff."""
from __future__ import annotations

from kiosk.errors import KnownError


class SyncError(KnownError):
    """Sync did not finish; nothing local was lost."""

    message_key = "sync.error.generic"


class SyncRetryable(SyncError):
    """Try again later: network down, platform busy or broken (protocol §1 "Retryable")."""

    def __init__(self, detail: str = "", retry_after: float | None = None) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


class PlatformUnreachable(SyncRetryable):
    message_key = "sync.error.offline"


class PlatformBusy(SyncRetryable):
    message_key = "sync.error.busy"


class PlatformAnswerInvalid(SyncRetryable):
    """An answer that is not what the protocol promises (garbage, cut short, wrong shape)."""

    message_key = "sync.error.bad_answer"


class SyncStopped(SyncError):
    """Retrying the same request cannot help; staff must act."""


class NotEnrolled(SyncStopped):
    message_key = "sync.error.not_enrolled"


class AccessRefused(SyncStopped):
    message_key = "sync.error.unauthorized"


class KioskRevoked(SyncStopped):
    message_key = "sync.error.revoked"


class InvalidCode(SyncStopped):
    message_key = "sync.error.invalid_code"


class CursorAhead(SyncStopped):
    message_key = "sync.error.cursor_ahead"


class ProtocolBug(SyncStopped):
    """A 4xx the protocol calls a client bug; the request is not resent unchanged."""

    message_key = "sync.error.bug"


class InvalidBatch(SyncError):
    """422: nothing of the batch was applied; `details` name the operations at fault."""

    def __init__(self, code: str, details: list) -> None:
        super().__init__(code)
        self.code = code
        self.details = details


class PayloadTooLarge(SyncError):
    """413: the request body was over the platform's limit."""


class AddressMismatch(SyncStopped):
    """An enrolment QR code names another platform than the address staff gave: it is used
    only once staff have seen it and chosen it (`params["url"]`: the QR code's address)."""

    message_key = "sync.error.qr_address"


class InsecureAddress(SyncStopped):
    """Plain http to another machine, without the setting that allows it."""

    message_key = "sync.error.insecure_address"


class UnsentElsewhere(SyncStopped):
    """Enrolling into another community would drop records not yet sent to the old one."""

    message_key = "sync.error.unsent_elsewhere"
