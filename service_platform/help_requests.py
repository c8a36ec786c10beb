"""Help requests from the kiosk's help button, and staff acknowledging and resolving them."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Connection, RowMapping, insert, select, update

from service_platform import clock, entities, feed
from service_platform.auth import Kiosk
from service_platform.bookings import Outcome
from service_platform.feed import Change
from service_platform.models import HelpCreate, HelpUpdate
from service_platform.schema import help_requests

STATES = ("open", "acknowledged", "resolved")  # only ever forward


def create(conn: Connection, kiosk: Kiosk, order: HelpCreate, now: dt.datetime) -> Outcome:
    """Store a help request; never refused for a business reason (it must reach staff)."""
    help_id = str(order.id)
    existing = get(conn, kiosk.community_id, help_id)
    if existing is not None:
        same = (existing["elder_id"], existing["kind"]) == (order.elder_id, order.kind)
        return _answer(existing) if same else Outcome.rejected("duplicate")
    conn.execute(insert(help_requests).values(
        community_id=kiosk.community_id, id=help_id, elder_id=order.elder_id, kind=order.kind,
        state="open", staff_id=order.staff_id, kiosk_id=kiosk.id,
        created_at=order.created_at.isoformat(), received_at=clock.stamp(now)))
    return _fed(conn, kiosk.community_id, help_id)


def update_state(conn: Connection, kiosk: Kiosk, order: HelpUpdate,
                 at: dt.datetime) -> Outcome:
    """Move a request forward to acknowledged or resolved; `at` is when staff did it."""
    help_id = str(order.id)
    existing = get(conn, kiosk.community_id, help_id, lock=True)
    if existing is None:
        return Outcome.rejected("unknown_help")
    if STATES.index(order.state) <= STATES.index(existing["state"]):
        return _answer(existing)
    stamp = at.isoformat()
    values = {"state": order.state, f"{order.state}_by": order.staff_id,
              f"{order.state}_at": stamp}
    conn.execute(update(help_requests).where(
        help_requests.c.community_id == kiosk.community_id,
        help_requests.c.id == help_id).values(**values))
    return _fed(conn, kiosk.community_id, help_id)


def get(conn: Connection, community_id: str, help_id: str,
        lock: bool = False) -> RowMapping | None:
    query = select(help_requests).where(help_requests.c.community_id == community_id,
                                        help_requests.c.id == help_id)
    return conn.execute(query.with_for_update() if lock else query).mappings().first()


def _fed(conn: Connection, community_id: str, help_id: str) -> Outcome:
    row = get(conn, community_id, help_id)
    feed.append(conn, community_id, [Change("help_request", help_id, entities.help_request(row))])
    return _answer(row)


def _answer(row: RowMapping) -> Outcome:
    return Outcome("applied", data={"help_id": row["id"], "state": row["state"]})
