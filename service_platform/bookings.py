"""Meal bookings, decided by the platform: the rules of booking.create and booking.cancel."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, RowMapping, insert, select, update

from service_platform import capacity, catalogue, clock, entities, feed
from service_platform.auth import Kiosk
from service_platform.feed import Change
from service_platform.models import BookingCancel, BookingCreate
from service_platform.schema import bookings


@dataclass(frozen=True)
class Outcome:
    """What happened to one operation: applied, or rejected with a reason code."""

    status: str
    reason: str | None = None
    data: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def rejected(cls, reason: str, **data: Any) -> Outcome:
        return cls("rejected", reason, data)


def get_booking(conn: Connection, booking_id: str) -> RowMapping | None:
    return conn.execute(select(bookings).where(bookings.c.id == booking_id)).mappings().first()


def create(conn: Connection, kiosk: Kiosk, op_id: str, order: BookingCreate,
           now: dt.datetime) -> Outcome:
    booking_id = str(order.id)
    existing = get_booking(conn, booking_id)
    if existing is not None:
        return _already_there(existing, kiosk, order)
    slot = catalogue.lock_slot(conn, kiosk.community_id, order.slot_id)
    lease = None
    if slot is not None and order.lease_id is not None:
        lease = capacity.usable_lease(conn, kiosk.id, slot, str(order.lease_id))
    reason = _refusal(conn, kiosk, order, slot, lease is not None, now)
    changes: list[Change] = []
    if lease is not None:
        lease = capacity.consume(conn, lease)
        changes.append(Change("lease", lease["id"], entities.lease(lease, now), kiosk.id))
    if reason is None:
        row = _insert(conn, kiosk, op_id, order, lease, now)
        changes.append(Change("booking", booking_id, entities.booking(row)))
    feed.append(conn, kiosk.community_id, changes)
    within = lease is not None
    if reason is not None:
        return Outcome.rejected(reason, within_lease=within)
    return Outcome("applied", data={"booking_id": booking_id, "booking_status": "confirmed",
                                    "within_lease": within})


def _already_there(existing: RowMapping, kiosk: Kiosk, order: BookingCreate) -> Outcome:
    same = (existing["community_id"] == kiosk.community_id
            and existing["elder_id"] == order.elder_id and existing["slot_id"] == order.slot_id)
    if not same:
        return Outcome.rejected("duplicate", within_lease=False)
    return Outcome("applied", data={"booking_id": existing["id"],
                                    "booking_status": existing["status"],
                                    "within_lease": existing["lease_id"] is not None})


def _refusal(conn: Connection, kiosk: Kiosk, order: BookingCreate, slot: RowMapping | None,
             within_lease: bool, now: dt.datetime) -> str | None:
    """The first rule that says no, in the kiosk's order; None when the booking stands."""
    elder = catalogue.get_elder(conn, kiosk.community_id, order.elder_id)
    if elder is None:
        return "unknown_elder"
    if not elder["active"]:
        return "elder_inactive"
    if slot is None:
        return "unknown_slot"
    if order.mode == "delivery" and not elder["delivery_allowed"]:
        return "mode_not_allowed"
    judged_at = order.created_at if within_lease else now
    if judged_at >= clock.parse(slot["cutoff"]):
        return "closed"
    if _has_confirmed(conn, kiosk.community_id, order.elder_id, slot["id"]):
        return "duplicate"
    if not within_lease and capacity.free_places(conn, slot) <= 0:
        return "full"
    return None


def _has_confirmed(conn: Connection, community_id: str, elder_id: str, slot_id: str) -> bool:
    return conn.execute(select(bookings.c.id).where(
        bookings.c.community_id == community_id, bookings.c.elder_id == elder_id,
        bookings.c.slot_id == slot_id, bookings.c.status == "confirmed")).first() is not None


def _insert(conn: Connection, kiosk: Kiosk, op_id: str, order: BookingCreate,
            lease: RowMapping | None, now: dt.datetime) -> RowMapping:
    received = clock.stamp(now)
    conn.execute(insert(bookings).values(
        id=str(order.id), community_id=kiosk.community_id, elder_id=order.elder_id,
        service=order.service, slot_id=order.slot_id, mode=order.mode,
        price_cents=order.price_cents, subsidy_cents=order.subsidy_cents,
        staff_id=order.staff_id, status="confirmed", kiosk_id=kiosk.id,
        lease_id=lease["id"] if lease is not None else None, op_id=op_id,
        created_at=order.created_at.isoformat(), received_at=received, updated_at=received))
    return get_booking(conn, str(order.id))


def cancel(conn: Connection, kiosk: Kiosk, order: BookingCancel, now: dt.datetime) -> Outcome:
    booking_id = str(order.booking_id)
    found = get_booking(conn, booking_id)
    if found is None or found["community_id"] != kiosk.community_id:
        return Outcome.rejected("unknown_booking")
    slot = catalogue.lock_slot(conn, kiosk.community_id, found["slot_id"])
    found = get_booking(conn, booking_id)  # again, now that the slot is ours
    applied = Outcome("applied", data={"booking_id": booking_id, "booking_status": "cancelled"})
    if found["status"] == "cancelled":
        return applied
    if slot is not None and now >= clock.parse(slot["cutoff"]):
        return Outcome.rejected("closed")
    conn.execute(update(bookings).where(bookings.c.id == booking_id).values(
        status="cancelled", cancel_reason=order.reason, updated_at=clock.stamp(now)))
    feed.append(conn, kiosk.community_id,
                [Change("booking", booking_id, entities.booking(get_booking(conn, booking_id)))])
    return applied

