"""Loading a community's timetable file: its slots on the wire, what differs, all in one go.

Everything goes through the catalogue's and services' `put_*` functions, so it enters the change
feed; what is already as the file says is not written again (loading twice feeds nothing).
Within the file's period, the file is the whole timetable of meals (if it has any) and of each
provider it names: their slots it does not list are removed. A slot holding bookings never
loses them: less capacity than its booked units, or removing it, is refused.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, select

from elder_wire.catalogue import Service
from service_platform import (
    bookings,
    capacity,
    catalogue,
    clock,
    entities,
    feed,
    leases,
    services,
)
from service_platform.schema import elders, meal_slots, providers, service_slots, staff
from service_platform.schema import subsidy_levels as levels_table
from service_platform.timetable_file import FileError, Timetable
from service_platform.timetable_slots import Period, expand


class BookedSlotError(ValueError):
    """The file would take places from bookings elders already hold."""


@dataclass
class Outcome:
    """How many of each kind the file added, changed, removed or left as it was."""

    counts: dict[str, Counter] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    fed: int = 0

    def count(self, kind: str, what: str, n: int = 1) -> None:
        self.counts.setdefault(kind, Counter())[what] += n


def load(conn: Connection, community_id: str, timetable: Timetable) -> Outcome:
    """Bring the community's timetable to what the file says, in this transaction."""
    community = catalogue.get_community(conn, community_id)
    tz = ZoneInfo(community["tz"])
    period = Period.of(timetable, clock.now().astimezone(tz).date())
    current = _Current(conn, community_id, period)
    file_services = {entry.key: Service.from_wire(entry.model_dump())
                     for entry in timetable.services}
    meals, slots = expand(timetable, period, tz, current.providers,
                          {**current.catalogue, **file_services})
    _check_references(timetable, current, file_services)
    outcome = Outcome()
    put_services = _changed(outcome, "service", {
        key: entry.to_wire() for key, entry in current.catalogue.items()},
        {key: entry.to_wire() for key, entry in file_services.items()})
    put_levels = _changed(outcome, "subsidy_level", current.levels, {
        level: {"level": level, "meal_subsidy_cents": cents}
        for level, cents in timetable.subsidy_levels.items()})
    put_elders = _changed(outcome, "elder", current.elders, {
        elder.id: elder.model_dump() for elder in timetable.elders})
    put_providers = _changed(outcome, "provider", current.providers, {
        item.id: item.model_dump() for item in timetable.providers})
    put_staff = _changed(outcome, "staff", current.staff, {
        member.id: member.model_dump() for member in timetable.staff})
    put_meals = _changed(outcome, "meal_slot", current.meal_slots, meals)
    put_slots = _changed(outcome, "service_slot", current.service_slots, slots)
    gone_meals = _removed(outcome, "meal_slot", current.meal_slots, meals,
                          lambda _slot: bool(timetable.meals))
    scoped = {item.id for item in timetable.providers} | {
        session.provider_id for session in [*timetable.sessions, *timetable.service_slots]}
    gone_slots = _removed(outcome, "service_slot", current.service_slots, slots,
                          lambda slot: slot["provider_id"] in scoped)
    _guard_bookings(conn, community_id, current, put_meals, put_slots, gone_meals, gone_slots,
                    outcome)
    before = feed.latest_seq(conn, community_id)
    _write(conn, community_id, put_services, put_levels, put_elders, put_providers, put_staff,
           put_meals, put_slots, gone_meals, gone_slots)
    outcome.fed = feed.latest_seq(conn, community_id) - before
    return outcome


class _Current:
    """The community's entities as the feed shows them: what the file is compared with."""

    def __init__(self, conn: Connection, community_id: str, period: Period) -> None:
        def rows(table, *where):
            return conn.execute(select(table).where(
                table.c.community_id == community_id, *where)).mappings().all()

        in_period = (period.first.isoformat(), period.last.isoformat())
        self.catalogue = catalogue.services_of(conn, community_id)
        self.levels = {row["level"]: entities.subsidy_level(row) for row in rows(levels_table)}
        elder_rows = rows(elders)
        self.elders = {row["id"]: entities.elder(row) for row in elder_rows}
        self.card_owner = {row["card_no"]: row["id"] for row in elder_rows}
        self.providers = {row["id"]: entities.provider(row) for row in rows(providers)}
        self.staff = {row["id"]: entities.staff(row) for row in rows(staff)}
        self.meal_slots = {row["id"]: entities.meal_slot(row) for row in rows(
            meal_slots, meal_slots.c.day.between(*in_period))}
        self.service_slots = {row["id"]: entities.service_slot(row) for row in rows(
            service_slots, service_slots.c.day.between(*in_period))}


def _changed(outcome: Outcome, kind: str, current: dict[str, dict],
             wanted: dict[str, dict]) -> list[dict]:
    """The wanted entities that are new or differ from the current ones."""
    put = []
    for key, data in wanted.items():
        before = current.get(key)
        outcome.count(kind, "added" if before is None else
                      ("unchanged" if before == data else "changed"))
        if before != data:
            put.append(data)
    return put


def _removed(outcome: Outcome, kind: str, current: dict[str, dict], wanted: dict[str, dict],
             in_scope: Callable[[dict], bool]) -> list[str]:
    """Current slots of the period, of what the file schedules, that the file no longer has."""
    gone = sorted(key for key, data in current.items() if key not in wanted and in_scope(data))
    outcome.count(kind, "removed", len(gone))
    return gone


def _check_references(timetable: Timetable, current: _Current,
                      file_services: dict[str, Service]) -> None:
    """Levels, card numbers, services and ids the file refers to exist once, in the file or
    the platform."""
    problems = []
    levels = set(current.levels) | set(timetable.subsidy_levels)
    offered = {**current.catalogue, **file_services}
    for n, item in enumerate(timetable.providers):
        for service in item.services:
            if service not in offered:
                problems.append(f"providers[{n}].services: no service {service} in the file "
                                "or the community's catalogue")
    for n, entry in enumerate(timetable.services):
        if entry.group and offered.get(entry.group) is None:
            problems.append(f"services[{n}].group: no service {entry.group} in the file or "
                            "the community's catalogue")
    for what, items in (("services", timetable.services), ("elders", timetable.elders),
                        ("providers", timetable.providers), ("staff", timetable.staff)):
        seen: dict[str, int] = {}
        for n, item in enumerate(items):
            field = "key" if what == "services" else "id"
            key = getattr(item, field)
            if key in seen:
                problems.append(f"{what}[{n}].{field}: {key} is also {what}[{seen[key]}]")
            seen.setdefault(key, n)
    cards: dict[str, str] = {}
    new_card = {elder.id: elder.card_no for elder in timetable.elders}
    for n, elder in enumerate(timetable.elders):
        if elder.subsidy_level not in levels:
            problems.append(f"elders[{n}].subsidy_level: no subsidy level {elder.subsidy_level}")
        owner = cards.setdefault(elder.card_no, elder.id)
        kept = current.card_owner.get(elder.card_no, elder.id)
        if owner != elder.id:
            problems.append(f"elders[{n}].card_no: card {elder.card_no} is also {owner}'s")
        elif kept != elder.id and new_card.get(kept, elder.card_no) == elder.card_no:
            problems.append(f"elders[{n}].card_no: card {elder.card_no} is {kept}'s")
    for n, item in enumerate(timetable.providers):
        for level, per_kind in item.subsidy_cents.items():
            if level not in levels:
                problems.append(f"providers[{n}].subsidy_cents.{level}: no such subsidy level")
            for kind in set(per_kind) - set(item.kinds):
                problems.append(f"providers[{n}].subsidy_cents.{level}.{kind}: not in its kinds")
    if problems:
        raise FileError("\n".join(problems))


def _guard_bookings(conn: Connection, community_id: str, current: _Current,
                    put_meals: list[dict], put_slots: list[dict], gone_meals: list[str],
                    gone_slots: list[str], outcome: Outcome) -> None:
    """Refuse, naming every slot, if the file takes booked places away; note lent places."""
    shrinking = {data["id"]: data["capacity"] for data in [*put_meals, *put_slots]
                 if data["id"] in {**current.meal_slots, **current.service_slots}}
    problems = []
    for slot_id in sorted({*shrinking, *gone_meals, *gone_slots}):  # one lock order
        meal = slot_id in current.meal_slots
        (catalogue.lock_slot if meal else services.lock_slot)(conn, community_id, slot_id)
        booked = capacity.confirmed(conn, community_id, slot_id)
        if slot_id not in shrinking:
            if booked:
                problems.append(f"{slot_id}: has {booked} booked place(s); it cannot be removed "
                                "(keep it in the file; cancel its bookings first to drop it)")
        elif shrinking[slot_id] < booked:
            problems.append(f"{slot_id}: has {booked} booked place(s); its capacity cannot "
                            f"go down to {shrinking[slot_id]}")
        elif meal:
            lent = sum(capacity.outstanding(lease)
                       for lease in capacity.slot_leases(conn, community_id, slot_id))
            if booked + lent > shrinking[slot_id]:
                outcome.notes.append(f"{slot_id}: kiosks hold {lent} place(s) of it on lease; "
                                     f"bookings made with them are still accepted")
    if problems:
        raise BookedSlotError("nothing was loaded; these slots hold bookings:\n"
                              + "\n".join(problems))


def _waiting_move_up(conn: Connection, community_id: str, put_slots: list[dict]) -> None:
    """A session given more places confirms those waiting for it, as a cancellation would."""
    now = clock.now()
    for data in sorted(put_slots, key=lambda item: item["id"]):  # one lock order
        entry = catalogue.service_entry(conn, community_id, data["service"])
        if entry is not None and entry.policy.waitlist:
            slot = services.lock_slot(conn, community_id, data["id"])
            feed.append(conn, community_id, bookings.move_up(conn, community_id, slot, now))


def _write(conn: Connection, community_id: str, put_services, put_levels, put_elders,
           put_providers, put_staff, put_meals, put_slots, gone_meals, gone_slots) -> None:
    if put_services:
        catalogue.put_services(conn, community_id, map(Service.from_wire, put_services))
    if put_levels:
        catalogue.put_subsidy_levels(conn, community_id, {
            data["level"]: data["meal_subsidy_cents"] for data in put_levels})
    if put_providers:
        services.put_providers(conn, community_id, put_providers)
    for member in put_staff:
        services.put_staff(conn, community_id, member["id"], member["name"], member["active"])
    if put_elders:
        catalogue.put_elders(conn, community_id, put_elders)
    if put_meals:
        catalogue.put_meal_slots(conn, community_id, put_meals)
    if put_slots:
        services.put_slots(conn, community_id, put_slots)
        _waiting_move_up(conn, community_id, put_slots)
    if gone_meals:
        ended = [lease for slot_id in gone_meals
                 for lease in leases.take_back_slot(conn, community_id, slot_id)]
        catalogue.remove_meal_slots(conn, community_id, gone_meals, ended)
    if gone_slots:
        services.remove_slots(conn, community_id, gone_slots)

