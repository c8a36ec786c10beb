"""Communities and what they offer: their service catalogue, subsidy levels, elders and meal
slots, each change fed out."""
from __future__ import annotations

import functools
import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, RowMapping, bindparam, delete, insert, select, update

from elder_wire.catalogue import STANDARD, Service
from elder_wire.codes import ChangeKind
from service_platform import clock, db, entities, feed, memo
from service_platform.feed import Change
from service_platform.rows import replace_rows
from service_platform.schema import (
    communities,
    elders,
    leases,
    meal_slots,
    service_catalogue,
    subsidy_levels,
)


def create_community(conn: Connection, community_id: str, name: str,
                     tz: str = "Asia/Shanghai") -> None:
    conn.execute(insert(communities).values(
        id=community_id, name=name, tz=tz, created_at=clock.stamp(clock.now())))
    feed.start(conn, community_id)
    seed_services(conn, community_id)


def seed_services(conn: Connection, community_id: str) -> None:
    """The standard catalogue's entries the community does not have yet (a new community, or
    one made before services were data)."""
    have = set(services_of(conn, community_id))
    put_services(conn, community_id, [entry for entry in STANDARD if entry.key not in have])


def put_services(conn: Connection, community_id: str, entries: Iterable[Service]) -> None:
    """Insert or replace catalogue entries, each fed as kind `service` (id = its key)."""
    stamp = clock.stamp(clock.now())
    rows = [{"community_id": community_id, "key": entry.key, "updated_at": stamp,
             "data": json.dumps(entry.to_wire(), ensure_ascii=False)} for entry in entries]
    replace_rows(conn, service_catalogue, community_id, "key", rows)
    memo.forget(conn, ("services", community_id))
    feed.append(conn, community_id, (Change(ChangeKind.SERVICE, row["key"],
                                            json.loads(row["data"])) for row in rows))


def services_of(conn: Connection, community_id: str) -> dict[str, Service]:
    """The community's catalogue by key, as entries (inactive ones too)."""
    def load() -> dict[str, Service]:
        rows = conn.execute(_SERVICES, {"community_id": community_id}).scalars()
        return {entry.key: entry for entry in map(_entry, rows)}
    return memo.recall(conn, ("services", community_id), load)


_SERVICES = select(service_catalogue.c.data).where(
    service_catalogue.c.community_id == bindparam("community_id")).order_by(
    service_catalogue.c.key)


@functools.lru_cache(maxsize=1024)
def _entry(stored: str) -> Service:
    """A catalogue entry from its stored JSON. The same text is the same entry, so each text is
    parsed once per process; which texts a community has is read from the database each time."""
    return Service.from_wire(json.loads(stored))


def service_entry(conn: Connection, community_id: str, key: str) -> Service | None:
    return services_of(conn, community_id).get(key)


def get_community(conn: Connection, community_id: str) -> RowMapping | None:
    return conn.execute(select(communities).where(communities.c.id == community_id)
                        ).mappings().first()


def put_subsidy_levels(conn: Connection, community_id: str, levels: dict[str, int]) -> None:
    rows = [{"community_id": community_id, "level": level, "meal_subsidy_cents": cents}
            for level, cents in levels.items()]
    replace_rows(conn, subsidy_levels, community_id, "level", rows)
    feed.append(conn, community_id, (
        Change("subsidy_level", row["level"], entities.subsidy_level(row)) for row in rows))


def put_elders(conn: Connection, community_id: str, people: Iterable[dict[str, Any]]) -> None:
    """Insert or replace elders given in the wire shape (dietary as a list)."""
    stamp = clock.stamp(clock.now())
    rows = [{**person, "community_id": community_id, "updated_at": stamp,
             "dietary": json.dumps(list(person["dietary"]), ensure_ascii=False),
             "mobility": person.get("mobility"),
             "emergency_contact": _json_or_none(person.get("emergency_contact")),
             "notify_family": bool(person.get("notify_family", False))}
            for person in people]
    replace_rows(conn, elders, community_id, "id", rows)
    memo.forget(conn, *(("elder", community_id, row["id"]) for row in rows))
    feed.append(conn, community_id, (Change("elder", row["id"], entities.elder(row))
                                     for row in rows))


def put_meal_slots(conn: Connection, community_id: str, slots: Iterable[dict[str, Any]]) -> None:
    """Insert or replace meal slots given in the wire shape (menu as a list)."""
    stamp = clock.stamp(clock.now())
    rows = [{**slot, "community_id": community_id, "updated_at": stamp,
             "menu": json.dumps(list(slot["menu"]), ensure_ascii=False)}
            for slot in slots]
    replace_rows(conn, meal_slots, community_id, "id", rows)
    memo.forget_all(conn)
    items = [Change("meal_slot", row["id"], entities.meal_slot(row)) for row in rows]
    feed.append(conn, community_id, items + _leases_follow_cutoff(conn, community_id, rows))


def remove_meal_slots(conn: Connection, community_id: str, slot_ids: list[str],
                      ended_leases: Iterable[RowMapping] = ()) -> None:
    """Delete meal slots nobody holds a booking of, and feed that, with the leases that ended."""
    conn.execute(delete(meal_slots).where(meal_slots.c.community_id == community_id,
                                          meal_slots.c.id.in_(slot_ids)))
    memo.forget_all(conn)
    now = clock.now()
    feed.append(conn, community_id, [
        *(Change("meal_slot", slot_id, None) for slot_id in slot_ids),
        *(Change("lease", lease["id"], entities.lease(lease, now), lease["kiosk_id"])
          for lease in ended_leases)])


def _leases_follow_cutoff(conn: Connection, community_id: str, rows: list[dict]) -> list[Change]:
    """A lease expires at its slot's cut-off, also when the cut-off is moved."""
    changed = []
    for row in rows:
        where = (leases.c.community_id == community_id, leases.c.slot_id == row["id"],
                 leases.c.state == "active", leases.c.expires_at != row["cutoff"])
        moved = conn.execute(select(leases).where(*where)).mappings().all()
        if moved:
            conn.execute(update(leases).where(*where).values(expires_at=row["cutoff"]))
        changed += [{**lease, "expires_at": row["cutoff"]} for lease in moved]
    now = clock.now()
    return [Change("lease", lease["id"], entities.lease(lease, now), lease["kiosk_id"])
            for lease in changed]



def _json_or_none(value) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False)


def get_elder(conn: Connection, community_id: str, elder_id: str) -> RowMapping | None:
    return memo.recall(conn, ("elder", community_id, elder_id), lambda: conn.execute(
        _ELDER, {"community_id": community_id, "id": elder_id}).mappings().first())


def lock_slot(conn: Connection, community_id: str, slot_id: str) -> RowMapping | None:
    """The slot's row, locked until commit (PostgreSQL); SQLite's write transaction suffices."""
    return memo.recall(conn, ("meal_slot", community_id, slot_id), lambda: conn.execute(
        _LOCK_SLOT, {"community_id": community_id, "id": slot_id}).mappings().first())


def get_meal_slot(conn: Connection, community_id: str, slot_id: str) -> RowMapping | None:
    """The slot's row as it is, without a lock (for answers that change nothing)."""
    return conn.execute(select(meal_slots).where(
        meal_slots.c.community_id == community_id, meal_slots.c.id == slot_id)).mappings().first()


def look_up_elders(conn: Connection, community_id: str, elder_ids: list[str]) -> None:
    """Read a batch's elders in one query, for `get_elder` to answer from (`memo`)."""
    if not elder_ids:
        return
    rows = {row["id"]: row for row in _ELDERS.rows(
        conn, list(set(elder_ids)), community_id=community_id).mappings().all()}
    memo.remember(conn, {("elder", community_id, elder_id): rows.get(elder_id)
                         for elder_id in elder_ids})


_ELDERS = db.Lookup(list(elders.c), elders.c.id,
                    elders.c.community_id == bindparam("community_id"))
_ELDER = select(elders).where(elders.c.community_id == bindparam("community_id"),
                              elders.c.id == bindparam("id"))
_LOCK_SLOT = select(meal_slots).where(meal_slots.c.community_id == bindparam("community_id"),
                                      meal_slots.c.id == bindparam("id")).with_for_update()
