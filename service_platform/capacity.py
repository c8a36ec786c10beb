"""Capacity of a slot: units of confirmed bookings plus lent lease places never exceed it.

Every function here expects the slot's row to be locked already (`catalogue.lock_slot`), so the
count and the write that depends on it happen in one transaction serialised per slot.
"""
from __future__ import annotations

from sqlalchemy import Connection, RowMapping, bindparam, func, select, text, update

from elder_wire.codes import HOLDING, sql_list
from service_platform import memo
from service_platform.schema import bookings, kiosks, leases


def confirmed(conn: Connection, community_id: str, slot_id: str) -> int:
    """Units held by the slot's confirmed and completed bookings (a deep clean holds 2); a
    waiting-list place holds none."""
    return memo.recall(conn, ("confirmed", community_id, slot_id), lambda: conn.execute(
        _CONFIRMED, {"community_id": community_id, "slot_id": slot_id}).scalar_one())


def held_more(conn: Connection, community_id: str, slot_id: str, units: int) -> None:
    """Tell `confirmed` that this transaction confirmed (or, negative, cancelled) units."""
    memo.adjust(conn, ("confirmed", community_id, slot_id), lambda held: held + units)


_CONFIRMED = select(func.coalesce(func.sum(bookings.c.units), 0)).where(
    bookings.c.community_id == bindparam("community_id"),
    bookings.c.slot_id == bindparam("slot_id"),
    text(f"bookings.status IN {sql_list(HOLDING)}"))


def outstanding(lease: RowMapping) -> int:
    """Places a lease still holds back from the common pool."""
    if lease["state"] == "active":
        return max(0, lease["places"] - lease["uses"])
    return max(0, (lease["used_final"] or 0) - lease["uses"])


def slot_leases(conn: Connection, community_id: str, slot_id: str) -> list[RowMapping]:
    return memo.recall(conn, ("leases", community_id, slot_id), lambda: list(conn.execute(
        select(leases).where(leases.c.community_id == community_id,
                             leases.c.slot_id == slot_id)).mappings()))


def free_places(conn: Connection, slot: RowMapping) -> int:
    """Places nobody holds: capacity − confirmed − outstanding lease places (never below 0)."""
    held = sum(outstanding(lease) for lease in slot_leases(conn, slot["community_id"], slot["id"]))
    return max(0, slot["capacity"] - confirmed(conn, slot["community_id"], slot["id"]) - held)


def usable_lease(conn: Connection, kiosk_id: str, slot: RowMapping,
                 lease_id: str | None) -> RowMapping | None:
    """The kiosk's lease on this slot if it still has a place for one more booking."""
    if lease_id is None:
        return None
    lease = conn.execute(select(leases).where(leases.c.id == lease_id)).mappings().first()
    if lease is None or lease["kiosk_id"] != kiosk_id or lease["slot_id"] != slot["id"] \
            or lease["community_id"] != slot["community_id"]:
        return None
    limit = lease["places"] if lease["state"] == "active" else (lease["used_final"] or 0)
    return lease if lease["uses"] < limit else None


def consume(conn: Connection, lease: RowMapping) -> RowMapping:
    """Count one booking presented under the lease; returns the updated lease row."""
    conn.execute(update(leases).where(leases.c.id == lease["id"]).values(uses=leases.c.uses + 1))
    memo.forget(conn, ("leases", lease["community_id"], lease["slot_id"]))
    return conn.execute(select(leases).where(leases.c.id == lease["id"])).mappings().one()


def active_kiosks(conn: Connection, community_id: str) -> int:
    return conn.execute(select(func.count()).select_from(kiosks).where(
        kiosks.c.community_id == community_id, kiosks.c.token_hash.is_not(None),
        kiosks.c.revoked_at.is_(None))).scalar_one()
