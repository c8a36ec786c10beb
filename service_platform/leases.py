"""Capacity escrow: lending kiosks a share of a slot's free places and taking unused ones back."""
from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy import Connection, RowMapping, insert, select, update

from service_platform import capacity, catalogue, clock, entities, feed
from service_platform.auth import Kiosk
from service_platform.feed import Change
from service_platform.schema import leases


@dataclass(frozen=True)
class LeaseReturn:
    lease_id: str
    used: int


@dataclass(frozen=True)
class LeaseWish:
    slot_id: str
    places: int | None  # None: the fair share


def settle(conn: Connection, kiosk: Kiosk, returns: list[LeaseReturn],
           wishes: list[LeaseWish]) -> tuple[list[dict], list[dict]]:
    """Take leases back, then grant new ones; returns (active leases, return receipts)."""
    now = clock.now()
    own = {row["id"]: row for row in _leases_by_id(conn, kiosk, [r.lease_id for r in returns])}
    slot_ids = {row["slot_id"] for row in own.values()} | {w.slot_id for w in wishes}
    slots = {slot_id: catalogue.lock_slot(conn, kiosk.community_id, slot_id)
             for slot_id in sorted(slot_ids)}  # one lock order everywhere: no deadlocks
    changed: list[RowMapping] = []
    receipts = [_take_back(conn, own.get(r.lease_id), r, now, changed) for r in returns]
    seen: set[str] = set()
    for wish in wishes:
        slot = slots.get(wish.slot_id)
        if slot is None or wish.slot_id in seen:
            continue
        seen.add(wish.slot_id)
        granted = _grant(conn, kiosk, slot, wish.places, now)
        if granted is not None:
            changed.append(granted)
    feed.append(conn, kiosk.community_id, (
        Change("lease", row["id"], entities.lease(row, now), kiosk.id) for row in changed))
    return [entities.lease(row, now) for row in active_leases(conn, kiosk.id, now)], receipts


def settled_already(conn: Connection, kiosk: Kiosk, returns: list[LeaseReturn],
                    wishes: list[LeaseWish]) -> tuple[list[dict], list[dict]] | None:
    """`settle`'s answer when it would change nothing, read without writing or locking: every
    return is of a lease already back (or unknown), and every wish is of a slot the kiosk holds
    a lease on, or one that is closed, gone or has no share to give. None when `settle` must
    run (in a write transaction). Most sync cycles of a kiosk are such: no write at all."""
    now = clock.now()
    own = {row["id"]: row for row in _leases_by_id(conn, kiosk, [r.lease_id for r in returns])}
    if any(row["state"] == "active" for row in own.values()):
        return None
    held = {row["slot_id"] for row in active_leases(conn, kiosk.id, now)}
    for slot_id in {w.slot_id for w in wishes} - held:
        slot = catalogue.get_meal_slot(conn, kiosk.community_id, slot_id)
        if slot is not None and now < clock.parse(slot["cutoff"]) and capacity.free_places(
                conn, slot) // max(1, capacity.active_kiosks(conn, kiosk.community_id)) > 0:
            return None  # a lease to grant, unless its wish asks for 0 places (settle's call)
    receipts = [_take_back(conn, own.get(r.lease_id), r, now, []) for r in returns]
    return [entities.lease(row, now) for row in active_leases(conn, kiosk.id, now)], receipts


def return_all(conn: Connection, kiosk_id: str) -> int:
    """A revoked kiosk's leases go back, keeping only places for bookings already received."""
    rows = conn.execute(select(leases).where(
        leases.c.kiosk_id == kiosk_id, leases.c.state == "active")).mappings().all()
    for row in sorted(rows, key=lambda r: r["slot_id"]):
        catalogue.lock_slot(conn, row["community_id"], row["slot_id"])
        _close(conn, row["id"], row["uses"], clock.now())
    return len(rows)


def take_back_slot(conn: Connection, community_id: str, slot_id: str) -> list[RowMapping]:
    """The active leases of a slot being removed end, keeping places only for bookings
    already received (as for a revoked kiosk); the slot is locked already."""
    rows = conn.execute(select(leases).where(
        leases.c.community_id == community_id, leases.c.slot_id == slot_id,
        leases.c.state == "active")).mappings().all()
    return [_close(conn, row["id"], row["uses"], clock.now()) for row in rows]


def active_leases(conn: Connection, kiosk_id: str, now: dt.datetime) -> list[RowMapping]:
    rows = conn.execute(select(leases).where(
        leases.c.kiosk_id == kiosk_id, leases.c.state == "active",
    ).order_by(leases.c.slot_id)).mappings().all()
    return [row for row in rows if clock.parse(row["expires_at"]) > now]


def _leases_by_id(conn: Connection, kiosk: Kiosk, ids: list[str]) -> list[RowMapping]:
    if not ids:
        return []
    return list(conn.execute(select(leases).where(
        leases.c.id.in_(ids), leases.c.kiosk_id == kiosk.id)).mappings())


def _take_back(conn: Connection, lease: RowMapping | None, request: LeaseReturn,
               now: dt.datetime, changed: list[RowMapping]) -> dict:
    if lease is None:
        return {"lease_id": request.lease_id, "status": "unknown", "used": None}
    if lease["state"] != "active":
        return {"lease_id": lease["id"], "status": "returned", "used": lease["used_final"]}
    used = max(lease["uses"], min(request.used, lease["places"]))
    changed.append(_close(conn, lease["id"], used, now))
    return {"lease_id": lease["id"], "status": "returned", "used": used}


def _close(conn: Connection, lease_id: str, used: int, now: dt.datetime) -> RowMapping:
    conn.execute(update(leases).where(leases.c.id == lease_id).values(
        state="returned", used_final=used, returned_at=clock.stamp(now)))
    return conn.execute(select(leases).where(leases.c.id == lease_id)).mappings().one()


def _grant(conn: Connection, kiosk: Kiosk, slot: RowMapping, wanted: int | None,
           now: dt.datetime) -> RowMapping | None:
    if now >= clock.parse(slot["cutoff"]):
        return None
    if any(row["slot_id"] == slot["id"] for row in active_leases(conn, kiosk.id, now)):
        return None  # one active lease per kiosk and slot: keep it as it is
    share = capacity.free_places(conn, slot) // max(1, capacity.active_kiosks(
        conn, kiosk.community_id))
    places = share if wanted is None else min(wanted, share)
    if places <= 0:
        return None
    lease_id = str(uuid.uuid4())
    conn.execute(insert(leases).values(
        id=lease_id, community_id=kiosk.community_id, kiosk_id=kiosk.id, slot_id=slot["id"],
        places=places, uses=0, used_final=None, state="active", granted_at=clock.stamp(now),
        expires_at=slot["cutoff"]))
    return conn.execute(select(leases).where(leases.c.id == lease_id)).mappings().one()
