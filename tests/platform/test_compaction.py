"""Which changes compacting a feed drops (protocol §5.1), change by change: superseded ones
only when the later change is seen by everyone who saw them, referred entities' first change
kept, entities told apart by kind too."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import insert, select

from service_platform import compaction, feed, migrations, operators
from service_platform.db import Database
from service_platform.feed import Change
from service_platform.schema import bookings, changes, feed_heads, leases, meal_slots

COMMUNITY = "community-compact"

# (kind, entity, kiosk it is for: None for everyone, delete?) in seq order from 1, and
# whether compacting keeps it.
FEED = [
    (("elder", "e1", None, False), True),  # 1: an elder's first change stays (referred)
    (("booking", "b1", None, False), False),  # 2: superseded by 4
    (("elder", "e1", None, False), False),  # 3: between the first and the last: goes
    (("booking", "b1", None, False), True),  # 4
    (("elder", "e1", None, False), True),  # 5: the last
    (("lease", "l1", "k1", False), False),  # 6: superseded by 8, for the same kiosk
    (("lease", "l1", "k2", False), True),  # 7: 8 is not k2's to see
    (("lease", "l1", "k1", False), True),  # 8
    (("booking", "b2", "k1", False), False),  # 9: a later public change supersedes it
    (("booking", "b2", None, False), True),  # 10
    (("booking", "b3", None, False), True),  # 11: the later one is k1's alone
    (("booking", "b3", "k1", False), True),  # 12
    (("elder", "e2", None, False), True),  # 13: first
    (("elder", "e2", None, True), True),  # 14: removed, the last
    (("booking", "x", None, False), True),  # 15: the same id, another kind
    (("attendance", "x", None, False), True),  # 16
]


def test_compacting_drops_exactly_the_superseded_changes(new_database):
    db = Database(new_database())
    try:
        migrations.migrate(db)
        operators.add_community(db, COMMUNITY, "压缩社区")
        with db.read() as conn:
            before = feed.latest_seq(conn, COMMUNITY)
        db.run_write(lambda conn: feed.append(conn, COMMUNITY, [
            Change(kind, entity, None if removed else {"id": entity}, kiosk)
            for (kind, entity, kiosk, removed), _ in FEED]))
        done = db.run_write(lambda conn: compaction.compact(conn, COMMUNITY))
        with db.read() as conn:
            left = conn.execute(select(changes.c.seq).where(
                changes.c.community_id == COMMUNITY, changes.c.seq > before,
            ).order_by(changes.c.seq)).scalars().all()
        assert left == [before + n for n, (_, kept) in enumerate(FEED, start=1) if kept]
        assert (done.superseded, done.retired) == (4, 0)
    finally:
        db.dispose()


def test_compacting_retires_the_changes_of_slots_long_over(new_database):
    """A slot over for longer than keep_days goes from the feed with its bookings and leases
    (each asked by its key); a slot to come and its booking stay; the horizon is the highest
    seq dropped."""
    db = Database(new_database())
    try:
        migrations.migrate(db)
        operators.add_community(db, COMMUNITY, "压缩社区")
        kiosk_id = operators.add_kiosk(db, COMMUNITY, "终端")[0]
        now = dt.datetime(2026, 12, 3, 12, tzinfo=dt.UTC)
        stamp = now.isoformat()
        slots = {"over": "2026-10-01", "to_come": "2026-12-10"}
        with db.write() as conn:
            conn.execute(insert(meal_slots), [
                {"community_id": COMMUNITY, "id": f"meal:{day}:lunch", "day": day,
                 "meal": "lunch", "cutoff": stamp, "capacity": 10, "price_cents": 1500,
                 "menu": "[]", "updated_at": stamp} for day in slots.values()])
            conn.execute(insert(bookings), [
                {"community_id": COMMUNITY, "id": f"booking-{name}", "elder_id": "elder-1",
                 "service": "meal", "slot_id": f"meal:{day}:lunch", "mode": "pickup",
                 "price_cents": 1500, "subsidy_cents": 0, "status": "confirmed",
                 "kiosk_id": kiosk_id, "op_id": f"op-{name}", "created_at": stamp,
                 "received_at": stamp, "updated_at": stamp} for name, day in slots.items()])
            conn.execute(insert(leases).values(
                id="lease-over", community_id=COMMUNITY, kiosk_id=kiosk_id,
                slot_id=f"meal:{slots['over']}:lunch", places=2, uses=0, state="returned",
                granted_at=stamp, expires_at=stamp))
            before = feed.latest_seq(conn, COMMUNITY)
        fed = [Change("meal_slot", f"meal:{slots['over']}:lunch", {}),
               Change("meal_slot", f"meal:{slots['to_come']}:lunch", {}),
               Change("booking", "booking-over", {}), Change("booking", "booking-to_come", {}),
               Change("lease", "lease-over", {}, kiosk_id)]
        db.run_write(lambda conn: feed.append(conn, COMMUNITY, fed))
        done = db.run_write(lambda conn: compaction.compact(conn, COMMUNITY, 31, now))
        with db.read() as conn:
            left = conn.execute(select(changes.c.entity_id).where(
                changes.c.community_id == COMMUNITY, changes.c.seq > before,
            ).order_by(changes.c.seq)).scalars().all()
            horizon = conn.execute(select(feed_heads.c.horizon).where(
                feed_heads.c.community_id == COMMUNITY)).scalar_one()
        assert left == [f"meal:{slots['to_come']}:lunch", "booking-to_come"]
        assert (done.retired, done.horizon, horizon) == (3, before + 5, before + 5)
    finally:
        db.dispose()
