"""Operation payloads and answers of protocol v1: closed request schemas (unknown fields are
a 422), shared by the kiosk and the platform."""
from __future__ import annotations

import datetime as dt
import operator
import re
from enum import StrEnum
from functools import reduce
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
    create_model,
    model_validator,
)

from elder_wire.codes import (
    BookingStatus,
    ChangeKind,
    ComplaintAbout,
    ComplaintState,
    HelpState,
    OpType,
    Reason,
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
    """意见/投诉. `about` left out means: about `booking_id` if given, else the centre (how
    kiosks older than `about` complained). A kiosk sends the newer fields only when set, so a
    platform that predates them still accepts its complaints."""

    id: UUID
    booking_id: UUID | None = None
    elder_id: Id
    reasons: Codes = Field(default_factory=list)
    staff_id: Id | None = None
    created_at: Stamp
    about: ComplaintAbout | None = None
    provider_id: Id | None = None  # about a provider
    call_back: bool = False  # 请给我回电话
    note: plain_text(0, 200) | None = None  # written by staff on the elder's behalf


class ComplaintAnswer(Closed):
    """The elder's view of how her resolved complaint was handled; one per complaint."""

    complaint_id: UUID
    elder_id: Id
    score: Literal["satisfied", "neutral", "unsatisfied"]
    staff_id: Id | None = None
    answered_at: Stamp


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
    horizon: int = Field(0, description="The feed was compacted up to here (protocol §5.1): "
                                        "a kiosk whose cursor is above 0 and below it pulls "
                                        "again from 0. 0: nothing was taken out for its age.")


class SnapshotKind(BaseModel):
    """One kind's entities: each row holds the values of `columns` in order (the fields of the
    kind's change `data`, protocol §5.1), null for a field the entity has not."""
    columns: list[str]
    rows: list[list[Any]]
    deleted: list[str] = Field(default_factory=list,
                               description="Ids whose last change removed them.")


class SnapshotResponse(BaseModel):
    cursor: int = Field(description="The feed's seq this state holds everything up to: pull "
                                    "the feed after it (protocol §5.2).")
    horizon: int = Field(description="The feed's horizon, as a page of the feed tells it.")
    kinds: dict[str, SnapshotKind] = Field(description="By change kind; a client applies "
                                                       "the kinds it knows, in their order "
                                                       "of §5.2, and ignores the others.")
    server_time: str


class SnapshotStart(BaseModel):
    """The first line of a streamed snapshot (`application/x-ndjson`, protocol §5.2)."""
    cursor: int = Field(description="As in the one-object answer.")
    horizon: int
    server_time: str


class SnapshotPart(SnapshotKind):
    """A line of a streamed snapshot: some entities of one kind; a kind may come in several
    parts, one after the other, its removals in the last."""
    kind: str


class SnapshotCount(BaseModel):
    parts: int = Field(description="How many parts came before this line.")


class SnapshotEnd(BaseModel):
    """The last line of a streamed snapshot: a kiosk applies nothing without it."""
    end: SnapshotCount


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


# ---------------------------------------------------------------------------------------------
# The wire in full, for the OpenAPI document (service_platform/openapi.py) and for any client
# generated from it. The platform validates what it is sent as above (`PushRequest`, then each
# payload by its type: an unknown type is rejected per operation, `unknown_type`); the models
# below describe the same requests and answers with every type spelled out. Answers are open:
# a client ignores fields, change kinds and reason codes it does not know (protocol §9).


class Answer(BaseModel):
    """An object in an answer: fields may be added within v1 (§9)."""

    model_config = ConfigDict(extra="allow")


# The payload of each operation type (protocol §3).
OPERATION_PAYLOADS: dict[OpType, type[Closed]] = {
    OpType.BOOKING_CREATE: BookingCreate,
    OpType.BOOKING_CANCEL: BookingCancel,
    OpType.ATTENDANCE_RECORD: AttendanceRecord,
    OpType.RATING_CREATE: RatingCreate,
    OpType.COMPLAINT_CREATE: ComplaintCreate,
    OpType.COMPLAINT_ANSWER: ComplaintAnswer,
    OpType.HELP_CREATE: HelpCreate,
    OpType.HELP_UPDATE: HelpUpdate,
    OpType.ELDER_UPSERT: ElderUpsert,
    OpType.AUDIT_APPEND: AuditAppend,
}


def _camel(code: str) -> str:
    return "".join(part.capitalize() for part in re.split(r"[._]", code))


def _operation(op_type: OpType, payload: type[Closed]) -> type[Closed]:
    return create_model(
        f"{_camel(op_type.value)}Op", __base__=Closed,
        __doc__=f"An operation of type `{op_type.value}` (protocol §3).",
        op_id=(UUID, ...), type=(Literal[op_type.value], ...), payload=(payload, ...),
        created_at=(Stamp, ...))


OPERATION_TYPES = tuple(_operation(op_type, payload)
                        for op_type, payload in OPERATION_PAYLOADS.items())
# One operation: its `type` chooses the schema of its `payload` (a discriminator).
TypedOperation = Annotated[reduce(operator.or_, OPERATION_TYPES), Field(discriminator="type")]


class PushBody(Closed):
    """`POST /v1/push`: 1 to 500 operations, in the kiosk's outbox order (§4). An operation of
    a type not listed here is not a 422: it is answered `rejected`, `unknown_type` (§3.9)."""

    operations: list[TypedOperation] = Field(min_length=1, max_length=MAX_OPERATIONS)


# What an applied (or rejected) operation answers in `data`, by type (§3).

class BookingResult(Answer):
    """`booking.create` applied: confirmed, or on the waiting list (`waitlisted`)."""

    booking_id: str
    booking_status: BookingStatus
    within_lease: bool
    merged: bool | None = None  # the elder's booking of the slot made elsewhere (§3.1)
    waitlist_position: int | None = None  # 1 = next; only when `waitlisted`


class CancelResult(Answer):
    """`booking.cancel` applied."""

    booking_id: str
    booking_status: BookingStatus


class AttendanceResult(Answer):
    """`attendance.record` applied; `already` when the elder was scanned for the slot before."""

    attendance_id: str
    booking_id: str | None
    walk_in: bool
    already: bool | None = None


class RatingResult(Answer):
    rating_id: str
    provider_id: str | None


class ComplaintResult(Answer):
    complaint_id: str
    provider_id: str | None
    state: ComplaintState | None = None  # given by platforms that track a complaint's life


class HelpResult(Answer):
    help_id: str
    state: HelpState


class ElderResult(Answer):
    elder_id: str
    created: bool


class AuditResult(Answer):
    audit_id: str


class StoredResult(Answer):
    """An operation a platform stored without effect before its type was introduced (§3.3)."""

    stored: Literal[True]


class RejectionData(Answer):
    """A rejection's data: `{}`, or for a booking whether it came within a lease."""

    within_lease: bool | None = None


ResultData = (BookingResult | CancelResult | AttendanceResult | RatingResult | ComplaintResult
              | HelpResult | ElderResult | AuditResult | StoredResult | RejectionData)


class OpStatus(StrEnum):
    APPLIED = "applied"
    REJECTED = "rejected"


class ChangeOp(StrEnum):
    UPSERT = "upsert"  # `data` is the entity's whole new state
    DELETE = "delete"  # the entity was removed: `data` is null


class OperationResult(Answer):
    """One operation's result (§4.2): `rejected` with a reason is a normal, final answer."""

    op_id: str
    status: OpStatus
    reason: Reason | None
    data: ResultData


class PushAnswer(Answer):
    """The 200 answer of `POST /v1/push`: one result per operation, in the order sent."""

    results: list[OperationResult]
    server_time: str


# Each change kind's `data` (§5, §10; docs/services.md).

class PolicyData(Answer):
    escrow: bool = False
    modes: list[str] = Field(default_factory=list)
    units_by_kind: bool = False
    one_a_day_by: str = ""
    requires: str = ""
    waitlist: bool = False
    attendance: bool = False
    cancel_until: str = "cutoff"  # or "start"
    rated: bool = True


class ServiceData(Answer):
    """A catalogue entry (kind `service`, id = `key`)."""

    key: str
    slot_kind: str  # meal, window, timed, day, session, group; a kiosk ignores a newer one
    names: dict[str, str]
    hints: dict[str, str] = Field(default_factory=dict)
    prompts: dict[str, str] = Field(default_factory=dict)
    icon: str = "service"
    group: str = ""
    order: int = 100
    active: bool = True
    policy: PolicyData = Field(default_factory=PolicyData)


class SubsidyLevelData(Answer):
    level: str
    meal_subsidy_cents: int


class ContactData(Answer):
    name: str
    phone: str


class ElderData(Answer):
    id: str
    card_no: str
    name: str
    phone: str
    address: str
    subsidy_level: str
    delivery_allowed: bool
    home_visit_allowed: bool
    dietary: list[str]
    mobility: str | None
    emergency_contact: ContactData | None
    notify_family: bool
    active: bool


class ProviderKindData(Answer):
    name: str
    hours: float
    units: int
    price_cents: int


class DepartmentData(Answer):
    name: str
    doctor: str | None = None


class ProviderData(Answer):
    id: str
    name: str
    services: list[str]
    teams: int | None
    kinds: dict[str, ProviderKindData]
    subsidy_cents: dict[str, dict[str, int]]  # level -> kind -> cents
    needs: list[str]
    departments: dict[str, DepartmentData]
    active: bool


class MenuItem(Answer):
    name: str
    tags: list[str]


class MealSlotData(Answer):
    id: str
    day: str
    meal: str  # lunch, dinner
    cutoff: str
    capacity: int
    price_cents: int
    menu: list[MenuItem]


class ServiceSlotData(Answer):
    id: str
    service: str
    provider_id: str | None
    day: str
    window: str | None  # am, pm
    department: str | None
    doctor: str | None
    start: str
    end: str
    cutoff: str
    capacity: int
    price_cents: int | None
    title: str | None = None  # a session's (书法)
    place: str | None = None  # 二楼活动室
    host: str | None = None  # 王老师


class BookingData(Answer):
    id: str
    elder_id: str
    service: str
    slot_id: str
    mode: str | None
    price_cents: int
    subsidy_cents: int
    staff_id: str | None
    status: BookingStatus
    created_at: str
    updated_at: str
    kiosk_id: str | None
    lease_id: str | None
    kind: str | None
    needs: list[str]
    department: str | None
    units: int
    provider_id: str | None
    waitlist_position: int | None = None  # only when `waitlisted`


class AttendanceData(Answer):
    id: str
    slot_id: str
    elder_id: str
    booking_id: str | None
    staff_id: str | None
    kiosk_id: str | None
    created_at: str


class StaffData(Answer):
    id: str
    name: str
    active: bool


class RatingData(Answer):
    id: str
    booking_id: str
    elder_id: str
    provider_id: str | None
    score: str  # satisfied, neutral, unsatisfied
    reasons: list[str]
    staff_id: str | None
    created_at: str
    kiosk_id: str | None


class ProviderRatingData(Answer):
    provider_id: str
    satisfied: int
    neutral: int
    unsatisfied: int
    total: int
    reasons: dict[str, int]


class ComplaintData(Answer):
    """A complaint as kiosks see it: what was said, and once resolved the answer written for
    the elder (`resolution`), which her kiosk shows and says at her next sign-in."""

    id: str
    booking_id: str | None
    elder_id: str
    provider_id: str | None
    reasons: list[str]
    staff_id: str | None
    state: str
    created_at: str
    kiosk_id: str | None
    about: str | None = None
    call_back: bool = False
    note: str | None = None
    resolution: str | None = None  # plain words for the elder
    resolved_at: str | None = None
    answer: Literal["satisfied", "neutral", "unsatisfied"] | None = None
    answered_at: str | None = None


class HelpRequestData(Answer):
    id: str
    elder_id: str | None
    kind: str
    state: HelpState
    staff_id: str | None
    created_at: str
    kiosk_id: str | None
    acknowledged_by: str | None
    acknowledged_at: str | None
    resolved_by: str | None
    resolved_at: str | None
    acknowledged_by_name: str | None
    resolved_by_name: str | None
    resolution_note: str | None
    escalated_at: str | None


CHANGE_DATA: dict[ChangeKind, type[BaseModel]] = {
    ChangeKind.SERVICE: ServiceData,
    ChangeKind.SUBSIDY_LEVEL: SubsidyLevelData,
    ChangeKind.ELDER: ElderData,
    ChangeKind.PROVIDER: ProviderData,
    ChangeKind.MEAL_SLOT: MealSlotData,
    ChangeKind.SERVICE_SLOT: ServiceSlotData,
    ChangeKind.BOOKING: BookingData,
    ChangeKind.ATTENDANCE: AttendanceData,
    ChangeKind.LEASE: LeaseOut,
    ChangeKind.RATING: RatingData,
    ChangeKind.PROVIDER_RATING: ProviderRatingData,
    ChangeKind.COMPLAINT: ComplaintData,
    ChangeKind.HELP_REQUEST: HelpRequestData,
    ChangeKind.STAFF: StaffData,
}


def _change(kind: ChangeKind, data: type[BaseModel]) -> type[Answer]:
    return create_model(
        f"{_camel(kind.value)}Change", __base__=Answer,
        __doc__=f"A change of kind `{kind.value}`: the entity's whole new state, or "
                f"`op: delete` and `data: null`.",
        seq=(int, ...), kind=(Literal[kind.value], ...), id=(str, ...),
        op=(ChangeOp, ...), data=(data | None, ...))


CHANGE_TYPES = tuple(_change(kind, data) for kind, data in CHANGE_DATA.items())
# One change: its `kind` chooses the schema of its `data` (a discriminator).
TypedChange = Annotated[reduce(operator.or_, CHANGE_TYPES), Field(discriminator="kind")]


class ChangesPage(Answer):
    """The 200 answer of `GET /v1/changes` (§5). This platform's kinds are listed; a kiosk
    skips a change of a kind it does not know and moves its cursor on all the same (§9)."""

    changes: list[TypedChange]
    next: int
    more: bool
    server_time: str


class ErrorDetail(Answer):
    """One problem of a 422: `index` and `op_id` name the operation of a push it is in."""

    loc: list[str | int] | None = None
    msg: str
    index: int | None = None
    op_id: str | None = None


class ErrorBody(Answer):
    code: str  # a stable code (§1's table): unauthorized, invalid_request, op_conflict, ...
    message: str  # for people: English, no personal data
    details: list[ErrorDetail]


class ErrorResponse(Answer):
    """Every answer other than 2xx (§1)."""

    error: ErrorBody
    server_time: str | None = None  # the platform's clock; absent only from older platforms
