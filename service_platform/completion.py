"""When a booked service is over: each slot's end, and marking past bookings completed."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, RowMapping, select, update

from elder_wire.codes import BookingStatus, ChangeKind
from elder_wire.meals import MEAL_TIMES
from service_platform import bookings as booking_rules
from service_platform import catalogue, clock, entities, feed, services
from service_platform.feed import Change
from service_platform.schema import bookings, communities, meal_slots


def slot_end(conn: Connection, community_id: str, service: str,
             slot_id: str) -> dt.datetime | None:
    """When the booked service is over; None for a slot that no longer exists."""
    if booking_rules.slot_table(conn, community_id, service) is not meal_slots:
        slot = services.get_slot(conn, community_id, slot_id)
        return None if slot is None else clock.parse(slot["end_at"])
    slot = conn.execute(select(meal_slots.c.day, meal_slots.c.meal).where(
        meal_slots.c.community_id == community_id, meal_slots.c.id == slot_id)).first()
    if slot is None:
        return None
    tz = ZoneInfo(catalogue.get_community(conn, community_id)["tz"])
    return dt.datetime.combine(dt.date.fromisoformat(slot.day),
                               meal_end(slot.meal), tzinfo=tz)


def meal_end(meal: str) -> dt.time:
    """When serving is over (elder_wire.meals): a booking of the meal is done after it."""
    times = MEAL_TIMES.get(meal)
    return times.end if times is not None else dt.time(23, 59)


def is_done(conn: Connection, booking: RowMapping, now: dt.datetime) -> bool:
    """Completed, or confirmed with its slot over (§10.6 of the protocol)."""
    if booking["status"] == BookingStatus.COMPLETED:
        return True
    if booking["status"] != BookingStatus.CONFIRMED:
        return False
    end = slot_end(conn, booking["community_id"], booking["service"], booking["slot_id"])
    return end is not None and end <= now


def complete_due(conn: Connection, community_id: str, before: dt.datetime) -> int:
    """Mark the community's confirmed bookings whose slot ended by `before` completed."""
    rows = conn.execute(select(bookings).where(
        bookings.c.community_id == community_id,
        bookings.c.status == BookingStatus.CONFIRMED.value,
    ).order_by(bookings.c.created_at, bookings.c.id)).mappings().all()
    ends: dict[tuple[str, str], dt.datetime | None] = {}
    due = []
    for row in rows:
        key = (row["service"], row["slot_id"])
        if key not in ends:
            ends[key] = slot_end(conn, community_id, *key)
        if ends[key] is not None and ends[key] <= before:
            due.append(row["id"])
    stamp = clock.stamp(clock.now())
    for booking_id in due:
        conn.execute(update(bookings).where(
            bookings.c.community_id == community_id, bookings.c.id == booking_id,
            bookings.c.status == BookingStatus.CONFIRMED.value,
        ).values(status=BookingStatus.COMPLETED.value, completed_at=stamp, updated_at=stamp))
    feed.append(conn, community_id, (
        Change(ChangeKind.BOOKING, booking_id,
               entities.booking(_booking(conn, community_id, booking_id)))
        for booking_id in due))
    return len(due)


def community_ids(conn: Connection) -> list[str]:
    return list(conn.execute(select(communities.c.id).order_by(communities.c.id)).scalars())


def _booking(conn: Connection, community_id: str, booking_id: str) -> RowMapping:
    return conn.execute(select(bookings).where(
        bookings.c.community_id == community_id, bookings.c.id == booking_id)).mappings().one()
