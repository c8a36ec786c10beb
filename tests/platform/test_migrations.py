"""Upgrading a version-1 database: the same schema as a new one, data and stored results kept."""
from __future__ import annotations

import uuid

from sqlalchemy import delete, insert, inspect, select, text

from elder_wire.catalogue import STANDARD
from elder_wire.operations import Operation
from service_platform import catalogue, clock, migrations, operations, schema, schema_v1
from service_platform.auth import Kiosk
from service_platform.db import Database

COMMUNITY = "community-old"


def _version_1_database(target: str) -> Database:
    """A database exactly as the first released platform left it, with a booking and an
    operation stored while `rating.create` was still a reserved type."""
    db = Database(target)
    with db.write() as conn:
        schema_v1.schema_version.create(conn)
        migrations.MIGRATIONS[0](conn)
        conn.execute(insert(schema_v1.schema_version).values(version=1, applied_at="x"))
        now = clock.stamp(clock.now())
        conn.execute(insert(schema_v1.communities).values(
            id=COMMUNITY, name="老社区", tz="Asia/Shanghai", created_at=now))
        conn.execute(insert(schema_v1.feed_heads).values(community_id=COMMUNITY, last_seq=0))
        conn.execute(insert(schema_v1.elders).values(
            community_id=COMMUNITY, id="elder-1", card_no="1", name="王", phone="",
            address="", subsidy_level="basic", delivery_allowed=False,
            home_visit_allowed=False, dietary="[]", active=True, updated_at=now))
        conn.execute(insert(schema_v1.bookings).values(
            id=str(uuid.uuid4()), community_id=COMMUNITY, elder_id="elder-1", service="meal",
            slot_id="meal:2026-11-24:lunch", mode="pickup", price_cents=1500, subsidy_cents=300,
            status="confirmed", kiosk_id="kiosk-1", op_id=str(uuid.uuid4()), created_at=now,
            received_at=now, updated_at=now))
    return db


def _columns(db: Database) -> dict[str, set[str]]:
    with db.read() as conn:
        found = inspect(conn)
        return {table: {col["name"] for col in found.get_columns(table)}
                for table in found.get_table_names()}


def _keys(db: Database) -> dict[str, tuple[list[str], set[tuple]]]:
    """Each table's primary key and its indexes (name, columns, unique)."""
    with db.read() as conn:
        found = inspect(conn)
        return {table: (found.get_pk_constraint(table)["constrained_columns"],
                        {(i["name"], tuple(i["column_names"]), bool(i["unique"]))
                         for i in found.get_indexes(table)})
                for table in found.get_table_names()}


def test_upgrade_from_version_1_matches_a_new_database(new_database):
    old = _version_1_database(new_database())
    fresh = Database(new_database())
    try:
        reserved = Operation.model_validate({
            "op_id": str(uuid.uuid4()), "type": "rating.create",
            "payload": {"anything": "goes"}, "created_at": "2026-11-23T10:00:00+08:00"})
        kiosk = Kiosk("kiosk-1", COMMUNITY, "旧终端")
        with old.write() as conn:
            conn.execute(insert(schema.applied_ops).values(
                community_id=COMMUNITY, op_id=str(reserved.op_id), kiosk_id=kiosk.id,
                type="rating.create", digest=operations.digest(reserved),
                payload='{"anything": "goes"}', created_at="2026-11-23T10:00:00+08:00",
                received_at="2026-11-23T02:00:00.000+00:00", status="applied", reason=None,
                data='{"stored": true}'))
        assert migrations.migrate(old) == migrations.LATEST == 8
        assert migrations.migrate(old) == 8  # a second run changes nothing
        migrations.migrate(fresh)
        assert _columns(old) == _columns(fresh)
        assert _keys(old) == _keys(fresh)
        assert _keys(fresh)["bookings"][0] == ["community_id", "id"]  # v4
        declared = {name: {col.name for col in table.columns}
                    for name, table in schema.metadata.tables.items()}
        assert _columns(fresh) == declared  # schema.py says what the migrations made
        with old.read() as conn:
            booking = conn.execute(select(schema.bookings)).mappings().one()
            elder = catalogue.get_elder(conn, COMMUNITY, "elder-1")
        assert (booking["units"], booking["kind"], booking["provider_id"]) == (1, None, None)
        assert (elder["mobility"], elder["emergency_contact"]) == (None, None)
        # v5: the community made before services were data has the standard catalogue, fed
        with old.read() as conn:
            assert set(catalogue.services_of(conn, COMMUNITY)) == {e.key for e in STANDARD}
            fed = conn.execute(select(schema.changes.c.entity_id).where(
                schema.changes.c.community_id == COMMUNITY,
                schema.changes.c.kind == "service")).scalars().all()
            assert sorted(fed) == sorted(e.key for e in STANDARD)  # once, not at each start
        # Its lost answer is asked for again: the stored result, never a 422 or a re-apply.
        again = operations.push(old, kiosk, [reserved])
        assert (again[0].status, again[0].data) == ("applied", {"stored": True})
    finally:
        old.dispose()
        fresh.dispose()


def test_a_version_7_feed_loses_its_entity_index_and_keeps_its_changes(new_database):
    """Version 8 drops the index by entity version 7 made: the changes stay, and so does the
    index of their seqs, which the pull reads."""
    db = Database(new_database())
    try:
        migrations.migrate(db)
        with db.write() as conn:
            conn.execute(insert(schema.communities).values(
                id=COMMUNITY, name="老社区", tz="Asia/Shanghai", created_at="x"))
            conn.execute(insert(schema.feed_heads).values(community_id=COMMUNITY, last_seq=2))
            conn.execute(insert(schema.changes), [
                {"community_id": COMMUNITY, "seq": seq, "kind": "booking", "entity_id": "b-1",
                 "op": "upsert", "data": "{}", "created_at": "x"} for seq in (1, 2)])
            conn.execute(text("CREATE INDEX changes_entity ON changes "
                              "(community_id, kind, entity_id, seq)"))  # as version 7 made it
            conn.execute(delete(schema.schema_version).where(
                schema.schema_version.c.version == 8))
        assert migrations.migrate(db) == 8
        with db.read() as conn:
            names = {i["name"] for i in inspect(conn).get_indexes("changes")}
            seqs = conn.execute(select(schema.changes.c.seq).order_by(
                schema.changes.c.seq)).scalars().all()
        assert "changes_entity" not in names
        assert seqs == [1, 2]
    finally:
        db.dispose()


def test_a_newer_database_is_refused(new_database):
    db = Database(new_database())
    try:
        migrations.migrate(db)
        with db.write() as conn:
            conn.execute(insert(schema.schema_version).values(version=99, applied_at="x"))
        try:
            migrations.migrate(db)
        except migrations.NewerSchemaError:
            pass
        else:
            raise AssertionError("a newer schema was not refused")
    finally:
        db.dispose()
