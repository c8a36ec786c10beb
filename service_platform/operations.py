"""Pushed operations: validated as a batch, then each applied exactly once, its result stored."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from dataclasses import dataclass
from json.encoder import encode_basestring, encode_basestring_ascii
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError
from sqlalchemy import Connection, RowMapping, bindparam, delete, select, text
from sqlalchemy.exc import IntegrityError, OperationalError

from elder_wire import collector
from elder_wire.codes import OpType
from elder_wire.operations import (
    AttendanceRecord,
    AuditAppend,
    BookingCancel,
    BookingCreate,
    ComplaintAnswer,
    ComplaintCreate,
    ElderUpsert,
    HelpCreate,
    HelpUpdate,
    Operation,
    OpResult,
    RatingCreate,
    unkeepable,
)
from service_platform import (
    attendance,
    bookings,
    catalogue,
    clock,
    complaints,
    elder_register,
    errors,
    feed,
    feedback,
    help_requests,
    json_text,
    memo,
)
from service_platform.auth import Kiosk
from service_platform.bookings import Outcome
from service_platform.db import (
    Database,
    Lookup,
    Savepoints,
    WriteBehind,
    insert_rows,
)
from service_platform.schema import (
    applied_ops,
    elders,
    meal_slots,
    providers,
    service_slots,
)
from service_platform.schema import bookings as bookings_table
from service_platform.schema import complaints as complaints_table
from service_platform.schema import help_requests as help_requests_table

log = logging.getLogger(__name__)

PAYLOADS: dict[str, TypeAdapter] = {
    OpType.BOOKING_CREATE: TypeAdapter(BookingCreate),
    OpType.BOOKING_CANCEL: TypeAdapter(BookingCancel),
    OpType.ATTENDANCE_RECORD: TypeAdapter(AttendanceRecord),
    OpType.RATING_CREATE: TypeAdapter(RatingCreate),
    OpType.COMPLAINT_CREATE: TypeAdapter(ComplaintCreate),
    OpType.COMPLAINT_ANSWER: TypeAdapter(ComplaintAnswer),
    OpType.HELP_CREATE: TypeAdapter(HelpCreate),
    OpType.HELP_UPDATE: TypeAdapter(HelpUpdate),
    OpType.ELDER_UPSERT: TypeAdapter(ElderUpsert),
    OpType.AUDIT_APPEND: TypeAdapter(AuditAppend),
}


# How far a `created_at` may be from the platform's clock (docs §3): a kiosk that was off or
# offline for months still gets its operations in; a clock reset to 1970, or a day ahead, not.
EARLIEST = dt.timedelta(days=366)
LATEST = dt.timedelta(hours=24)
MAX_DEPTH = 32  # of a payload's nested objects and lists
# Results of operations of unknown types kept per kiosk (without their payload): a retry of
# one forgotten gets the same answer anyway, but an op_id reused is no longer recognised.
UNKNOWN_KEPT = 1000


class OperationFailed(RuntimeError):
    """An operation failed for an unexpected reason; the ones before it were committed (§4.3).
    Answered 500 like any other bug, whatever the cause was (a database error too)."""


@dataclass(frozen=True, slots=True)
class Checked:
    """An operation whose envelope and payload passed validation."""

    op: Operation
    op_id: str
    digest: str
    payload: BaseModel | None
    payload_json: str  # as `canonical_json` writes it: what is stored, what the digest covers
    created_at: str  # the envelope's, as the digest covers it and `applied_ops` keeps it


def push(db: Database, kiosk: Kiosk, ops: list[Operation]) -> list[OpResult]:
    """Apply a batch in order; nothing at all when any part of it is invalid (422).

    One transaction, the write: the stored results of the batch's op_ids are read in it, under
    its locks. Only a batch that does not pass validation as new reads them beforehand, to
    forgive what is invalid now in an operation stored with the same content (`validate`).

    Python's cycle collector is paused meanwhile (`collector.paused`): a batch makes some
    hundred thousand short-lived objects, none in a cycle, and the collections they set off
    scanned every object of the process again and again (a sixth of a push's CPU)."""
    with collector.paused():
        return _push(db, kiosk, ops)


def _push(db: Database, kiosk: Kiosk, ops: list[Operation]) -> list[OpResult]:
    checked = _validated(db, kiosk, ops)
    try:
        done, fault = db.run_write(lambda conn: apply_batch(conn, kiosk, checked))
    except IntegrityError:
        # Another request stored one of these operations meanwhile (PostgreSQL: two pushes of
        # the same batch at once): nothing of this one was kept; again, it finds them stored.
        done, fault = db.run_write(lambda conn: apply_batch(conn, kiosk, checked))
    if fault is not None:
        failed = _distinct(checked)[len(done)]
        log.error("kiosk %s pushed %d operations: %d committed, then operation %s (%s) failed",
                  kiosk.id, len(ops), len(done), failed.op_id, failed.op.type)
        raise OperationFailed(f"operation {failed.op_id} failed") from fault
    applied = sum(r.status == "applied" for r in done.values())
    log.info("kiosk %s pushed %d operations: %d applied, %d rejected", kiosk.id, len(ops),
             applied, len(done) - applied)
    return [done[item.op_id] for item in checked]


def _validated(db: Database, kiosk: Kiosk, ops: list[Operation]) -> list[Checked]:
    """`validate` and `refuse_conflicts` as if none were stored (nearly every batch): the
    transaction checks against those stored. When that finds problems, again with the stored
    digests, which answer what was stored with the same content and name every conflict."""
    try:
        checked = validate(ops)
        refuse_conflicts(checked, {})
        return checked
    except errors.ApiError:
        with db.read() as conn:
            stored = _stored_digests(conn, kiosk.community_id, [str(op.op_id) for op in ops])
        if not stored:
            raise
    checked = validate(ops, stored)
    refuse_conflicts(checked, stored)
    return checked


def _distinct(checked: list[Checked]) -> list[Checked]:
    """Each op_id once, at its first place (a retry may repeat an operation in its batch)."""
    return list({item.op_id: item for item in reversed(checked)}.values())[::-1]


def canonical_json(value: Any) -> str:
    """JSON with keys sorted and no spaces: one text for one content, whatever its order."""
    return _canonical(value)


# json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
_canonical = json_text.writer(sort_keys=True, separators=(",", ":"), ensure_ascii=False)
_compact_json = json_text.writer(separators=(",", ":"))  # json.dumps(value, separators=…)


def digest(op: Operation, payload_json: str | None = None,
           created_at: str | None = None) -> str:
    """SHA-256 of the operation's canonical JSON — its type, payload and created_at
    (`canonical_json`) — written out around the payload's, which a batch makes only once
    (and around `created_at`'s text, `op.created_at.isoformat()`, when the caller has it).
    A string alone is written as `json.dumps` writes it (`encode_basestring…`)."""
    if payload_json is None:
        payload_json = canonical_json(op.payload)
    if created_at is None:
        created_at = op.created_at.isoformat()
    canonical = (f'{{"created_at":{encode_basestring_ascii(created_at)},'
                 f'"payload":{payload_json},"type":{encode_basestring(op.type)}}}')
    return hashlib.sha256(canonical.encode()).hexdigest()


def validate(ops: list[Operation], stored: dict[str, str] | None = None,
             now: dt.datetime | None = None) -> list[Checked]:
    """Every operation's text, times and (for a known type) payload against its schema —
    except an operation already stored with the same content, whose stored result answers it
    (e.g. one stored as "reserved", or made longer ago than EARLIEST allows now)."""
    window = _window(now or clock.now())
    stored = stored or {}
    checked, problems = [], []
    for index, op in enumerate(ops):
        try:
            payload_json = _canonical(op.payload)
        except RecursionError:  # nested too deep to write: `_unkeepable_text` says so
            payload_json = ""
        if not _plainly_keepable(payload_json):
            bad_text = _unkeepable_text(index, op)
            if bad_text:
                problems.extend(bad_text)
                continue
        payload = None
        op_id = str(op.op_id)
        created_at = op.created_at.isoformat()
        op_digest = digest(op, payload_json, created_at)
        if stored.get(op_id) != op_digest:
            problems.extend(_out_of_time(index, op, ["created_at"], op.created_at, window))
            adapter = PAYLOADS.get(op.type)
            try:
                payload = None if adapter is None else adapter.validate_python(op.payload)
            except ValidationError as exc:
                problems.extend(_payload_problems(index, op, exc))
            moment = getattr(payload, "created_at", None)
            if moment is not None:
                problems.extend(_out_of_time(index, op, ["payload", "created_at"], moment,
                                             window))
        checked.append(Checked(op, op_id, op_digest, payload, payload_json, created_at))
    if problems:
        raise errors.invalid_request("an operation's payload is invalid; nothing was applied",
                                     problems)
    return checked


def _problem(index: int, op: Operation, loc: list, msg: str) -> dict:
    return {"loc": ["body", "operations", index, *map(errors.printable, loc)],
            "msg": errors.printable(msg), "index": index, "op_id": str(op.op_id)}


def _plainly_keepable(payload_json: str) -> bool:
    """What `_unkeepable_text` would find nothing in, told from the payload's JSON at a glance:
    no NUL (JSON writes it `\\u0000`), no lone surrogate (it cannot be encoded as UTF-8), fewer
    objects and lists in all than MAX_DEPTH. False only means: look closely."""
    if not payload_json or "\\u0000" in payload_json or \
            payload_json.count("{") + payload_json.count("[") >= MAX_DEPTH:
        return False
    try:
        payload_json.encode()
    except UnicodeEncodeError:
        return False
    return True


def _unkeepable_text(index: int, op: Operation) -> list[dict]:
    """Text in the payload no database keeps, and nesting deeper than MAX_DEPTH."""
    problems = []
    stack: list[tuple[Any, list]] = [(op.payload, ["payload"])]
    while stack:
        value, loc = stack.pop()
        if len(loc) > MAX_DEPTH:
            problems.append(_problem(index, op, loc, f"nested deeper than {MAX_DEPTH}"))
        elif isinstance(value, str) and (why := unkeepable(value)):
            problems.append(_problem(index, op, loc, why))
        elif isinstance(value, dict):
            for key, item in value.items():
                if why := unkeepable(key):
                    problems.append(_problem(index, op, [*loc, key], why))
                stack.append((item, [*loc, key]))
        elif isinstance(value, list):
            stack.extend((item, [*loc, n]) for n, item in enumerate(value))
    return problems


def _window(now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    return now - EARLIEST, now + LATEST


def _out_of_time(index: int, op: Operation, loc: list, moment: dt.datetime,
                 window: tuple[dt.datetime, dt.datetime]) -> list[dict]:
    """`window`: the platform's clock less EARLIEST and plus LATEST (`_window`)."""
    try:
        if window[0] <= moment <= window[1]:
            return []
    except OverflowError:  # year 1 or 9999 in a far offset
        pass
    return [_problem(index, op, loc, "more than 366 days before or 24 hours after "
                                     "the platform's clock")]


def _payload_problems(index: int, op: Operation, exc: ValidationError) -> list[dict]:
    return [_problem(index, op, ["payload", *_field_loc(op, error["loc"])], error["msg"])
            for error in exc.errors(include_input=False, include_url=False)]


def _field_loc(op: Operation, loc: tuple) -> list:
    """The field's path in the payload, without the union tag pydantic puts first."""
    service = op.payload.get("service") if op.type == "booking.create" else None
    return list(loc[1:] if loc and service is not None and loc[0] == service else loc)


def refuse_conflicts(checked: list[Checked], stored: dict[str, str]) -> None:
    """422 op_conflict when an op_id was used before, or in this batch, with other content."""
    seen: dict[str, str] = {}
    problems = []
    for index, item in enumerate(checked):
        earlier = seen.setdefault(item.op_id, stored.get(item.op_id, item.digest))
        if earlier != item.digest:
            problems.append({"index": index, "op_id": item.op_id,
                             "msg": "op_id already used with a different operation"})
    if problems:
        raise errors.ApiError(422, "op_conflict",
                              "an op_id was reused with different content; nothing was applied",
                              problems)


def _stored_digests(conn: Connection, community_id: str, op_ids: list[str]) -> dict[str, str]:
    return {op_id: row["digest"] for op_id, row in _stored_rows(conn, community_id, op_ids).items()}


def apply_batch(conn: Connection, kiosk: Kiosk,
                checked: list[Checked]) -> tuple[dict[str, OpResult], Exception | None]:
    """Apply a batch's operations in order, each op_id once, in the caller's one transaction
    (docs §4.1); 422 op_conflict when one was stored before with other content.

    The batch is first applied in one go, behind a single savepoint, with no statement per
    operation beyond its own work. Only when one of its operations fails — a bug, or a
    constraint another request won meanwhile — is the batch rolled back to that savepoint and
    applied again one savepoint per operation: then one that fails for an unexpected reason is
    rolled back alone and ends the batch there, the results before it returned with the fault,
    to be committed before the fault is answered (§4.3).
    """
    items = _distinct(checked)
    _lock_up_front(conn, kiosk.community_id, items)
    stored = _stored_rows(conn, kiosk.community_id, [item.op_id for item in items])
    refuse_conflicts(checked, {op_id: row["digest"] for op_id, row in stored.items()})
    fresh = [item for item in items if item.op_id not in stored]
    if not fresh:
        return {item.op_id: _checked_result(stored[item.op_id], item) for item in items}, None
    try:
        with Savepoints(conn) as whole, whole.each(), WriteBehind(conn):
            return _apply_all(conn, kiosk, items, stored, fresh, careful=False)
    except (errors.ApiError, OperationalError):
        raise  # the whole batch: a 422, or a transient error worth retrying it all
    except Exception as exc:  # rolled back: again, each operation in a savepoint of its own
        log.info("kiosk %s: a batch goes one operation at a time (%s)", kiosk.id,
                 type(exc).__name__)
    return _apply_all(conn, kiosk, items, stored, fresh, careful=True)


def _apply_all(conn: Connection, kiosk: Kiosk, items: list[Checked],
               stored: dict[str, RowMapping], fresh: list[Checked],
               careful: bool) -> tuple[dict[str, OpResult], Exception | None]:
    results: dict[str, OpResult] = {}
    fault: Exception | None = None
    new_rows: list[tuple] = []
    # The batch's moment: its operations are received, and judged, at once.
    received = Received.at(clock.now())
    with feed.deferred(conn) as pending, memo.remembering(conn), Savepoints(conn) as savepoints:
        if len(fresh) > 1:  # for one operation, its own lookups are as many and cheaper
            _look_up_front(conn, kiosk.community_id, fresh)
        for item in items:
            row = stored.get(item.op_id)
            if row is not None:
                results[item.op_id] = _checked_result(row, item)
                continue
            if not careful:
                result, applied_row = _apply(conn, kiosk, item, received)
                results[item.op_id] = result
                new_rows.append(applied_row)
                continue
            try:
                results[item.op_id] = _apply_in_savepoint(conn, kiosk, item, received,
                                                          savepoints, pending, new_rows)
            except (errors.ApiError, OperationalError):
                raise  # the whole batch: a 422, or a transient error worth retrying it all
            except Exception as exc:  # kept, and raised once the operations before are committed
                fault = exc
                break
    if new_rows:
        # The results, in the transaction of their effects; in one statement, not one each.
        # A duplicate op_id (a concurrent push of the same operation) fails the whole batch.
        insert_rows(conn, applied_ops, APPLIED_COLUMNS, new_rows)
        if any(row[_REASON] == "unknown_type" for row in new_rows):
            _keep_few_unknown(conn, kiosk)
    feed.write_deferred(conn, pending)
    return results, fault


def _apply_in_savepoint(conn: Connection, kiosk: Kiosk, item: Checked, received: Received,
                        savepoints: Savepoints, pending: list, new_rows: list[tuple]) -> OpResult:
    """One operation in a savepoint; rolled back alone, its feed changes too, when it fails.
    Its result joins `new_rows`, to be stored before the batch commits."""
    for attempt in (1, 2):
        mark = len(pending)
        try:
            with savepoints.each():
                result, row = _apply(conn, kiosk, item, received)
            new_rows.append(row)
            return result
        except IntegrityError:
            _forget_since(conn, pending, mark)
            if attempt == 2:
                raise
        except BaseException:
            _forget_since(conn, pending, mark)
            raise
        # Another request applied the same op (or booking) meanwhile (PostgreSQL): look again.
        stored = _stored(conn, kiosk.community_id, item.op_id)
        if stored is not None:
            return _checked_result(stored, item)
    raise AssertionError("unreachable")


def _forget_since(conn: Connection, pending: list, mark: int) -> None:
    """After a savepoint's rollback: its feed changes and whatever was remembered go too."""
    del pending[mark:]
    memo.forget_all(conn)


@dataclass(frozen=True, slots=True)
class Received:
    """When a batch was received (the platform's clock), and as `applied_ops` keeps it."""

    now: dt.datetime
    stamp: str

    @classmethod
    def at(cls, now: dt.datetime) -> Received:
        return cls(now, clock.stamp(now))


# An `applied_ops` row as `_apply` makes it: these columns, in this order.
APPLIED_COLUMNS = ("community_id", "op_id", "kiosk_id", "type", "digest", "payload",
                   "created_at", "received_at", "status", "reason", "data")
_REASON = APPLIED_COLUMNS.index("reason")


def _apply(conn: Connection, kiosk: Kiosk, item: Checked,
           received: Received) -> tuple[OpResult, tuple]:
    """The operation's effect, its result, and the applied_ops row that stores the result."""
    outcome = _effect(conn, kiosk, item, received.now)
    status, reason, data = outcome.status, outcome.reason, outcome.data
    row = (kiosk.community_id, item.op_id, kiosk.id, item.op.type, item.digest,
           _kept_payload(item, reason), item.created_at, received.stamp, status, reason,
           _compact_json(data))
    return OpResult.model_construct(op_id=item.op_id, status=status,  # ours: valid
                                    reason=reason, data=data), row


def _kept_payload(item: Checked, reason: str | None) -> str:
    """The payload as sent (canonical JSON), for the record; none for an unknown type (its
    digest suffices)."""
    if reason == "unknown_type":
        return ""
    return item.payload_json


def _keep_few_unknown(conn: Connection, kiosk: Kiosk) -> None:
    """Forget the kiosk's unknown operations but the newest UNKNOWN_KEPT (docs §3.9)."""
    older = select(applied_ops.c.op_id).where(
        applied_ops.c.kiosk_id == kiosk.id, text("applied_ops.reason = 'unknown_type'"),
    ).order_by(applied_ops.c.received_at.desc(), applied_ops.c.op_id.desc()).offset(UNKNOWN_KEPT)
    conn.execute(delete(applied_ops).where(applied_ops.c.community_id == kiosk.community_id,
                                           applied_ops.c.op_id.in_(older)))


def _look_up_front(conn: Connection, community_id: str, items: list[Checked]) -> None:
    """What the operations will ask one by one, asked once for the batch (memo)."""
    new = [item.payload for item in items
           if item.op.type == "booking.create" and item.payload is not None]
    bookings.known_absent(conn, community_id, [str(order.id) for order in new])
    bookings.known_unbooked(conn, community_id, [(order.elder_id, order.slot_id)
                                                 for order in new])
    catalogue.look_up_elders(conn, community_id, [
        item.payload.elder_id for item in items
        if item.payload is not None and getattr(item.payload, "elder_id", None) is not None])


def _lock_up_front(conn: Connection, community_id: str, items: list[Checked]) -> None:
    """PostgreSQL: lock the rows the batch's operations will lock, in one fixed order.

    The locks are held until the batch commits, so two kiosks' batches touching the same slots
    would deadlock if each took them in its own operations' order. Taken here first — meal slots,
    service slots, providers (ratings), help requests, complaints (answers), elders (upserts),
    each sorted by id —
    they make such batches queue one behind the other; the operations' own `FOR UPDATE` then
    finds the lock already held. The feed head is locked last, at the end (feed.deferred).
    On SQLite the batch's write transaction holds the whole database already.
    """
    if conn.dialect.name == "sqlite":
        return
    wanted: dict[str, set[str]] = {"meal": set(), "service": set(), "provider": set(),
                                   "help": set(), "complaint": set(), "elder": set()}
    cancelled: set[str] = set()  # bookings whose slot an operation locks
    rated: set[str] = set()  # bookings whose provider an operation locks
    kinds: dict[str, str] = {}  # service → its slot table's kind: the catalogue read once

    def slot_kind(service: str) -> str:
        if service not in kinds:
            kinds[service] = _slot_kind(conn, community_id, service)
        return kinds[service]

    for item in items:
        payload = item.payload
        if payload is None:
            continue
        match item.op.type:
            case "booking.create":
                wanted[slot_kind(payload.service)].add(payload.slot_id)
            case "attendance.record":
                wanted["service"].add(payload.slot_id)
            case "booking.cancel":
                cancelled.add(str(payload.booking_id))
            case "rating.create":
                rated.add(str(payload.booking_id))
            case "help.update":
                wanted["help"].add(str(payload.id))
            case "complaint.answer":
                wanted["complaint"].add(str(payload.complaint_id))
            case "elder.upsert":
                wanted["elder"].add(payload.id)
    if cancelled or rated:
        for row in conn.execute(select(
                bookings_table.c.id, bookings_table.c.service, bookings_table.c.slot_id,
                bookings_table.c.provider_id,
        ).where(bookings_table.c.community_id == community_id,
                bookings_table.c.id.in_(cancelled | rated))):
            if row.id in cancelled:
                wanted[slot_kind(row.service)].add(row.slot_id)
            if row.id in rated and row.provider_id is not None:
                wanted["provider"].add(row.provider_id)
    for kind, table in (("meal", meal_slots), ("service", service_slots),
                        ("provider", providers), ("help", help_requests_table),
                        ("complaint", complaints_table), ("elder", elders)):
        if wanted[kind]:
            conn.execute(select(table.c.id).where(
                table.c.community_id == community_id, table.c.id.in_(wanted[kind]),
            ).order_by(table.c.id).with_for_update()).all()


def _slot_kind(conn: Connection, community_id: str, service: str) -> str:
    """Which of the slot tables `_lock_up_front` locks a service's slot in."""
    return "meal" if bookings.slot_table(conn, community_id, service) is meal_slots \
        else "service"


def _effect(conn: Connection, kiosk: Kiosk, item: Checked, now) -> Outcome:
    payload = item.payload
    match item.op.type:
        case "booking.create":
            return bookings.create(conn, kiosk, item.op_id, payload, now)
        case "booking.cancel":
            return bookings.cancel(conn, kiosk, payload, now)
        case "attendance.record":
            return attendance.record(conn, kiosk, payload, now)
        case "rating.create":
            return feedback.rate(conn, kiosk, payload, now)
        case "complaint.create":
            return complaints.create(conn, kiosk, payload, now)
        case "complaint.answer":
            return complaints.answer(conn, kiosk, payload, now)
        case "help.create":
            return help_requests.create(conn, kiosk, payload, now)
        case "help.update":
            return help_requests.update_state(conn, kiosk, payload, item.op.created_at)
        case "elder.upsert":
            return elder_register.upsert(conn, kiosk, payload)
        case "audit.append":
            return elder_register.append_audit(conn, kiosk, payload, now)
    return Outcome.rejected("unknown_type")


def _stored_rows(conn: Connection, community_id: str,
                 op_ids: list[str]) -> dict[str, RowMapping]:
    rows = _STORED.rows(conn, list(set(op_ids)), community_id=community_id)
    return {row["op_id"]: row for row in rows.mappings().all()}


_STORED = Lookup(list(applied_ops.c), applied_ops.c.op_id,
                 applied_ops.c.community_id == bindparam("community_id"))


def _stored(conn: Connection, community_id: str, op_id: str) -> RowMapping | None:
    return conn.execute(select(applied_ops).where(
        applied_ops.c.community_id == community_id, applied_ops.c.op_id == op_id,
    )).mappings().first()


def _checked_result(stored: RowMapping, item: Checked) -> OpResult:
    if stored["digest"] != item.digest:
        raise errors.ApiError(422, "op_conflict", "op_id already used with a different operation",
                              [{"op_id": item.op_id, "msg": "different content"}])
    data: dict[str, Any] = json.loads(stored["data"])
    return OpResult(op_id=item.op_id, status=stored["status"], reason=stored["reason"], data=data)
