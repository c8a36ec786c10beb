"""Operation payloads and answers of protocol v1: closed request schemas (unknown fields are
a 422), shared by the kiosk and the platform."""
from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StringConstraints,
    model_validator,
)


def unkeepable(value: str) -> str | None:
    """Why no database could keep this text (a NUL, a lone UTF-16 surrogate), or None."""
    if "\x00" in value:
        return "text may not contain NUL (U+0000)"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "text may not contain a lone UTF-16 surrogate"
    return None


def _keepable(value: str) -> str:
    problem = unkeepable(value)
    if problem is not None:
        raise ValueError(problem)
    return value


def plain_text(min_length: int = 0, max_length: int | None = None,
               pattern: str | None = None):
    """A string of at most `max_length` characters that every database keeps as it is."""
    return Annotated[str, StringConstraints(min_length=min_length, max_length=max_length,
                                            pattern=pattern), AfterValidator(_keepable)]


# ISO 8601 with an offset (RFC 3339): no Unix numbers, no dates alone, no local times.
_STAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})")


def _stamp_text(value: Any) -> Any:
    if isinstance(value, dt.datetime):  # made in Python (JSON has no such thing): as it is
        return value
    if not isinstance(value, str) or not _STAMP.fullmatch(value):
        raise ValueError("a timestamp is ISO 8601 text with an offset, "
                         "e.g. 2026-11-24T09:30:00+08:00")
    return value


def _whole(value: Any) -> Any:
    """A JSON number without a fraction is an integer (JSON Schema's "integer"): 2.0 is 2."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


Stamp = Annotated[AwareDatetime, BeforeValidator(_stamp_text)]
Id = plain_text(1, 64)
Cents = Annotated[StrictInt, Field(ge=0, le=10_000_000), BeforeValidator(_whole)]
Count = Annotated[StrictInt, Field(ge=0, le=100_000), BeforeValidator(_whole)]
Short = plain_text(1, 32)
Code = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,31}$")]
Codes = Annotated[list[Code], Field(max_length=10)]

MAX_OPERATIONS = 500
MAX_LEASE_ITEMS = 200


class Closed(BaseModel):
    model_config = ConfigDict(extra="forbid")


class EnrolRequest(Closed):
    code: plain_text(1, 64)
    device_name: plain_text(0, 100) | None = None
    # the kiosk's own random id, made once: only it may redeem its code again (a lost answer)
    install_id: plain_text(16, 64, pattern=r"^[A-Za-z0-9_-]+$") | None = None


class CommunityInfo(BaseModel):
    id: str
    name: str
    tz: str


class EnrolResponse(BaseModel):
    kiosk_id: str
    kiosk_name: str
    community: CommunityInfo
    token: str
    token_type: Literal["Bearer"] = "Bearer"
    server_time: str


class MeResponse(BaseModel):
    kiosk_id: str
    kiosk_name: str
    community: CommunityInfo
    server_time: str


class TimeResponse(BaseModel):
    server_time: str
    platform_id: str
    protocol: int = 1


class Operation(Closed):
    op_id: UUID
    type: plain_text(1, 40)
    payload: dict[str, Any]
    created_at: Stamp


class PushRequest(Closed):
    operations: list[Operation] = Field(min_length=1, max_length=MAX_OPERATIONS)


class _Priced(Closed):
    """A booking's payload: what the elder pays is the price less the subsidy, never below 0."""

    @model_validator(mode="after")
    def _subsidy_within_price(self):
        if self.subsidy_cents > self.price_cents:
            raise ValueError("subsidy_cents is above price_cents")
        return self


class BookingCreate(_Priced):
    """Payload of `booking.create`, one shape for every service of the catalogue: what the kiosk
    wrote, with the choices the service's policy asks for (a meal's `mode`, a cleaning's `kind`
    and `needs`, a clinic's `department`); the platform checks them against the policy."""

    id: UUID
    elder_id: Id
    service: Code
    slot_id: Id
    mode: Code | None = None
    price_cents: Cents
    subsidy_cents: Cents
    staff_id: Id | None
    created_at: Stamp
    kind: Short | None = None
    needs: Annotated[list[Short], Field(max_length=10)] = Field(default_factory=list)
    department: Short | None = None
    lease_id: UUID | None = None  # meals' escrow lease (§6); ignored for other services


class AttendanceRecord(Closed):
    """Payload of `attendance.record`: an elder's card scanned at the door of a session (签到)."""

    id: UUID
    slot_id: Id
    elder_id: Id
    staff_id: Id | None = None
    created_at: Stamp


class BookingCancel(Closed):
    booking_id: UUID
    staff_id: Id | None = None
    reason: plain_text(0, 200) | None = None


class RatingCreate(Closed):
    id: UUID
    booking_id: UUID
    elder_id: Id
    score: Literal["satisfied", "neutral", "unsatisfied"]
    reasons: Codes = Field(default_factory=list)
    staff_id: Id | None = None
    created_at: Stamp


class ComplaintCreate(Closed):
    id: UUID
    booking_id: UUID | None = None
    elder_id: Id
    reasons: Codes = Field(default_factory=list)
    staff_id: Id | None = None
    created_at: Stamp


class HelpCreate(Closed):
    id: UUID
    elder_id: Id | None = None
    kind: Code
    staff_id: Id | None = None
    created_at: Stamp


class HelpUpdate(Closed):
    id: UUID
    state: Literal["acknowledged", "resolved"]
    staff_id: Id


class EmergencyContact(Closed):
    name: plain_text(0, 100)
    phone: plain_text(0, 32)


class ElderUpsert(Closed):
    id: Id
    card_no: Short
    name: plain_text(1, 100)
    phone: plain_text(0, 32)
    address: plain_text(0, 200)
    subsidy_level: Short
    delivery_allowed: StrictBool
    home_visit_allowed: StrictBool
    dietary: Annotated[list[Code], Field(max_length=20)]
    mobility: Code | None = None
    emergency_contact: EmergencyContact | None = None
    # the family may be told when a help call is escalated (through the emergency contact)
    notify_family: StrictBool = False
    active: StrictBool
    staff_id: Id


class AuditAppend(Closed):
    id: UUID
    staff_id: Id
    action: Annotated[str, StringConstraints(pattern=r"^[a-z0-9_.]{1,64}$")]
    subject: plain_text(0, 200)
    created_at: Stamp


class OpResult(BaseModel):
    op_id: str
    status: Literal["applied", "rejected"]
    reason: str | None
    data: dict[str, Any]


class PushResponse(BaseModel):
    results: list[OpResult]
    server_time: str


class ChangeOut(BaseModel):
    seq: int
    kind: str
    id: str
    op: Literal["upsert", "delete"]
    data: dict[str, Any] | None


class ChangesResponse(BaseModel):
    changes: list[ChangeOut]
    next: int
    more: bool
    server_time: str


class LeaseReturnIn(Closed):
    lease_id: UUID
    used: Count


class LeaseWantIn(Closed):
    slot_id: Id
    places: Count | None = None


class LeasesRequest(Closed):
    returns: list[LeaseReturnIn] = Field(default_factory=list, alias="return",
                                         max_length=MAX_LEASE_ITEMS)
    want: list[LeaseWantIn] = Field(default_factory=list, max_length=MAX_LEASE_ITEMS)


class LeaseOut(BaseModel):
    lease_id: str
    slot_id: str
    places: int
    uses: int
    used: int | None
    state: Literal["active", "returned", "expired"]
    granted_at: str
    expires_at: str


class LeaseReceipt(BaseModel):
    lease_id: str
    status: Literal["returned", "unknown"]
    used: int | None


class LeasesResponse(BaseModel):
    leases: list[LeaseOut]
    returned: list[LeaseReceipt]
    server_time: str


class ErrorBody(BaseModel):
    code: str
    message: str
    details: list[dict[str, Any]]


class ErrorResponse(BaseModel):
    error: ErrorBody
