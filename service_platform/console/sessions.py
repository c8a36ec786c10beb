"""Console sessions kept in the database (any platform process can serve any request).

The cookie holds a random secret; the database holds only its hash. A session ends when its
operator signs out, after IDLE without a request, or at the latest LIFETIME after sign-in.
An open help queue counts as activity (its live stream touches the session): a duty worker
watching for calls is not idle. Each session has its own CSRF token for every form.
"""
from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from sqlalchemy import Connection, insert, select, update

from service_platform import clock
from service_platform.auth import secret_hash
from service_platform.db import Database
from service_platform.schema import operator_sessions

IDLE = dt.timedelta(minutes=30)
LIFETIME = dt.timedelta(hours=12)
TOUCH_EVERY = dt.timedelta(seconds=30)  # writes at most this often per session


@dataclass(frozen=True)
class Session:
    operator_id: str
    csrf_token: str
    key_hash: str


def start(conn: Connection, operator_id: str, now: dt.datetime) -> str:
    """A new session; returns the secret for the cookie."""
    secret = secrets.token_urlsafe(32)
    stamp = clock.stamp(now)
    conn.execute(insert(operator_sessions).values(
        id_hash=secret_hash(secret), operator_id=operator_id, csrf_token=secrets.token_urlsafe(32),
        created_at=stamp, last_seen_at=stamp, expires_at=clock.stamp(now + LIFETIME)))
    return secret


def use(db: Database, secret: str | None, now: dt.datetime,
        idle: dt.timedelta = IDLE) -> Session | None:
    """The live session of this cookie secret, marked as used now; None if there is none.

    Every console request asks this, so it only reads, but for one write at most every
    TOUCH_EVERY per session (on SQLite a write transaction takes the database's write lock)."""
    if not secret or len(secret) > 100:
        return None
    key = secret_hash(secret)
    with db.read() as conn:
        row = conn.execute(select(operator_sessions).where(
            operator_sessions.c.id_hash == key, operator_sessions.c.ended_at.is_(None),
        )).mappings().first()
    if row is None:
        return None
    last_seen = clock.parse(row["last_seen_at"])
    if now >= clock.parse(row["expires_at"]) or now - last_seen >= idle:
        return None
    if now - last_seen >= TOUCH_EVERY:
        db.run_write(lambda conn: conn.execute(update(operator_sessions).where(
            operator_sessions.c.id_hash == key).values(last_seen_at=clock.stamp(now))))
    return Session(row["operator_id"], row["csrf_token"], key)


def end(conn: Connection, key_hash: str, now: dt.datetime) -> None:
    conn.execute(update(operator_sessions).where(operator_sessions.c.id_hash == key_hash)
                 .values(ended_at=clock.stamp(now)))


def end_all(conn: Connection, operator_id: str, now: dt.datetime) -> None:
    """Sign an operator out everywhere (deactivated, password changed)."""
    conn.execute(update(operator_sessions).where(
        operator_sessions.c.operator_id == operator_id, operator_sessions.c.ended_at.is_(None),
    ).values(ended_at=clock.stamp(now)))
