"""Which changes compacting a feed drops (protocol §5.1), change by change: superseded ones
only when the later change is seen by everyone who saw them, referred entities' first change
kept, entities told apart by kind too."""
from __future__ import annotations

from sqlalchemy import select

from service_platform import compaction, feed, migrations, operators
from service_platform.db import Database
from service_platform.feed import Change
from service_platform.schema import changes

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
