"""Forward-only schema migrations with a version table; step n brings the schema to version n."""
from __future__ import annotations

import secrets
from collections.abc import Callable

from sqlalchemy import Connection, func, insert, inspect, select, text

from service_platform import clock, schema
from service_platform.db import Database


class NewerSchemaError(RuntimeError):
    """The database was written by a newer platform; refuse rather than damage it."""


def _v1_initial(conn: Connection) -> None:
    # Version 1 is the first released schema. Later steps must ALTER, never edit schema.py's
    # tables in a way that changes what this step creates.
    schema.metadata.create_all(conn, checkfirst=True)
    conn.execute(insert(schema.platform_meta).values(key="platform_id",
                                                     value=secrets.token_hex(16)))


MIGRATIONS: list[Callable[[Connection], None]] = [_v1_initial]
LATEST = len(MIGRATIONS)

# Any fixed number: a PostgreSQL advisory lock so two processes never migrate at once.
_MIGRATION_LOCK = 7_341_001


def current_version(conn: Connection) -> int:
    if not inspect(conn).has_table(schema.schema_version.name):
        return 0
    return conn.execute(select(func.max(schema.schema_version.c.version))).scalar() or 0


def migrate(db: Database) -> int:
    """Bring the database to the latest version; returns that version."""
    with db.write() as conn:
        if not db.is_sqlite:
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
        version = current_version(conn)
        if version > LATEST:
            raise NewerSchemaError(f"database schema {version} is newer than this platform's")
        if version == 0:
            schema.schema_version.create(conn)
        for step in range(version + 1, LATEST + 1):
            MIGRATIONS[step - 1](conn)
            conn.execute(insert(schema.schema_version).values(
                version=step, applied_at=clock.stamp(clock.now())))
    return LATEST


def platform_id(db: Database) -> str:
    with db.read() as conn:
        return conn.execute(select(schema.platform_meta.c.value).where(
            schema.platform_meta.c.key == "platform_id")).scalar_one()
