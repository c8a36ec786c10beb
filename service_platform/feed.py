"""The append-only change feed: each community's changes in seq order, paged for pulling."""
from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, RowMapping, bindparam, func, insert, or_, select, update

from service_platform import clock, db, json_text
from service_platform.schema import changes, feed_heads


@dataclass(frozen=True)
class Change:
    kind: str
    entity_id: str
    data: dict[str, Any] | None  # None means the entity was removed
    kiosk_id: str | None = None  # only this kiosk may see it


_DEFERRED = "platform_feed_deferred"


def append(conn: Connection, community_id: str, items: Iterable[Change]) -> None:
    """Add changes at the end of the community's feed.

    Call it after every other lock of the transaction is held: the feed head's row lock is held
    until commit, so seqs become visible in order. Within `deferred(conn)` the changes are only
    collected, and written by `write_deferred` at the end of the transaction.
    """
    pending: list[tuple[str, Change]] | None = conn.info.get(_DEFERRED)
    if pending is not None:
        pending.extend((community_id, item) for item in items)
        return
    _write(conn, community_id, list(items))


@contextmanager
def deferred(conn: Connection) -> Iterator[list[tuple[str, Change]]]:
    """Collect the changes `append` is given instead of writing them; yields the list, in order.

    A batch of pushed operations appends its changes in one go at its end (`write_deferred`):
    one update of the feed head, whose lock is then taken last and held only until commit, as
    `append` asks. Truncating the list undoes the appends of an operation rolled back.
    """
    pending: list[tuple[str, Change]] = []
    conn.info[_DEFERRED] = pending
    try:
        yield pending
    finally:
        conn.info.pop(_DEFERRED, None)


def write_deferred(conn: Connection, pending: list[tuple[str, Change]]) -> None:
    """Write what `deferred` collected: each community's changes in the order appended."""
    by_community: dict[str, list[Change]] = {}
    for community_id, item in pending:
        by_community.setdefault(community_id, []).append(item)
    for community_id in sorted(by_community):  # one lock order for the feed heads too
        _write(conn, community_id, by_community[community_id])


def _write(conn: Connection, community_id: str, items: list[Change]) -> None:
    if not items:
        return
    head = feed_heads.c.community_id == community_id
    conn.execute(update(feed_heads).where(head).values(last_seq=feed_heads.c.last_seq + len(items)))
    last = conn.execute(select(feed_heads.c.last_seq).where(head)).scalar_one()
    created = clock.stamp(clock.now())
    encode = _data_json
    db.insert_rows(conn, changes, _COLUMNS, [
        (community_id, seq, item.kind, item.entity_id,
         "upsert" if item.data is not None else "delete",
         None if item.data is None else encode(item.data), item.kiosk_id, created)
        for seq, item in enumerate(items, start=last - len(items) + 1)
    ])


_COLUMNS = ("community_id", "seq", "kind", "entity_id", "op", "data", "kiosk_id", "created_at")
# json.dumps(data, ensure_ascii=False, separators=(",", ":")): no spaces, a tenth of a
# booking's change (each pushed booking writes one, and every kiosk pulls it)
_data_json = json_text.writer(ensure_ascii=False, separators=(",", ":"))


# The pull's two queries, built once (every kiosk pulls every 30 s; building a statement
# costs more than SQLite takes to run it).
_HEAD = db.CursorRead(select(feed_heads.c.last_seq, feed_heads.c.horizon).where(
    feed_heads.c.community_id == bindparam("community_id")))
_PAGE = select(changes).where(
    changes.c.community_id == bindparam("community_id"),
    changes.c.seq > bindparam("since"),
    or_(changes.c.kiosk_id.is_(None), changes.c.kiosk_id == bindparam("kiosk_id")),
).order_by(changes.c.seq).limit(bindparam("rows"))


def head(conn: Connection, community_id: str) -> tuple[int, int]:
    """(the newest seq, the horizon below which the feed was compacted: compaction.py)."""
    row = _HEAD.first(conn, {"community_id": community_id})
    return (row[0], row[1]) if row is not None else (0, 0)


def latest_seq(conn: Connection, community_id: str) -> int:
    seq = conn.execute(select(feed_heads.c.last_seq).where(
        feed_heads.c.community_id == community_id)).scalar()
    return seq or 0


def start(conn: Connection, community_id: str) -> None:
    conn.execute(insert(feed_heads).values(community_id=community_id, last_seq=0))


def page(conn: Connection, community_id: str, kiosk_id: str, since: int,
         limit: int) -> tuple[list[dict], int, bool]:
    """Changes after `since` that this kiosk may see: (changes, next cursor, more to come)."""
    rows, cursor, more = _page_rows(conn, community_id, kiosk_id, since, limit)
    return [_wire(row) for row in rows], cursor, more


def page_json(conn: Connection, community_id: str, kiosk_id: str, since: int,
              limit: int) -> tuple[str, int, bool]:
    """`page`'s changes as the JSON array the API answers with, its `data` written as stored
    (JSON already): a page of 1,000 is not parsed and written again, nor validated."""
    rows, cursor, more = _page_rows(conn, community_id, kiosk_id, since, limit)
    items = [json.dumps({"seq": row["seq"], "kind": row["kind"], "id": row["entity_id"],
                         "op": row["op"]}, ensure_ascii=False)[:-1]
             + ',"data":' + (row["data"] if row["data"] is not None else "null") + "}"
             for row in rows]
    return "[" + ",".join(items) + "]", cursor, more


def _page_rows(conn: Connection, community_id: str, kiosk_id: str, since: int,
               limit: int) -> tuple[list[RowMapping], int, bool]:
    rows = conn.execute(_PAGE, {"community_id": community_id, "since": since,
                                "kiosk_id": kiosk_id, "rows": limit + 1}).mappings().all()
    more = len(rows) > limit
    rows = rows[:limit]
    cursor = rows[-1]["seq"] if rows else since
    return rows, cursor, more


def _wire(row: RowMapping) -> dict:
    return {"seq": row["seq"], "kind": row["kind"], "id": row["entity_id"], "op": row["op"],
            "data": None if row["data"] is None else json.loads(row["data"])}


def count(conn: Connection, community_id: str) -> int:
    return conn.execute(select(func.count()).select_from(changes).where(
        changes.c.community_id == community_id)).scalar_one()
