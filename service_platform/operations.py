"""Pushed operations: validated as a batch, then each applied exactly once, its result stored."""
from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError
from sqlalchemy import Connection, RowMapping, insert, select
from sqlalchemy.exc import IntegrityError

from service_platform import bookings, clock, elder_register, errors, feedback, help_requests
from service_platform.auth import Kiosk
from service_platform.bookings import Outcome
from service_platform.db import Database
from service_platform.models import (
    AuditAppend,
    BookingCancel,
    BookingCreate,
    ComplaintCreate,
    ElderUpsert,
    HelpCreate,
    HelpUpdate,
    Operation,
    OpResult,
    RatingCreate,
)
from service_platform.schema import applied_ops

log = logging.getLogger(__name__)

PAYLOADS: dict[str, TypeAdapter] = {
    "booking.create": TypeAdapter(BookingCreate),
    "booking.cancel": TypeAdapter(BookingCancel),
    "rating.create": TypeAdapter(RatingCreate),
    "complaint.create": TypeAdapter(ComplaintCreate),
    "help.create": TypeAdapter(HelpCreate),
    "help.update": TypeAdapter(HelpUpdate),
    "elder.upsert": TypeAdapter(ElderUpsert),
    "audit.append": TypeAdapter(AuditAppend),
}


@dataclass(frozen=True)
class Checked:
    """An operation whose envelope and payload passed validation."""

    op: Operation
    op_id: str
    digest: str
    payload: BaseModel | None


def push(db: Database, kiosk: Kiosk, ops: list[Operation]) -> list[OpResult]:
    """Apply a batch in order; nothing at all when any part of it is invalid (422)."""
    with db.read() as conn:
        stored = _stored_digests(conn, kiosk.community_id, [str(op.op_id) for op in ops])
    checked = validate(ops, stored)
    refuse_conflicts(checked, stored)
    done: dict[str, OpResult] = {}
    results = []
    for item in checked:
        if item.op_id not in done:
            done[item.op_id] = apply_once(db, kiosk, item)
        results.append(done[item.op_id])
    applied = sum(r.status == "applied" for r in done.values())
    log.info("kiosk %s pushed %d operations: %d applied, %d rejected", kiosk.id, len(ops),
             applied, len(done) - applied)
    return results


def digest(op: Operation) -> str:
    canonical = json.dumps(
        {"type": op.type, "payload": op.payload, "created_at": op.created_at.isoformat()},
        sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def validate(ops: list[Operation], stored: dict[str, str] | None = None) -> list[Checked]:
    """Every payload of a known type against its schema — except an operation already stored
    with the same content, whose stored result answers it (e.g. one stored as "reserved")."""
    checked, problems = [], []
    for index, op in enumerate(ops):
        adapter = PAYLOADS.get(op.type)
        payload = None
        op_digest = digest(op)
        if adapter is not None and (stored or {}).get(str(op.op_id)) != op_digest:
            try:
                payload = adapter.validate_python(op.payload)
            except ValidationError as exc:
                problems.extend(_payload_problems(index, op, exc))
        checked.append(Checked(op, str(op.op_id), op_digest, payload))
    if problems:
        raise errors.invalid_request("an operation's payload is invalid; nothing was applied",
                                     problems)
    return checked


def _payload_problems(index: int, op: Operation, exc: ValidationError) -> list[dict]:
    return [{"loc": ["body", "operations", index, "payload", *_field_loc(op, error["loc"])],
             "msg": error["msg"], "index": index, "op_id": str(op.op_id)}
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
    rows = conn.execute(select(applied_ops.c.op_id, applied_ops.c.digest).where(
        applied_ops.c.community_id == community_id, applied_ops.c.op_id.in_(set(op_ids))))
    return {row.op_id: row.digest for row in rows}


def apply_once(db: Database, kiosk: Kiosk, item: Checked) -> OpResult:
    for attempt in (1, 2):
        try:
            return db.run_write(lambda conn: _apply(conn, kiosk, item))
        except IntegrityError:
            # Another request applied the same op (or booking) meanwhile: look again.
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _apply(conn: Connection, kiosk: Kiosk, item: Checked) -> OpResult:
    stored = _stored(conn, kiosk.community_id, item.op_id)
    if stored is not None:
        return _checked_result(stored, item)
    now = clock.now()
    outcome = _effect(conn, kiosk, item, now)
    conn.execute(insert(applied_ops).values(
        community_id=kiosk.community_id, op_id=item.op_id, kiosk_id=kiosk.id, type=item.op.type,
        digest=item.digest, payload=json.dumps(item.op.payload, ensure_ascii=False),
        created_at=item.op.created_at.isoformat(), received_at=clock.stamp(now),
        status=outcome.status, reason=outcome.reason, data=json.dumps(outcome.data)))
    return OpResult(op_id=item.op_id, status=outcome.status, reason=outcome.reason,
                    data=outcome.data)


def _effect(conn: Connection, kiosk: Kiosk, item: Checked, now) -> Outcome:
    payload = item.payload
    match item.op.type:
        case "booking.create":
            return bookings.create(conn, kiosk, item.op_id, payload, now)
        case "booking.cancel":
            return bookings.cancel(conn, kiosk, payload, now)
        case "rating.create":
            return feedback.rate(conn, kiosk, payload, now)
        case "complaint.create":
            return feedback.complain(conn, kiosk, payload, now)
        case "help.create":
            return help_requests.create(conn, kiosk, payload, now)
        case "help.update":
            return help_requests.update_state(conn, kiosk, payload, item.op.created_at)
        case "elder.upsert":
            return elder_register.upsert(conn, kiosk, payload)
        case "audit.append":
            return elder_register.append_audit(conn, kiosk, payload, now)
    return Outcome.rejected("unknown_type")


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
