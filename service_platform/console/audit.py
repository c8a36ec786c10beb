"""The operators' audit log: every action, every sign-in attempt; lines never change."""
from __future__ import annotations

import json

from sqlalchemy import Connection, insert, select

from service_platform import clock
from service_platform.schema import operator_audit


def record(conn: Connection, operator_id: str | None, username: str, action: str,
           subject: str = "", community_id: str | None = None,
           detail: dict | None = None) -> None:
    """One line; `detail` holds ids and codes, never personal data."""
    conn.execute(insert(operator_audit).values(
        at=clock.stamp(clock.now()), operator_id=operator_id, username=username[:64],
        action=action, community_id=community_id, subject=subject[:200],
        detail=None if detail is None else json.dumps(detail, ensure_ascii=False,
                                                      sort_keys=True)))


def lines(conn: Connection, community_ids: list[str] | None, limit: int = 200,
          before_id: int | None = None, action: str | None = None) -> list[dict]:
    """Newest first. A scoped reader sees the lines of its communities."""
    query = select(operator_audit).order_by(operator_audit.c.id.desc()).limit(limit)
    if before_id is not None:
        query = query.where(operator_audit.c.id < before_id)
    if action:
        query = query.where(operator_audit.c.action == action)
    if community_ids is not None:
        query = query.where(operator_audit.c.community_id.in_(community_ids))
    return [dict(row) for row in conn.execute(query).mappings()]
