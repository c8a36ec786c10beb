"""What an operator does to a running platform: communities, kiosks, staff, slots, reports."""
from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from elder_wire.time_zones import known_time_zone
from service_platform import (
    auth,
    catalogue,
    clock,
    completion,
    demo,
    entities,
    feedback,
    leases,
    services,
    timetable,
    timetable_file,
)
from service_platform.console import accounts, audit, sessions
from service_platform.console.i18n import Text
from service_platform.db import Database
from service_platform.schema import providers


class OperatorError(Exception):
    """A request the operator must correct (unknown community, unknown kiosk...)."""


def add_operator(db: Database, username: str, display_name: str, role: str, password: str,
                 community_ids: list[str], provider_id: str | None = None) -> str:
    """A console account; returns its id. The same checks as the console's form."""
    def work(conn):
        operator_id = accounts.create(conn, username, display_name, role, password,
                                      community_ids, provider_id)
        audit.record(conn, None, "command-line", "operator.add", operator_id,
                     detail={"role": role, "communities": sorted(community_ids)})
        return operator_id
    with _account_errors():
        return db.run_write(work)


def set_operator_password(db: Database, username: str, password: str) -> None:
    """A new password; the account unlocked and signed out everywhere."""
    def work(conn):
        operator_id = _operator_id(conn, username)
        accounts.set_password(conn, operator_id, password)
        sessions.end_all(conn, operator_id, clock.now())
        audit.record(conn, None, "command-line", "operator.password", operator_id)
    with _account_errors():
        db.run_write(work)


def deactivate_operator(db: Database, username: str) -> None:
    def work(conn):
        operator_id = _operator_id(conn, username)
        accounts.set_active(conn, operator_id, False)
        sessions.end_all(conn, operator_id, clock.now())
        audit.record(conn, None, "command-line", "operator.deactivate", operator_id)
    db.run_write(work)


def _operator_id(conn, username: str) -> str:
    row = accounts.by_username(conn, username)
    if row is None:
        raise OperatorError(f"no operator {username}")
    return row["id"]


@contextmanager
def _account_errors() -> Iterator[None]:
    """A value the account rules refuse, said as the command line says errors (in English)."""
    try:
        yield
    except accounts.AccountError as exc:
        raise OperatorError(f"{exc.field}: {Text('en')(exc.message_key)}") from exc


def demo_operators(db: Database) -> list[tuple[str, str, str]]:
    """The demo community's console accounts (added if missing): (username, password, role)."""
    return db.run_write(demo.seed_operators)


def init_demo(db: Database) -> bool:
    return db.run_write(demo.seed)


def add_community(db: Database, community_id: str, name: str,
                  tz: str = demo.DEMO_TZ) -> None:
    if not known_time_zone(tz):
        raise OperatorError(f"unknown time zone {tz!r} (for example Asia/Shanghai)")

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


class _DryRun(Exception):
    def __init__(self, outcome: timetable.Outcome) -> None:
        self.outcome = outcome


def load_timetable(db: Database, community_id: str, path: Path,
                   dry_run: bool = False) -> timetable.Outcome:
    """Load a community's timetable file in one transaction: all of it, or nothing."""
    try:
        read = timetable_file.read(path)
    except timetable_file.FileError as exc:
        raise OperatorError(f"{exc}\nnothing was loaded") from exc
    return _load_timetable(db, community_id, read, str(path), dry_run)


def load_timetable_content(db: Database, community_id: str, data: bytes, name: str,
                           dry_run: bool = False, also=None) -> timetable.Outcome:
    """The same, from a file's content (an upload named `name`); `also(conn, outcome)` runs
    in the load's transaction when it is not a dry run (to mark the upload loaded, audit)."""
    try:
        read = timetable_file.parse(data, name)
    except timetable_file.FileError as exc:
        raise OperatorError(f"{exc}\nnothing was loaded") from exc
    return _load_timetable(db, community_id, read, name, dry_run, also)


def _load_timetable(db: Database, community_id: str, read: timetable_file.Timetable,
                    path: str, dry_run: bool, also=None) -> timetable.Outcome:
    def work(conn):
        if catalogue.get_community(conn, community_id) is None:
            raise OperatorError(f"no community {community_id} (add it with add-community)")
        outcome = timetable.load(conn, community_id, read)
        if dry_run:
            raise _DryRun(outcome)  # rolls the transaction back
        if also is not None:
            also(conn, outcome)
        return outcome
    try:
        return db.run_write(work)
    except _DryRun as done:
        return done.outcome
    except timetable_file.FileError as exc:
        raise OperatorError("\n".join(f"{path}: {line}" for line in str(exc).splitlines())
                            + "\nnothing was loaded") from exc
    except timetable.BookedSlotError as exc:
        raise OperatorError(f"{path}: {exc}") from exc
    except IntegrityError as exc:
        raise OperatorError(f"{path}: the database refused it ({type(exc.orig).__name__}: "
                            f"{str(exc.orig).splitlines()[0]}); nothing was loaded") from exc


def add_staff(db: Database, community_id: str, name: str) -> str:
    """Add a social worker to a community; returns the new staff id."""
    def work(conn):
        if catalogue.get_community(conn, community_id) is None:
            raise OperatorError(f"no community {community_id}")
        staff_id = f"staff-{secrets.token_hex(4)}"
        services.put_staff(conn, community_id, staff_id, name)
        return staff_id
    return db.run_write(work)


def deactivate_staff(db: Database, staff_id: str) -> None:
    def work(conn):
        row = services.get_staff(conn, staff_id)
        if row is None:
            raise OperatorError(f"no staff member {staff_id}")
        services.put_staff(conn, row["community_id"], staff_id, row["name"], active=False)
    db.run_write(work)


def complete_bookings(db: Database, before: dt.datetime | None = None,
                      community_id: str | None = None) -> int:
    """Mark confirmed bookings whose slot ended by `before` (default now) completed."""
    before = before or clock.now()
    with db.read() as conn:
        ids = [community_id] if community_id else completion.community_ids(conn)
    return sum(db.run_write(lambda conn, cid=cid: completion.complete_due(conn, cid, before))
               for cid in ids)


def ratings_report(db: Database, community_id: str | None = None) -> list[dict]:
    """Ratings counted per provider: [{community_id, provider_id, name, satisfied, …}]."""
    with db.read() as conn:
        query = select(providers).order_by(providers.c.community_id, providers.c.id)
        if community_id:
            query = query.where(providers.c.community_id == community_id)
        return [{"community_id": row["community_id"], "name": row["name"],
                 **feedback.provider_ratings(conn, row["community_id"], row["id"])}
                for row in conn.execute(query).mappings()]


def listing(db: Database, table, community_id: str | None = None,
            limit: int | None = None) -> list[dict]:
    """Rows of complaints, help requests or the audit log, newest received first."""
    with db.read() as conn:
        query = select(table).order_by(table.c.received_at.desc(), table.c.id)
        if community_id:
            query = query.where(table.c.community_id == community_id)
        if limit:
            query = query.limit(limit)
        return [dict(row) for row in conn.execute(query).mappings()]
