"""Every status, reason, change kind and operation type on the wire, each defined once."""
from __future__ import annotations

from enum import StrEnum


class BookingStatus(StrEnum):
    TENTATIVE = "tentative"  # accepted at the kiosk, not yet answered by the platform
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"  # the slot was full; moves up on a cancellation (policy.waitlist)
    REJECTED = "rejected"
    CANCELLED = "cancelled"
    COMPLETED = "completed"


# A booking the elder still holds: one per elder and slot, and it can be cancelled.
LIVE = (BookingStatus.TENTATIVE, BookingStatus.CONFIRMED, BookingStatus.WAITLISTED)
# A booking the service is given to (a meal cooked, a cleaner sent): not one still waiting.
EXPECTED = (BookingStatus.TENTATIVE, BookingStatus.CONFIRMED)
# A booking that takes its units of the slot's capacity (a kiosk also holds back its own
# bookings still waiting for an answer; a waiting-list place takes none).
HOLDING = (BookingStatus.TENTATIVE, BookingStatus.CONFIRMED, BookingStatus.COMPLETED)


def sql_list(statuses) -> str:
    """('tentative', 'confirmed') for an SQL `IN`: statuses written out, so planners can use
    partial indexes."""
    return "(" + ", ".join(f"'{status.value}'" for status in statuses) + ")"


class HelpState(StrEnum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"


class ComplaintState(StrEnum):
    """A complaint's life: an operator takes it, writes the answer for the elder, and it is
    closed once the elder has said what she thinks of the answer (or an operator closes it)."""

    OPEN = "open"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"  # the resolution is written for the elder; her answer is awaited
    CLOSED = "closed"


class ComplaintAbout(StrEnum):
    BOOKING = "booking"  # one of her recent bookings (booking_id)
    PROVIDER = "provider"  # a provider (provider_id), not one booking
    CENTRE = "centre"  # the community centre itself


class OpType(StrEnum):
    BOOKING_CREATE = "booking.create"
    BOOKING_CANCEL = "booking.cancel"
    ATTENDANCE_RECORD = "attendance.record"
    RATING_CREATE = "rating.create"
    COMPLAINT_CREATE = "complaint.create"
    COMPLAINT_ANSWER = "complaint.answer"  # the elder's view of how her complaint was handled
    HELP_CREATE = "help.create"
    HELP_UPDATE = "help.update"
    ELDER_UPSERT = "elder.upsert"
    AUDIT_APPEND = "audit.append"


class ChangeKind(StrEnum):
    """Kinds of entity in the change feed. A kiosk ignores a kind it does not know."""

    SERVICE = "service"  # a catalogue entry (elder_wire.catalogue)
    SUBSIDY_LEVEL = "subsidy_level"
    ELDER = "elder"
    PROVIDER = "provider"
    MEAL_SLOT = "meal_slot"
    SERVICE_SLOT = "service_slot"
    BOOKING = "booking"
    ATTENDANCE = "attendance"
    LEASE = "lease"
    RATING = "rating"
    PROVIDER_RATING = "provider_rating"
    COMPLAINT = "complaint"
    HELP_REQUEST = "help_request"
    STAFF = "staff"


class Reason(StrEnum):
    """Why an operation was rejected; a kiosk shows an unknown reason as 'other'."""

    DUPLICATE = "duplicate"
    UNKNOWN_ELDER = "unknown_elder"
    ELDER_INACTIVE = "elder_inactive"
    UNKNOWN_SLOT = "unknown_slot"
    UNKNOWN_SERVICE = "unknown_service"
    MODE_NOT_ALLOWED = "mode_not_allowed"
    UNKNOWN_KIND = "unknown_kind"
    UNKNOWN_NEED = "unknown_need"
    NOT_ALLOWED = "not_allowed"
    CLOSED = "closed"
    FULL = "full"
    UNKNOWN_BOOKING = "unknown_booking"
    NOT_DONE = "not_done"
    UNKNOWN_HELP = "unknown_help"
    UNKNOWN_COMPLAINT = "unknown_complaint"
    UNKNOWN_PROVIDER = "unknown_provider"
    UNKNOWN_SUBSIDY_LEVEL = "unknown_subsidy_level"
    CARD_IN_USE = "card_in_use"
    UNKNOWN_TYPE = "unknown_type"
