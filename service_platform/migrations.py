"""Forward-only schema migrations with a version table; step n brings the schema to version n."""
from __future__ import annotations

import secrets
from collections.abc import Callable

from sqlalchemy import Connection, func, insert, inspect, select, text, update

from service_platform import catalogue, clock, complaints, schema, schema_v1
from service_platform.db import Database


class NewerSchemaError(RuntimeError):
    """The database was written by a newer platform; refuse rather than damage it."""


def _v1_initial(conn: Connection) -> None:
    # Version 1 is the first released schema, frozen in schema_v1.py.
    schema_v1.metadata.create_all(conn, checkfirst=True)
    conn.execute(insert(schema.platform_meta).values(key="platform_id",
                                                     value=secrets.token_hex(16)))


# Columns version 2 adds to version-1 tables (table, column, SQL type valid on both dialects).
V2_COLUMNS = (
    ("elders", "mobility", "VARCHAR(32)"),
    ("elders", "emergency_contact", "TEXT"),
    ("elders", "updated_by", "VARCHAR(64)"),
    ("bookings", "kind", "VARCHAR(32)"),
    ("bookings", "needs", "TEXT"),
    ("bookings", "department", "VARCHAR(32)"),
    ("bookings", "units", "INTEGER NOT NULL DEFAULT 1"),
    ("bookings", "provider_id", "VARCHAR(64)"),
    ("bookings", "completed_at", "VARCHAR(40)"),
)


def _v2_services(conn: Connection) -> None:
    """Cleaning and medical services, ratings, complaints, help, staff and the audit log."""
    for table, column, sql_type in V2_COLUMNS:
        conn.execute(text(f"ALTER TABLE {table} ADD COLUMN {column} {sql_type}"))
    schema.metadata.create_all(conn, tables=list(schema.V2_TABLES), checkfirst=True)


# Columns version 3 adds (table, column, SQL type valid on both dialects).
V3_COLUMNS = (
    ("communities", "escalate_after_min", "INTEGER NOT NULL DEFAULT 3"),
    ("kiosks", "last_seen_at", "VARCHAR(40)"),
    ("kiosks", "app_version", "VARCHAR(40)"),
    ("kiosks", "outbox_pending", "INTEGER"),
    ("kiosks", "outbox_oldest_at", "VARCHAR(40)"),
    ("kiosks", "clock_skew_ms", "BIGINT"),
    ("elders", "notify_family", "BOOLEAN NOT NULL DEFAULT FALSE"),
    ("help_requests", "acknowledged_by_name", "VARCHAR(100)"),
    ("help_requests", "resolved_by_name", "VARCHAR(100)"),
    ("help_requests", "resolution_note", "VARCHAR(500)"),
    ("help_requests", "escalated_at", "VARCHAR(40)"),
)


def _v3_console(conn: Connection) -> None:
    """The operator console, the help chain (timeline, escalation, notifications), uploads.

    Step 2 creates its tables in their latest shape, so a table it made may have these already.
    """
    inspector = inspect(conn)
    for table, column, sql_type in V3_COLUMNS:
        if column not in {c["name"] for c in inspector.get_columns(table)}:
            conn.execute(text(f"ALTER TABLE {table} ADD COLUMN {column} {sql_type}"))
    if "help_requests_state" not in {i["name"] for i in inspector.get_indexes("help_requests")}:
        conn.execute(text("CREATE INDEX help_requests_state ON help_requests (state, received_at)"))
    schema.metadata.create_all(conn, tables=list(schema.V3_TABLES), checkfirst=True)


def _v4_hardening(conn: Connection) -> None:
    """Issue 14: booking ids unique within a community (their primary key), operations of
    unknown types kept without their payload and indexed to be kept few, enrolment by install
    and failed enrolments counted."""
    if "install_hash" not in {c["name"] for c in inspect(conn).get_columns("kiosks")}:
        conn.execute(text("ALTER TABLE kiosks ADD COLUMN install_hash VARCHAR(64)"))
    _bookings_keyed_per_community(conn)
    conn.execute(text("UPDATE applied_ops SET payload = '' WHERE reason = 'unknown_type'"))
    unknown = next(i for i in schema.applied_ops.indexes if i.name == "applied_ops_unknown")
    unknown.create(conn, checkfirst=True)
    schema.metadata.create_all(conn, tables=list(schema.V4_TABLES), checkfirst=True)


def _bookings_keyed_per_community(conn: Connection) -> None:
    """The primary key of bookings becomes (community_id, id). SQLite cannot change a primary
    key: there the table is made anew and its rows copied."""
    if inspect(conn).get_pk_constraint("bookings")["constrained_columns"] == ["community_id",
                                                                              "id"]:
        return
    if conn.dialect.name != "sqlite":
        name = inspect(conn).get_pk_constraint("bookings")["name"]
        conn.execute(text(f'ALTER TABLE bookings DROP CONSTRAINT "{name}", '
                          "ADD PRIMARY KEY (community_id, id)"))
        return
    conn.execute(text("ALTER TABLE bookings RENAME TO bookings_v3"))
    for index in schema.bookings.indexes:
        conn.execute(text(f"DROP INDEX IF EXISTS {index.name}"))
    schema.bookings.create(conn)
    columns = ", ".join(c["name"] for c in inspect(conn).get_columns("bookings_v3"))
    conn.execute(text(f"INSERT INTO bookings ({columns}) SELECT {columns} FROM bookings_v3"))
    conn.execute(text("DROP TABLE bookings_v3"))


# Columns version 5 adds (table, column, SQL type valid on both dialects).
V5_COLUMNS = (
    ("bookings", "waitlist_position", "INTEGER"),
    ("service_slots", "title", "VARCHAR(100)"),
    ("service_slots", "place", "VARCHAR(100)"),
    ("service_slots", "host", "VARCHAR(100)"),
)


def _v5_services_as_data(conn: Connection) -> None:
    """Issue 12: each community's service catalogue (seeded with the standard one and fed),
    waiting lists, attendance, sessions' title, place and host; service keys up to 32."""
    inspector = inspect(conn)
    for table, column, sql_type in V5_COLUMNS:
        if column not in {c["name"] for c in inspector.get_columns(table)}:
            conn.execute(text(f"ALTER TABLE {table} ADD COLUMN {column} {sql_type}"))
    if conn.dialect.name != "sqlite":  # SQLite keeps text of any length
        for table in ("bookings", "service_slots"):
            conn.execute(text(f"ALTER TABLE {table} ALTER COLUMN service TYPE VARCHAR(32)"))
    schema.metadata.create_all(conn, tables=list(schema.V5_TABLES), checkfirst=True)
    for community_id in conn.execute(select(schema.communities.c.id).order_by(
            schema.communities.c.id)).scalars():
        catalogue.seed_services(conn, community_id)


# Columns version 6 adds (table, column, SQL type valid on both dialects).
V6_COLUMNS = (
    ("communities", "complaint_days", "INTEGER NOT NULL DEFAULT 3"),
    ("complaints", "about", "VARCHAR(16)"),
    ("complaints", "call_back", "BOOLEAN NOT NULL DEFAULT FALSE"),
    ("complaints", "note", "VARCHAR(200)"),
    ("complaints", "owner_id", "VARCHAR(64)"),
    ("complaints", "due_at", "VARCHAR(40)"),
    ("complaints", "resolution", "VARCHAR(500)"),
    ("complaints", "resolved_at", "VARCHAR(40)"),
    ("complaints", "resolved_by", "VARCHAR(64)"),
    ("complaints", "closed_at", "VARCHAR(40)"),
    ("complaints", "answer", "VARCHAR(16)"),
    ("complaints", "answered_at", "VARCHAR(40)"),
    ("complaints", "provider_reply", "VARCHAR(500)"),
    ("complaints", "provider_replied_at", "VARCHAR(40)"),
)


def _v6_complaint_life(conn: Connection) -> None:
    """Issue 13: complaints handled to the end. Complaints received before get what they are
    about (their booking, else the centre) and a due date from their community's default."""
    inspector = inspect(conn)
    for table, column, sql_type in V6_COLUMNS:
        if column not in {c["name"] for c in inspector.get_columns(table)}:
            conn.execute(text(f"ALTER TABLE {table} ADD COLUMN {column} {sql_type}"))
    state_index = next(i for i in schema.complaints.indexes if i.name == "complaints_state")
    state_index.create(conn, checkfirst=True)
    schema.metadata.create_all(conn, tables=list(schema.V6_TABLES), checkfirst=True)
    c, communities = schema.complaints.c, schema.communities
    rows = conn.execute(select(c.community_id, c.id, c.booking_id, c.received_at,
                               communities.c.tz, communities.c.complaint_days)
                        .join(communities, communities.c.id == c.community_id)
                        .where(c.due_at.is_(None))).all()
    for row in rows:
        conn.execute(update(schema.complaints).where(
            c.community_id == row.community_id, c.id == row.id).values(
            about="booking" if row.booking_id else "centre",
            due_at=complaints.due_at(row.received_at, row.complaint_days, row.tz)))


def _v7_compaction(conn: Connection) -> None:
    """The feed can be compacted (compaction.py): its horizon. Version 7 also indexed the
    changes by entity (changes_entity), which version 8 drops: it is not made here."""
    conn.execute(text("ALTER TABLE feed_heads ADD COLUMN horizon BIGINT NOT NULL DEFAULT 0"))


def _v8_feed_without_entity_index(conn: Connection) -> None:
    """The changes are no longer indexed by entity: compaction sorts them instead, and each
    change pushed is one B-tree write fewer (its entity id is random: a page of the index
    written anew for nearly every change)."""
    conn.execute(text("DROP INDEX IF EXISTS changes_entity"))


MIGRATIONS: list[Callable[[Connection], None]] = [_v1_initial, _v2_services, _v3_console,
                                                  _v4_hardening, _v5_services_as_data,
                                                  _v6_complaint_life, _v7_compaction,
                                                  _v8_feed_without_entity_index]
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
