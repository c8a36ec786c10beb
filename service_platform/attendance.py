"""Attendance taken at the door by card (签到): the rules of `attendance.record`.

A record is for a slot whose service's policy takes attendance, scanned from an hour before
the slot starts until it ends; one per elder and slot (the same elder scanned again gets the
first record's answer). It names the elder's confirmed booking of the slot, or none: a walk-in.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Connection, RowMapping, insert, select

from elder_wire.codes import BookingStatus, ChangeKind, Reason
from elder_wire.operations import AttendanceRecord
from service_platform import catalogue, clock, entities, feed, services
from service_platform.auth import Kiosk
from service_platform.bookings import Outcome
from service_platform.feed import Change
from service_platform.schema import attendance, bookings, meal_slots

OPENS_BEFORE = dt.timedelta(minutes=60)  # scanning opens this long before the slot starts


def record(conn: Connection, kiosk: Kiosk, order: AttendanceRecord, now: dt.datetime) -> Outcome:
    community_id = kiosk.community_id
    slot = services.lock_slot(conn, community_id, order.slot_id)
    if slot is None:
        meal = conn.execute(select(meal_slots.c.id).where(
            meal_slots.c.community_id == community_id, meal_slots.c.id == order.slot_id)).first()
        return Outcome.rejected(Reason.NOT_ALLOWED if meal else Reason.UNKNOWN_SLOT)
    elder = catalogue.get_elder(conn, community_id, order.elder_id)
    if elder is None:
        return Outcome.rejected(Reason.UNKNOWN_ELDER)
    if not elder["active"]:
        return Outcome.rejected(Reason.ELDER_INACTIVE)
    first = _first(conn, community_id, order.slot_id, order.elder_id)
    if first is not None:
        return _applied(first, already=True)
    same_id = conn.execute(select(attendance).where(
        attendance.c.community_id == community_id,
        attendance.c.id == str(order.id))).mappings().first()
    if same_id is not None:  # this record's id, already another elder's or slot's
        return Outcome.rejected(Reason.DUPLICATE)
    entry = catalogue.service_entry(conn, community_id, slot["service"])
    if entry is None or not entry.policy.attendance:
        return Outcome.rejected(Reason.NOT_ALLOWED)
    scanned = order.created_at  # when the card was read, though the kiosk was offline
    start, end = clock.parse(slot["start_at"]), clock.parse(slot["end_at"])
    if not start - OPENS_BEFORE <= scanned <= end:
        return Outcome.rejected(Reason.CLOSED)
    booking_id = conn.execute(select(bookings.c.id).where(
        bookings.c.community_id == community_id, bookings.c.slot_id == order.slot_id,
        bookings.c.elder_id == order.elder_id,
        bookings.c.status.in_([BookingStatus.CONFIRMED.value, BookingStatus.COMPLETED.value]),
    ).order_by(bookings.c.created_at)).scalar()
    row = {"community_id": community_id, "id": str(order.id), "slot_id": order.slot_id,
           "elder_id": order.elder_id, "booking_id": booking_id, "staff_id": order.staff_id,
           "kiosk_id": kiosk.id, "created_at": order.created_at.isoformat(),
           "received_at": clock.stamp(now)}
    conn.execute(insert(attendance).values(**row))
    feed.append(conn, community_id, [Change(ChangeKind.ATTENDANCE, row["id"],
                                            entities.attendance(row))])
    return _applied(row, already=False)


def _first(conn: Connection, community_id: str, slot_id: str,
           elder_id: str) -> RowMapping | None:
    return conn.execute(select(attendance).where(
        attendance.c.community_id == community_id, attendance.c.slot_id == slot_id,
        attendance.c.elder_id == elder_id)).mappings().first()


def _applied(row: RowMapping | dict, already: bool) -> Outcome:
    data = {"attendance_id": row["id"], "booking_id": row["booking_id"],
            "walk_in": row["booking_id"] is None}
    if already:
        data["already"] = True
    return Outcome("applied", data=data)


def of_slots(conn: Connection, community_id: str, slot_ids: list[str]) -> dict[str, int]:
    """How many attended each of these slots."""
    counts = {slot_id: 0 for slot_id in slot_ids}
    for slot_id in conn.execute(select(attendance.c.slot_id).where(
            attendance.c.community_id == community_id,
            attendance.c.slot_id.in_(slot_ids))).scalars():
        counts[slot_id] += 1
    return counts
