"""Compacting a community's change feed, so a kiosk joining late pulls the community's current
state rather than its whole history (protocol §5.1).

Two rules, neither of which leaves a kiosk at any cursor with a wrong current state:

- **Superseded**: a change of an entity is dropped when a later change of the same entity is
  visible to everyone who could see it. A kiosk whose cursor is before the dropped change will
  get the later one anyway, and each change carries the entity's whole state. Entities others
  refer to (elders, slots, services, providers, staff, subsidy levels) keep their *first*
  change too, holding their newest state, so that a booking is never pulled before its elder
  or its slot; only the changes between the first and the last go.
- **Retired**: the changes of history older than `keep_days` — bookings, attendance and leases
  of slots that were over that long ago, the slots themselves, ratings and complaints not
  changed for that long — are dropped altogether. The feed's *horizon* becomes the highest seq
  dropped so; a kiosk whose cursor is below it pulls the feed again from 0 (§5.1): the same
  current state as a kiosk joining now. Kiosks show 30 days of past bookings and ask about
  services of the last 14 days, so the default keeps 31.
"""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from sqlalchemy import Connection, and_, case, delete, exists, func, or_, select, update

from service_platform import clock
from service_platform.db import Database
from service_platform.schema import (
    attendance,
    bookings,
    changes,
    communities,
    feed_heads,
    leases,
    meal_slots,
    service_slots,
)

log = logging.getLogger(__name__)

KEEP_DAYS = 31
# Kinds other entities refer to: their first change stays.
REFERRED = ("elder", "service", "provider", "meal_slot", "service_slot", "staff", "subsidy_level")


@dataclass
class Compacted:
    superseded: int = 0
    retired: int = 0
    horizon: int = 0


def compact_all(db: Database, keep_days: int = KEEP_DAYS,
                now: dt.datetime | None = None) -> dict[str, Compacted]:
    """Every community's feed, each in a transaction of its own."""
    with db.read() as conn:
        ids = list(conn.execute(select(communities.c.id).order_by(communities.c.id)).scalars())
    return {community_id: db.run_write(
        lambda conn, c=community_id: compact(conn, c, keep_days, now)) for community_id in ids}


def compact(conn: Connection, community_id: str, keep_days: int = KEEP_DAYS,
            now: dt.datetime | None = None) -> Compacted:
    """One community's feed, in the caller's write transaction."""
    now = now or clock.now()
    # The feed head's lock: appends wait (briefly), and nothing later is touched here.
    head = conn.execute(select(feed_heads.c.last_seq, feed_heads.c.horizon).where(
        feed_heads.c.community_id == community_id).with_for_update()).first()
    if head is None:
        return Compacted()
    done = Compacted(horizon=head.horizon)
    done.retired, highest = _retire(conn, community_id, head.last_seq,
                                    now - dt.timedelta(days=keep_days))
    done.superseded = _drop_superseded(conn, community_id, head.last_seq)
    if highest > head.horizon:
        done.horizon = highest
        conn.execute(update(feed_heads).where(feed_heads.c.community_id == community_id)
                     .values(horizon=highest))
    if done.retired or done.superseded:
        log.info("feed of %s compacted: %d superseded and %d retired changes dropped, "
                 "horizon %d", community_id, done.superseded, done.retired, done.horizon)
    return done


def _drop_superseded(conn: Connection, community_id: str, last_seq: int) -> int:
    """One pass over the community's feed, sorted by entity (window functions): the feed has
    no index by entity, which each change pushed would have paid for."""
    entity = (changes.c.kind, changes.c.entity_id)
    ranked = select(
        changes.c.seq, changes.c.kind, changes.c.kiosk_id,
        # the entity's latest change everyone sees; its latest for the same kiosk; its first
        func.max(case((changes.c.kiosk_id.is_(None), changes.c.seq))).over(
            partition_by=entity).label("last_public"),
        func.max(changes.c.seq).over(partition_by=(*entity, changes.c.kiosk_id)).label(
            "last_same_kiosk"),
        func.min(changes.c.seq).over(partition_by=entity).label("first"),
    ).where(changes.c.community_id == community_id, changes.c.seq <= last_seq).subquery()
    # Seen by everyone who could see this one: a later public change, or a later one for the
    # same kiosk when this one is that kiosk's alone.
    superseded = or_(ranked.c.last_public > ranked.c.seq,
                     and_(ranked.c.kiosk_id.is_not(None), ranked.c.last_same_kiosk > ranked.c.seq))
    kept_first = or_(ranked.c.kind.not_in(REFERRED), ranked.c.first < ranked.c.seq)
    return conn.execute(delete(changes).where(
        changes.c.community_id == community_id,
        changes.c.seq.in_(select(ranked.c.seq).where(superseded, kept_first)))).rowcount


def _retire(conn: Connection, community_id: str, last_seq: int,
            before: dt.datetime) -> tuple[int, int]:
    """Drop the changes of history older than `before`: (how many, the highest seq dropped)."""
    day = before.date().isoformat()
    stamp = clock.stamp(before)
    old_slots = select(meal_slots.c.id).where(
        meal_slots.c.community_id == community_id, meal_slots.c.day < day).union_all(
        select(service_slots.c.id).where(service_slots.c.community_id == community_id,
                                         service_slots.c.day < day))

    def of_old_slot(table):
        """The change's entity is a row of `table` for a slot over: asked by its key, change
        by change. Not `entity_id IN (every such row)`: PostgreSQL hashes that list only
        while it fits in work_mem, and searched it through for each change when it did not
        (six months of bookings: minutes, holding the feed head)."""
        return exists().where(table.c.community_id == community_id,
                              table.c.id == changes.c.entity_id, table.c.slot_id.in_(old_slots))

    retired = and_(
        changes.c.community_id == community_id, changes.c.seq <= last_seq,
        or_(and_(changes.c.kind.in_(("meal_slot", "service_slot")),
                 changes.c.entity_id.in_(old_slots)),
            and_(changes.c.kind == "booking", of_old_slot(bookings)),
            and_(changes.c.kind == "attendance", of_old_slot(attendance)),
            and_(changes.c.kind == "lease", of_old_slot(leases)),
            and_(changes.c.kind.in_(("rating", "complaint")), changes.c.created_at < stamp)))
    highest = conn.execute(select(func.max(changes.c.seq)).where(retired)).scalar() or 0
    if not highest:
        return 0, 0
    return conn.execute(delete(changes).where(retired)).rowcount, highest
