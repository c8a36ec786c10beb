"""What an operator does to a running platform: communities, kiosks, revocation, slot capacity."""
from __future__ import annotations

import datetime as dt

from service_platform import auth, catalogue, demo, entities, leases
from service_platform.db import Database


class OperatorError(Exception):
    """A request the operator must correct (unknown community, unknown kiosk...)."""


def init_demo(db: Database) -> bool:
    return db.run_write(demo.seed)


def add_community(db: Database, community_id: str, name: str,
                  tz: str = demo.DEMO_TZ) -> None:
    def work(conn):
        if catalogue.get_community(conn, community_id) is not None:
            raise OperatorError(f"community {community_id} already exists")
        catalogue.create_community(conn, community_id, name, tz)
    db.run_write(work)


def add_kiosk(db: Database, community_id: str, name: str,
              ttl: dt.timedelta = auth.DEFAULT_CODE_TTL) -> tuple[str, str]:
    """Returns (kiosk id, one-time enrolment code)."""
    def work(conn):
        if catalogue.get_community(conn, community_id) is None:
            raise OperatorError(f"no community {community_id}")
        return auth.add_kiosk(conn, community_id, name, ttl)
    return db.run_write(work)


def revoke_kiosk(db: Database, kiosk_id: str) -> int:
    """Revoke a kiosk and take back its leases; returns how many leases came back."""
    def work(conn):
        if not auth.revoke_kiosk(conn, kiosk_id):
            raise OperatorError(f"no kiosk {kiosk_id} to revoke (unknown or already revoked)")
        return leases.return_all(conn, kiosk_id)
    return db.run_write(work)


def set_meal_slot(db: Database, community_id: str, slot_id: str, **fields) -> dict:
    """Change a meal slot (capacity, cutoff, ...) and feed the change out; returns the slot."""
    def work(conn):
        row = catalogue.lock_slot(conn, community_id, slot_id)
        if row is None:
            raise OperatorError(f"no meal slot {slot_id} in {community_id}")
        slot = {**entities.meal_slot(row), **fields}
        catalogue.put_meal_slots(conn, community_id, [slot])
        return slot
    return db.run_write(work)


def add_meal_slot(db: Database, community_id: str, slot: dict) -> None:
    db.run_write(lambda conn: catalogue.put_meal_slots(conn, community_id, [slot]))
