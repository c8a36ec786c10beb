"""Bookings of every service, decided by the platform: the rules of booking.create and cancel."""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, RowMapping, bindparam, insert, select, text, update

from elder_wire.meals import MODES
from elder_wire.operations import BookingCancel, BookingCreate
from service_platform import capacity, catalogue, clock, entities, feed, memo, services
from service_platform.auth import Kiosk
from service_platform.feed import Change
from service_platform.schema import applied_ops, bookings, service_slots


@dataclass(frozen=True)
class Outcome:
    """What happened to one operation: applied, or rejected with a reason code."""

    status: str
    reason: str | None = None
    data: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def rejected(cls, reason: str, **data: Any) -> Outcome:
        return cls("rejected", reason, data)


def get_booking(conn: Connection, community_id: str, booking_id: str) -> RowMapping | None:
    """A booking of the community; another community's with the same id is none of its own."""
    return conn.execute(_BOOKING, {"community_id": community_id,
                                   "id": booking_id}).mappings().first()


def known_absent(conn: Connection, community_id: str, booking_ids: list[str]) -> None:
    """Look up at once which of a batch's new bookings exist already (`memo`): for the others
    `create` need not ask."""
    if not booking_ids:
        return
    found = set(conn.execute(select(bookings.c.id).where(
        bookings.c.community_id == community_id,
        bookings.c.id.in_(set(booking_ids)))).scalars())
    memo.recall(conn, "absent_bookings", lambda: set(booking_ids) - found)


def known_unbooked(conn: Connection, community_id: str, pairs: list[tuple[str, str]]) -> None:
    """Which of a batch's (elder, slot) pairs have a confirmed booking, in one query (`memo`):
    for the others `create` need not ask. Only `create` makes a booking confirmed, under its
    slot's lock, which the batch holds: a pair not found stays free but for the batch itself."""
    if not pairs:
        return
    found = conn.execute(select(bookings.c.elder_id, bookings.c.slot_id).where(
        bookings.c.community_id == community_id,
        bookings.c.slot_id.in_({slot for _, slot in pairs}),
        bookings.c.elder_id.in_({elder for elder, _ in pairs}),
        text("bookings.status = 'confirmed'"))).all()
    memo.recall(conn, ("booked", community_id), lambda: {tuple(row) for row in found})


def _existing(conn: Connection, community_id: str, booking_id: str) -> RowMapping | None:
    absent: set[str] = memo.recall(conn, "absent_bookings", set)
    return None if booking_id in absent else get_booking(conn, community_id, booking_id)


_BOOKING = select(bookings).where(bookings.c.community_id == bindparam("community_id"),
                                  bookings.c.id == bindparam("id"))


def lock_slot_of(conn: Connection, community_id: str, service: str,
                 slot_id: str) -> RowMapping | None:
    """The slot a booking of `service` refers to, locked; None if there is no such slot."""
    if service == "meal":
        return catalogue.lock_slot(conn, community_id, slot_id)
    slot = services.lock_slot(conn, community_id, slot_id)
    return slot if slot is not None and slot["service"] == service else None


def create(conn: Connection, kiosk: Kiosk, op_id: str, order: BookingCreate,
           now: dt.datetime) -> Outcome:
    booking_id = str(order.id)
    existing = _existing(conn, kiosk.community_id, booking_id)
    if existing is not None:
        return _already_there(existing, order)
    slot = lock_slot_of(conn, kiosk.community_id, order.service, order.slot_id)
    lease = None
    if slot is not None and order.service == "meal" and order.lease_id is not None:
        lease = capacity.usable_lease(conn, kiosk.id, slot, str(order.lease_id))
    provider = _provider(conn, kiosk.community_id, order.service, slot)
    units = _units(order, provider)
    reason = _refusal(conn, kiosk, order, slot, provider, units, lease is not None, now)
    changes: list[Change] = []
    if lease is not None:
        lease = capacity.consume(conn, lease)
        changes.append(Change("lease", lease["id"], entities.lease(lease, now), kiosk.id))
    place = _same_place(conn, kiosk, order, slot) if reason == "duplicate" else None
    if place is not None:  # protocol §3.1: one elder's meal booked at two kiosks is one place
        memo.recall(conn, ("merged", kiosk.community_id), dict)[booking_id] = place
        feed.append(conn, kiosk.community_id, changes)
        return Outcome("applied", data={"booking_id": place, "booking_status": "confirmed",
                                        "within_lease": lease is not None, "merged": True})
    if reason is None:
        row = _insert(conn, kiosk, op_id, order, lease, provider, units, now)
        changes.append(Change("booking", booking_id, entities.booking(row)))
    feed.append(conn, kiosk.community_id, changes)
    within = lease is not None
    if reason is not None:
        return Outcome.rejected(reason, within_lease=within)
    return Outcome("applied", data={"booking_id": booking_id, "booking_status": "confirmed",
                                    "within_lease": within})


def _already_there(existing: RowMapping, order: BookingCreate) -> Outcome:
    """The booking sent again (§3.1): applied if it says what the stored one says."""
    if _content(existing) != _content(order):
        return Outcome.rejected("duplicate", within_lease=False)
    return Outcome("applied", data={"booking_id": existing["id"],
                                    "booking_status": existing["status"],
                                    "within_lease": existing["lease_id"] is not None})


def _content(booking: RowMapping | BookingCreate) -> tuple:
    """What a booking's payload says, as stored; not its lease, which is kept only if valid."""
    if isinstance(booking, RowMapping):
        needs = booking["needs"]
        return (booking["elder_id"], booking["service"], booking["slot_id"], booking["mode"],
                booking["price_cents"], booking["subsidy_cents"], booking["staff_id"],
                booking["created_at"], booking["kind"], booking["department"],
                None if needs is None else json.loads(needs))
    needs = booking.needs if booking.service == "cleaning" else None
    return (booking.elder_id, booking.service, booking.slot_id,
            booking.mode if booking.service == "meal" else "", booking.price_cents,
            booking.subsidy_cents, booking.staff_id, booking.created_at.isoformat(),
            booking.kind, booking.department,
            None if needs is None else list(dict.fromkeys(needs)))


def _same_place(conn: Connection, kiosk: Kiosk, order: BookingCreate,
                slot: RowMapping | None) -> str | None:
    """The elder's confirmed meal of this slot, which a second booking of it stands for."""
    if order.service != "meal" or slot is None:
        return None
    return conn.execute(_CONFIRMED_IN_SLOT, {"community_id": kiosk.community_id,
                                             "elder_id": order.elder_id,
                                             "slot_id": slot["id"]}).scalar()


def _merged_into(conn: Connection, kiosk: Kiosk, booking_id: str) -> str | None:
    """The booking a meal booking of this kiosk was answered `merged` into: earlier in this
    batch, or in an operation stored before (rare: looked for only for an unknown id)."""
    merged = memo.recall(conn, ("merged", kiosk.community_id), dict)
    if booking_id in merged:
        return merged[booking_id]
    for data in conn.execute(select(applied_ops.c.data).where(
            applied_ops.c.community_id == kiosk.community_id,
            applied_ops.c.kiosk_id == kiosk.id, applied_ops.c.type == "booking.create",
            applied_ops.c.status == "applied",
            applied_ops.c.payload.contains(f'"{booking_id}"'),
            applied_ops.c.data.contains('"merged"'))).scalars():
        answer = json.loads(data)
        if answer.get("merged") and isinstance(answer.get("booking_id"), str):
            return answer["booking_id"]
    return None


def _provider(conn: Connection, community_id: str, service: str,
              slot: RowMapping | None) -> dict | None:
    if slot is not None and service != "meal":
        return services.get_provider(conn, community_id, slot["provider_id"])
    return services.provider_for(conn, community_id, service)


def _units(order: BookingCreate, provider: dict | None) -> int:
    """Capacity a booking uses: its cleaning kind's units, else 1."""
    if order.service == "cleaning" and provider is not None:
        kind = provider["kinds"].get(order.kind)
        if kind is not None:
            return int(kind.get("units", 1))
    return 1


def _refusal(conn: Connection, kiosk: Kiosk, order: BookingCreate, slot: RowMapping | None,
             provider: dict | None, units: int, within_lease: bool,
             now: dt.datetime) -> str | None:
    """The first rule that says no, in the kiosk's order; None when the booking stands."""
    elder = catalogue.get_elder(conn, kiosk.community_id, order.elder_id)
    if elder is None:
        return "unknown_elder"
    if not elder["active"]:
        return "elder_inactive"
    if slot is None:
        return "unknown_slot"
    reason = _service_rule(order, slot, provider, elder)
    if reason is not None:
        return reason
    judged_at = order.created_at if within_lease else now
    if judged_at >= clock.parse(slot["cutoff"]):
        return "closed"
    if _has_confirmed(conn, kiosk.community_id, order, slot):
        return "duplicate"
    if not within_lease and capacity.free_places(conn, slot) < units:
        return "full"
    return None


def _service_rule(order: BookingCreate, slot: RowMapping, provider: dict | None,
                  elder: RowMapping) -> str | None:
    """What the service itself forbids: a kind, a need, a mode or a visit not allowed."""
    if order.service == "meal":
        if order.mode not in MODES:
            return "mode_not_allowed"
        return "mode_not_allowed" if order.mode == "delivery" and not elder["delivery_allowed"] \
            else None
    if order.service == "cleaning":
        kinds = provider["kinds"] if provider is not None else {}
        if order.kind not in kinds:
            return "unknown_kind"
        offered = set(provider["needs"])
        if any(need not in offered for need in order.needs):
            return "unknown_need"
    if order.service == "clinic" and order.department != slot["department"]:
        return "unknown_kind"
    if order.service == "home_visit" and not elder["home_visit_allowed"]:
        return "not_allowed"
    return None


def _has_confirmed(conn: Connection, community_id: str, order: BookingCreate,
                   slot: RowMapping) -> bool:
    booked: set | None = memo.recall(conn, ("booked", community_id), lambda: None)
    if (booked is None or (order.elder_id, slot["id"]) in booked) and conn.execute(
            _CONFIRMED_IN_SLOT, {"community_id": community_id, "elder_id": order.elder_id,
                                 "slot_id": slot["id"]}).first() is not None:
        return True
    if order.service != "clinic":
        return False
    mine = (bookings.c.community_id == community_id, bookings.c.elder_id == order.elder_id,
            bookings.c.status == "confirmed")
    same_day = select(service_slots.c.id).where(
        service_slots.c.community_id == community_id, service_slots.c.day == slot["day"],
        service_slots.c.service == "clinic")
    return conn.execute(select(bookings.c.id).where(
        *mine, bookings.c.department == order.department,
        bookings.c.slot_id.in_(same_day))).first() is not None


# The status is written out, not a parameter: so the query planners can use the partial index
# bookings_one_confirmed (… WHERE status = 'confirmed') instead of scanning the slot's bookings.
_CONFIRMED_IN_SLOT = select(bookings.c.id).where(
    bookings.c.community_id == bindparam("community_id"),
    bookings.c.elder_id == bindparam("elder_id"), bookings.c.slot_id == bindparam("slot_id"),
    text("bookings.status = 'confirmed'"))


def _insert(conn: Connection, kiosk: Kiosk, op_id: str, order: BookingCreate,
            lease: RowMapping | None, provider: dict | None, units: int,
            now: dt.datetime) -> dict[str, Any]:
    received = clock.stamp(now)
    needs = order.needs if order.service == "cleaning" else None
    row = dict(
        id=str(order.id), community_id=kiosk.community_id, elder_id=order.elder_id,
        service=order.service, slot_id=order.slot_id,
        mode=order.mode if order.service == "meal" else "",
        price_cents=order.price_cents, subsidy_cents=order.subsidy_cents,
        staff_id=order.staff_id, status="confirmed", kiosk_id=kiosk.id,
        lease_id=lease["id"] if lease is not None else None, op_id=op_id,
        created_at=order.created_at.isoformat(), received_at=received, updated_at=received,
        kind=order.kind, department=order.department,
        needs=None if needs is None else json.dumps(list(dict.fromkeys(needs))),
        units=units, provider_id=provider["id"] if provider is not None else None)
    conn.execute(_INSERT, row)
    memo.recall(conn, "absent_bookings", set).discard(row["id"])
    booked: set | None = memo.recall(conn, ("booked", kiosk.community_id), lambda: None)
    if booked is not None:
        booked.add((order.elder_id, order.slot_id))
    capacity.held_more(conn, kiosk.community_id, order.slot_id, units)
    return row  # what get_booking would read back, without reading it


_INSERT = insert(bookings)


def cancel(conn: Connection, kiosk: Kiosk, order: BookingCancel, now: dt.datetime) -> Outcome:
    booking_id = str(order.booking_id)
    found = get_booking(conn, kiosk.community_id, booking_id)
    if found is None:  # a booking counted as the elder's place (§3.1): cancelling it cancels that
        booking_id = _merged_into(conn, kiosk, booking_id) or booking_id
        found = get_booking(conn, kiosk.community_id, booking_id)
    if found is None:
        return Outcome.rejected("unknown_booking")
    slot = lock_slot_of(conn, kiosk.community_id, found["service"], found["slot_id"])
    found = get_booking(conn, kiosk.community_id, booking_id)  # again, now the slot is ours
    applied = Outcome("applied", data={"booking_id": booking_id, "booking_status": "cancelled"})
    if found["status"] == "cancelled":
        return applied
    if found["status"] == "completed" or (slot is not None
                                          and now >= clock.parse(slot["cutoff"])):
        return Outcome.rejected("closed")
    conn.execute(update(bookings).where(
        bookings.c.community_id == kiosk.community_id, bookings.c.id == booking_id,
    ).values(status="cancelled", cancel_reason=order.reason, updated_at=clock.stamp(now)))
    capacity.held_more(conn, kiosk.community_id, found["slot_id"], -found["units"])
    feed.append(conn, kiosk.community_id,
                [Change("booking", booking_id, entities.booking(
                    get_booking(conn, kiosk.community_id, booking_id)))])
    return applied
