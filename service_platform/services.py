"""Providers, the service slots of every service booked by `service_slot` (all but meals),
and staff."""
from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, RowMapping, bindparam, delete, insert, select, update

from service_platform import clock, entities, feed, memo
from service_platform.feed import Change
from service_platform.rows import replace_rows
from service_platform.schema import providers, service_slots, staff

DETAILS = ("kinds", "subsidy_cents", "needs", "departments")


def put_providers(conn: Connection, community_id: str, items: Iterable[dict[str, Any]]) -> None:
    """Insert or replace providers given in the wire shape of the `provider` kind."""
    stamp = clock.stamp(clock.now())
    rows = [{"community_id": community_id, "id": item["id"], "name": item["name"],
             "services": json.dumps(list(item["services"])), "teams": item.get("teams"),
             "details": json.dumps({key: item.get(key) or ({} if key != "needs" else [])
                                    for key in DETAILS}, ensure_ascii=False),
             "active": item.get("active", True), "updated_at": stamp}
            for item in items]
    replace_rows(conn, providers, community_id, "id", rows)
    memo.forget_all(conn)
    feed.append(conn, community_id, (Change("provider", row["id"], entities.provider(row))
                                     for row in rows))


def put_slots(conn: Connection, community_id: str, slots: Iterable[dict[str, Any]]) -> None:
    """Insert or replace service slots given in the wire shape of the `service_slot` kind."""
    stamp = clock.stamp(clock.now())
    rows = [{"community_id": community_id, "id": slot["id"], "service": slot["service"],
             "provider_id": slot["provider_id"], "day": slot["day"],
             "window": slot.get("window"), "department": slot.get("department"),
             "doctor": slot.get("doctor"), "start_at": slot["start"], "end_at": slot["end"],
             "cutoff": slot["cutoff"], "capacity": slot["capacity"],
             "price_cents": slot.get("price_cents"), "title": slot.get("title"),
             "place": slot.get("place"), "host": slot.get("host"), "updated_at": stamp}
            for slot in slots]
    replace_rows(conn, service_slots, community_id, "id", rows)
    memo.forget_all(conn)
    feed.append(conn, community_id, (Change("service_slot", row["id"], entities.service_slot(row))
                                     for row in rows))


def remove_slots(conn: Connection, community_id: str, slot_ids: list[str]) -> None:
    """Delete service slots nobody holds a booking of, and feed their removal."""
    conn.execute(delete(service_slots).where(service_slots.c.community_id == community_id,
                                             service_slots.c.id.in_(slot_ids)))
    memo.forget_all(conn)
    feed.append(conn, community_id, (Change("service_slot", slot_id, None)
                                     for slot_id in slot_ids))


def put_staff(conn: Connection, community_id: str, staff_id: str, name: str,
              active: bool = True) -> dict:
    stamp = clock.stamp(clock.now())
    row = {"community_id": community_id, "id": staff_id, "name": name, "active": active,
           "updated_at": stamp}
    done = conn.execute(update(staff).where(staff.c.community_id == community_id,
                                            staff.c.id == staff_id).values(**row))
    if done.rowcount == 0:
        conn.execute(insert(staff).values(**row, created_at=stamp))
    data = entities.staff(row)
    feed.append(conn, community_id, [Change("staff", staff_id, data)])
    return data


def get_staff(conn: Connection, staff_id: str) -> RowMapping | None:
    return conn.execute(select(staff).where(staff.c.id == staff_id)).mappings().first()


def lock_slot(conn: Connection, community_id: str, slot_id: str) -> RowMapping | None:
    """A service slot's row, locked until commit (PostgreSQL)."""
    return memo.recall(conn, ("service_slot", community_id, slot_id), lambda: conn.execute(
        select(service_slots).where(
            service_slots.c.community_id == community_id, service_slots.c.id == slot_id,
        ).with_for_update()).mappings().first())


def get_slot(conn: Connection, community_id: str, slot_id: str) -> RowMapping | None:
    return conn.execute(select(service_slots).where(
        service_slots.c.community_id == community_id, service_slots.c.id == slot_id,
    )).mappings().first()


def get_provider(conn: Connection, community_id: str, provider_id: str) -> dict | None:
    def load() -> dict | None:
        row = conn.execute(select(providers).where(
            providers.c.community_id == community_id, providers.c.id == provider_id,
        )).mappings().first()
        return None if row is None else entities.provider(row)
    return memo.recall(conn, ("provider", community_id, provider_id), load)


def provider_for(conn: Connection, community_id: str, service: str) -> dict | None:
    """The community's active provider of a service (the first by id if several)."""
    def load() -> dict | None:
        rows = conn.execute(_ACTIVE_PROVIDERS, {"community_id": community_id}).mappings().all()
        return next((entities.provider(row) for row in rows
                     if service in json.loads(row["services"])), None)
    return memo.recall(conn, ("provider_for", community_id, service), load)


_ACTIVE_PROVIDERS = select(providers).where(
    providers.c.community_id == bindparam("community_id"), providers.c.active.is_(True),
).order_by(providers.c.id)


def lock_provider(conn: Connection, community_id: str, provider_id: str) -> None:
    """Serialises work that recounts a provider's figures (its ratings)."""
    conn.execute(select(providers.c.id).where(
        providers.c.community_id == community_id, providers.c.id == provider_id,
    ).with_for_update())

