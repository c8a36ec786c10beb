"""Bookings of every service, decided by the platform: the rules of booking.create and cancel."""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, RowMapping, Table, bindparam, insert, select, text, update

from elder_wire.catalogue import Policy, Service
from elder_wire.codes import LIVE, BookingStatus, ChangeKind, OpType, Reason
from elder_wire.operations import BookingCancel, BookingCreate
from service_platform import capacity, catalogue, clock, db, entities, feed, memo, services
from service_platform.auth import Kiosk
from service_platform.feed import Change
from service_platform.schema import applied_ops, bookings, meal_slots, service_slots

_CONFIRMED_SQL = f"bookings.status = '{BookingStatus.CONFIRMED.value}'"
# The status is written out, not a parameter: so the query planners can use the partial index
# bookings_one_confirmed (… WHERE status = 'confirmed') instead of scanning the slot's bookings.


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
    found = set(_FOUND.rows(conn, list(set(booking_ids)),
                            community_id=community_id).scalars().all())
    memo.recall(conn, "absent_bookings", lambda: set(booking_ids) - found)


def known_unbooked(conn: Connection, community_id: str, pairs: list[tuple[str, str]]) -> None:
    """Which of a batch's (elder, slot) pairs have a confirmed booking, in one query (`memo`):
    for the others `create` need not ask. Only `create` makes a booking confirmed, under its
    slot's lock, which the batch holds: a pair not found stays free but for the batch itself.
    Asked by elder: the few slots each holds a confirmed place of (those to come), read from
    the index bookings_one_confirmed, not every confirmed booking of the slots."""
    if not pairs:
        return
    found = _BOOKED.rows(conn, list({elder for elder, _ in pairs}),
                         community_id=community_id).all()
    memo.recall(conn, ("booked", community_id), lambda: {tuple(row) for row in found})


_FOUND = db.Lookup([bookings.c.id], bookings.c.id,
                   bookings.c.community_id == bindparam("community_id"))
_BOOKED = db.Lookup([bookings.c.elder_id, bookings.c.slot_id], bookings.c.elder_id,
                    bookings.c.community_id == bindparam("community_id"), text(_CONFIRMED_SQL),
                    unique=False)


def _existing(conn: Connection, community_id: str, booking_id: str) -> RowMapping | None:
    absent: set[str] = memo.recall(conn, "absent_bookings", set)
    return None if booking_id in absent else get_booking(conn, community_id, booking_id)


_BOOKING = select(bookings).where(bookings.c.community_id == bindparam("community_id"),
                                  bookings.c.id == bindparam("id"))


def slot_table(conn: Connection, community_id: str, service: str) -> Table:
    """Where a service's slots are: `meal_slots` for a service booked by meal slots (its
    catalogue entry's slot_kind), `service_slots` for every other."""
    return _slot_table_of(catalogue.service_entry(conn, community_id, service))


def _slot_table_of(entry: Service | None) -> Table:
    """`slot_table` from the service's catalogue entry (None: not in the catalogue). The one
    place that decides."""
    return meal_slots if entry is not None and entry.slot_kind == "meal" else service_slots


def lock_slot_of(conn: Connection, community_id: str, service: str, slot_id: str,
                 entry: Service | None = None) -> RowMapping | None:
    """The slot a booking of `service` refers to, locked; None if there is no such slot.
    `entry`: the service's catalogue entry, when the caller has it."""
    if entry is None:
        entry = catalogue.service_entry(conn, community_id, service)
    if _slot_table_of(entry) is meal_slots:
        return catalogue.lock_slot(conn, community_id, slot_id)
    slot = services.lock_slot(conn, community_id, slot_id)
    return slot if slot is not None and slot["service"] == service else None


def _policy(entry: Service | None) -> Policy:
    return entry.policy if entry is not None else Policy()


def create(conn: Connection, kiosk: Kiosk, op_id: str, order: BookingCreate,
           now: dt.datetime) -> Outcome:
    """One writer for every service: the rules come from the catalogue entry's policy."""
    booking_id = str(order.id)
    entry = catalogue.service_entry(conn, kiosk.community_id, order.service)
    policy = _policy(entry)
    existing = _existing(conn, kiosk.community_id, booking_id)
    if existing is not None:
        return _already_there(existing, order, policy)
    if entry is not None and not (entry.active and entry.known and entry.slot_kind != "group"):
        entry = None  # nothing can be booked of it
    slot = None if entry is None else lock_slot_of(conn, kiosk.community_id, order.service,
                                                   order.slot_id, entry)
    lease = None
    if slot is not None and policy.escrow and order.lease_id is not None:
        lease = capacity.usable_lease(conn, kiosk.id, slot, str(order.lease_id))
    provider = _provider(conn, kiosk.community_id, order.service, slot)
    units = _units(order, policy, provider)
    reason = _refusal(conn, kiosk, order, entry, slot, provider, units, lease is not None, now)
    changes: list[Change] = []
    if lease is not None:
        lease = capacity.consume(conn, lease)
        changes.append(Change(ChangeKind.LEASE, lease["id"], entities.lease(lease, now),
                              kiosk.id))
    place = _same_place(conn, kiosk, order, policy, slot) if reason == Reason.DUPLICATE \
        else None
    if place is not None:  # protocol §3.1: one elder's meal booked at two kiosks is one place
        memo.recall(conn, ("merged", kiosk.community_id), dict)[booking_id] = place
        feed.append(conn, kiosk.community_id, changes)
        return Outcome("applied", data={"booking_id": place,
                                        "booking_status": BookingStatus.CONFIRMED.value,
                                        "within_lease": lease is not None, "merged": True})
    status = BookingStatus.CONFIRMED
    if policy.waitlist and (reason == Reason.FULL or reason is None and _waiting(
            conn, kiosk.community_id, order.slot_id)):  # a place freed is the queue's first
        status, reason = BookingStatus.WAITLISTED, None
    row = None
    if reason is None:
        row = _insert(conn, kiosk, op_id, order, policy, status, lease, provider, units, now,
                      booking_id)
        changes.append(Change(ChangeKind.BOOKING, booking_id, entities.booking(row)))
    feed.append(conn, kiosk.community_id, changes)
    within = lease is not None
    if row is None:
        return Outcome.rejected(reason, within_lease=within)
    return Outcome("applied", None, _answer(row, within))


def _answer(row: RowMapping | dict, within_lease: bool) -> dict[str, Any]:
    status = row["status"]
    data = {"booking_id": row["id"], "booking_status": status, "within_lease": within_lease}
    if status == BookingStatus.WAITLISTED:
        data["waitlist_position"] = row["waitlist_position"]
    return data


def _already_there(existing: RowMapping, order: BookingCreate, policy: Policy) -> Outcome:
    """The booking sent again (§3.1): applied if it says what the stored one says."""
    if _content(existing) != _content(order, policy):
        return Outcome.rejected(Reason.DUPLICATE, within_lease=False)
    return Outcome("applied", data=_answer(existing, existing["lease_id"] is not None))


def _content(booking: RowMapping | BookingCreate, policy: Policy | None = None) -> tuple:
    """What a booking's payload says, as stored; not its lease, which is kept only if valid."""
    if isinstance(booking, RowMapping):
        needs = booking["needs"]
        return (booking["elder_id"], booking["service"], booking["slot_id"], booking["mode"],
                booking["price_cents"], booking["subsidy_cents"], booking["staff_id"],
                booking["created_at"], booking["kind"], booking["department"],
                None if needs is None else json.loads(needs))
    policy = policy or Policy()
    needs = _kept_needs(booking, policy)
    return (booking.elder_id, booking.service, booking.slot_id, _kept_mode(booking, policy),
            booking.price_cents, booking.subsidy_cents, booking.staff_id,
            booking.created_at.isoformat(), booking.kind, booking.department,
            None if needs is None else json.loads(needs))


def _kept_mode(order: BookingCreate, policy: Policy) -> str:
    """The way of receiving it, for a service that has ways ("" for the others)."""
    return (order.mode or "") if policy.modes else ""


def _kept_needs(order: BookingCreate, policy: Policy) -> str | None:
    """The needs as stored (JSON, each once) for a service booked by kind, else None."""
    if not policy.units_by_kind:
        return None
    return json.dumps(list(dict.fromkeys(order.needs)))


def _same_place(conn: Connection, kiosk: Kiosk, order: BookingCreate, policy: Policy,
                slot: RowMapping | None) -> str | None:
    """The elder's confirmed booking of this slot, which a second booking of it stands for
    (a service whose places are lent to kiosks: each kiosk confirmed it on the spot)."""
    if not policy.escrow or slot is None:
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
            applied_ops.c.kiosk_id == kiosk.id, applied_ops.c.type == OpType.BOOKING_CREATE.value,
            applied_ops.c.status == "applied",
            applied_ops.c.payload.contains(f'"{booking_id}"'),
            applied_ops.c.data.contains('"merged"'))).scalars():
        answer = json.loads(data)
        if answer.get("merged") and isinstance(answer.get("booking_id"), str):
            return answer["booking_id"]
    return None


def _provider(conn: Connection, community_id: str, service: str,
              slot: RowMapping | None) -> dict | None:
    """The slot's provider; for a slot that names none (a meal's), the service's provider."""
    if slot is not None and "provider_id" in slot:
        return services.get_provider(conn, community_id, slot["provider_id"])
    return services.provider_for(conn, community_id, service)


def _units(order: BookingCreate, policy: Policy, provider: dict | None) -> int:
    """Capacity a booking uses: its kind's units for a service booked by kind, else 1."""
    if policy.units_by_kind and provider is not None and order.kind is not None:
        kind = provider["kinds"].get(order.kind)
        if kind is not None:
            return int(kind.get("units", 1))
    return 1


def _refusal(conn: Connection, kiosk: Kiosk, order: BookingCreate, entry: Service | None,
             slot: RowMapping | None, provider: dict | None, units: int, within_lease: bool,
             now: dt.datetime) -> str | None:
    """The first rule that says no, in the kiosk's order; None when the booking stands."""
    elder = catalogue.get_elder(conn, kiosk.community_id, order.elder_id)
    if elder is None:
        return Reason.UNKNOWN_ELDER
    if not elder["active"]:
        return Reason.ELDER_INACTIVE
    if entry is None:
        return Reason.UNKNOWN_SERVICE
    if slot is None:
        return Reason.UNKNOWN_SLOT
    reason = _policy_rule(order, entry.policy, slot, provider, elder)
    if reason is not None:
        return reason
    judged_at = order.created_at if within_lease else now
    if judged_at >= clock.parse(slot["cutoff"]):
        return Reason.CLOSED
    if _holds_one(conn, kiosk.community_id, order, entry.policy, slot):
        return Reason.DUPLICATE
    if not within_lease and capacity.free_places(conn, slot) < units:
        return Reason.FULL
    return None


def _policy_rule(order: BookingCreate, policy: Policy, slot: RowMapping,
                 provider: dict | None, elder: RowMapping) -> str | None:
    """What the service's policy forbids: a way, a kind, a need, a department or a
    permission the elder lacks."""
    if policy.modes:
        if order.mode not in policy.modes:
            return Reason.MODE_NOT_ALLOWED
        if order.mode == "delivery" and not elder["delivery_allowed"]:
            return Reason.MODE_NOT_ALLOWED
    if policy.units_by_kind:
        kinds = provider["kinds"] if provider is not None else {}
        if order.kind not in kinds:
            return Reason.UNKNOWN_KIND
        offered = set(provider["needs"])
        if any(need not in offered for need in order.needs):
            return Reason.UNKNOWN_NEED
    if policy.one_a_day_by == "department" and order.department != slot["department"]:
        return Reason.UNKNOWN_KIND
    if policy.requires and not elder.get(policy.requires):
        return Reason.NOT_ALLOWED
    return None


def _holds_one(conn: Connection, community_id: str, order: BookingCreate, policy: Policy,
               slot: RowMapping) -> bool:
    """The elder holds a booking of this slot already (or, one a day by department, one of
    the department that day)."""
    booked: set | None = memo.recall(conn, ("booked", community_id), _nothing)
    slot_id = slot["id"]
    if booked is not None and (order.elder_id, slot_id) not in booked \
            and not policy.waitlist and policy.one_a_day_by != "department":
        return False  # what a pushed batch of meals asks, told from what it looked up
    where = {"community_id": community_id, "elder_id": order.elder_id, "slot_id": slot_id}
    if (booked is None or (order.elder_id, slot_id) in booked) and conn.execute(
            _CONFIRMED_IN_SLOT, where).first() is not None:
        return True
    if policy.waitlist and conn.execute(_WAITING_IN_SLOT, where).first() is not None:
        return True
    if policy.one_a_day_by != "department":
        return False
    mine = (bookings.c.community_id == community_id, bookings.c.elder_id == order.elder_id,
            bookings.c.status.in_(_HELD))
    same_day = select(service_slots.c.id).where(
        service_slots.c.community_id == community_id, service_slots.c.day == slot["day"],
        service_slots.c.service == order.service)
    return conn.execute(select(bookings.c.id).where(
        *mine, bookings.c.department == order.department,
        bookings.c.slot_id.in_(same_day))).first() is not None


def _nothing() -> None:
    return None


_HELD = [status.value for status in LIVE]
_CONFIRMED_IN_SLOT = select(bookings.c.id).where(
    bookings.c.community_id == bindparam("community_id"),
    bookings.c.elder_id == bindparam("elder_id"), bookings.c.slot_id == bindparam("slot_id"),
    text(_CONFIRMED_SQL))
_WAITING_IN_SLOT = select(bookings.c.id).where(
    bookings.c.community_id == bindparam("community_id"),
    bookings.c.elder_id == bindparam("elder_id"), bookings.c.slot_id == bindparam("slot_id"),
    bookings.c.status == BookingStatus.WAITLISTED.value)


def _insert(conn: Connection, kiosk: Kiosk, op_id: str, order: BookingCreate, policy: Policy,
            status: BookingStatus, lease: RowMapping | None, provider: dict | None, units: int,
            now: dt.datetime, booking_id: str) -> dict[str, Any]:
    """`booking_id`: `str(order.id)`, as the caller has it."""
    received = clock.stamp(now)
    waiting = status == BookingStatus.WAITLISTED
    row = dict(
        id=booking_id, community_id=kiosk.community_id, elder_id=order.elder_id,
        service=order.service, slot_id=order.slot_id, mode=_kept_mode(order, policy),
        price_cents=order.price_cents, subsidy_cents=order.subsidy_cents,
        staff_id=order.staff_id, status=status.value, kiosk_id=kiosk.id,
        lease_id=lease["id"] if lease is not None else None, op_id=op_id,
        created_at=order.created_at.isoformat(), received_at=received, updated_at=received,
        kind=order.kind, department=order.department, needs=_kept_needs(order, policy),
        units=units, provider_id=provider["id"] if provider is not None else None,
        waitlist_position=len(_waiting(conn, kiosk.community_id, order.slot_id)) + 1
        if waiting else None)
    db.held_insert(conn, bookings, row)  # sent with the next statement in a pushed batch
    memo.recall(conn, "absent_bookings", set).discard(row["id"])
    if not waiting:
        _now_booked(conn, kiosk.community_id, order.elder_id, order.slot_id, units)
    return row  # what get_booking would read back, without reading it


def _now_booked(conn: Connection, community_id: str, elder_id: str, slot_id: str,
                units: int) -> None:
    """Tell what this transaction remembers that the elder holds a confirmed place."""
    booked: set | None = memo.recall(conn, ("booked", community_id), lambda: None)
    if booked is not None:
        booked.add((elder_id, slot_id))
    capacity.held_more(conn, community_id, slot_id, units)


_INSERT = insert(bookings)


def _waiting(conn: Connection, community_id: str, slot_id: str) -> list[RowMapping]:
    """The slot's waiting list, longest waiting first: in the order of their positions, which
    are given in the order the bookings arrived (several may arrive in the same millisecond)."""
    return list(conn.execute(select(bookings).where(
        bookings.c.community_id == community_id, bookings.c.slot_id == slot_id,
        bookings.c.status == BookingStatus.WAITLISTED.value,
    ).order_by(bookings.c.waitlist_position, bookings.c.received_at, bookings.c.id)).mappings())


def _starts(slot: RowMapping) -> dt.datetime:
    """When the service begins: a service slot's start; a meal slot has only its cut-off."""
    return clock.parse(slot.get("start_at") or slot["cutoff"])


def _cancel_deadline(slot: RowMapping, policy: Policy) -> dt.datetime:
    return _starts(slot) if policy.cancel_until == "start" else clock.parse(slot["cutoff"])


def cancel(conn: Connection, kiosk: Kiosk, order: BookingCancel, now: dt.datetime) -> Outcome:
    booking_id = str(order.booking_id)
    found = get_booking(conn, kiosk.community_id, booking_id)
    if found is None:  # a booking counted as the elder's place (§3.1): cancelling it cancels that
        booking_id = _merged_into(conn, kiosk, booking_id) or booking_id
        found = get_booking(conn, kiosk.community_id, booking_id)
    if found is None:
        return Outcome.rejected(Reason.UNKNOWN_BOOKING)
    policy = _policy(catalogue.service_entry(conn, kiosk.community_id, found["service"]))
    slot = lock_slot_of(conn, kiosk.community_id, found["service"], found["slot_id"])
    found = get_booking(conn, kiosk.community_id, booking_id)  # again, now the slot is ours
    applied = Outcome("applied", data={"booking_id": booking_id,
                                       "booking_status": BookingStatus.CANCELLED.value})
    if found["status"] == BookingStatus.CANCELLED:
        return applied
    if found["status"] == BookingStatus.COMPLETED or (
            slot is not None and now >= _cancel_deadline(slot, policy)):
        return Outcome.rejected(Reason.CLOSED)
    conn.execute(update(bookings).where(
        bookings.c.community_id == kiosk.community_id, bookings.c.id == booking_id,
    ).values(status=BookingStatus.CANCELLED.value, cancel_reason=order.reason,
             waitlist_position=None, updated_at=clock.stamp(now)))
    freed = found["status"] != BookingStatus.WAITLISTED
    if freed:
        capacity.held_more(conn, kiosk.community_id, found["slot_id"], -found["units"])
    changes = [Change(ChangeKind.BOOKING, booking_id, entities.booking(
        get_booking(conn, kiosk.community_id, booking_id)))]
    if slot is not None and policy.waitlist:
        changes += move_up(conn, kiosk.community_id, slot, now, promote=freed)
    feed.append(conn, kiosk.community_id, changes)
    return applied


def move_up(conn: Connection, community_id: str, slot: RowMapping, now: dt.datetime,
            promote: bool = True) -> list[Change]:
    """The slot's waiting list after a place freed or a waiting booking left: with `promote`,
    before the slot starts, the longest waiting are confirmed while their units fit; every
    waiting booking whose position moved gets its new one. The caller holds the slot's lock
    and feeds the changes returned."""
    waiting = _waiting(conn, community_id, slot["id"])
    moved: list[str] = []
    stamp = clock.stamp(now)
    if promote and now < _starts(slot):
        free = capacity.free_places(conn, slot)
        while waiting and waiting[0]["units"] <= free:
            first = waiting.pop(0)
            conn.execute(update(bookings).where(
                bookings.c.community_id == community_id, bookings.c.id == first["id"],
            ).values(status=BookingStatus.CONFIRMED.value, waitlist_position=None,
                     updated_at=stamp))
            _now_booked(conn, community_id, first["elder_id"], slot["id"], first["units"])
            free -= first["units"]
            moved.append(first["id"])
    for position, row in enumerate(waiting, start=1):
        if row["waitlist_position"] != position:
            conn.execute(update(bookings).where(
                bookings.c.community_id == community_id, bookings.c.id == row["id"],
            ).values(waitlist_position=position, updated_at=stamp))
            moved.append(row["id"])
    return [Change(ChangeKind.BOOKING, booking_id,
                   entities.booking(get_booking(conn, community_id, booking_id)))
            for booking_id in moved]
