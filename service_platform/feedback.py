"""What elders say about services: one rating per done booking, counted per provider.
(Complaints, with their life to the end, are in complaints.py.)"""
from __future__ import annotations

import datetime as dt
import json
from collections import Counter

from sqlalchemy import Connection, RowMapping, insert, select

from elder_wire.operations import RatingCreate
from service_platform import bookings, clock, completion, entities, feed, services
from service_platform.auth import Kiosk
from service_platform.bookings import Outcome
from service_platform.feed import Change
from service_platform.schema import ratings

SCORES = ("satisfied", "neutral", "unsatisfied")


def rate(conn: Connection, kiosk: Kiosk, order: RatingCreate, now: dt.datetime) -> Outcome:
    rating_id = str(order.id)
    existing = _get(conn, ratings, kiosk.community_id, rating_id)
    if existing is not None:
        same = (existing["booking_id"], existing["elder_id"], existing["score"]) == (
            str(order.booking_id), order.elder_id, order.score)
        return _rated(existing) if same else Outcome.rejected("duplicate")
    booking = bookings.get_booking(conn, kiosk.community_id, str(order.booking_id))
    if booking is None:
        return Outcome.rejected("unknown_booking")
    if booking["elder_id"] != order.elder_id:
        return Outcome.rejected("not_allowed")
    if not completion.is_done(conn, booking, now):
        return Outcome.rejected("not_done")
    provider_id = booking["provider_id"] or _provider_id(conn, booking)
    if provider_id is not None:
        services.lock_provider(conn, kiosk.community_id, provider_id)  # one recount at a time
    if conn.execute(select(ratings.c.id).where(
            ratings.c.community_id == kiosk.community_id,
            ratings.c.booking_id == booking["id"])).first() is not None:
        return Outcome.rejected("duplicate")
    conn.execute(insert(ratings).values(
        community_id=kiosk.community_id, id=rating_id, booking_id=booking["id"],
        elder_id=order.elder_id, provider_id=provider_id, score=order.score,
        reasons=json.dumps(order.reasons), staff_id=order.staff_id, kiosk_id=kiosk.id,
        created_at=order.created_at.isoformat(), received_at=clock.stamp(now)))
    row = _get(conn, ratings, kiosk.community_id, rating_id)
    changes = [Change("rating", rating_id, entities.rating(row))]
    if provider_id is not None:
        changes.append(Change("provider_rating", provider_id,
                              provider_ratings(conn, kiosk.community_id, provider_id)))
    feed.append(conn, kiosk.community_id, changes)
    return _rated(row)


def _rated(row: RowMapping) -> Outcome:
    return Outcome("applied", data={"rating_id": row["id"], "provider_id": row["provider_id"]})


def provider_ratings(conn: Connection, community_id: str, provider_id: str) -> dict:
    """A provider's ratings counted by score and by reason."""
    rows = conn.execute(select(ratings.c.score, ratings.c.reasons).where(
        ratings.c.community_id == community_id, ratings.c.provider_id == provider_id)).all()
    scores = Counter(row.score for row in rows)
    reasons = Counter(code for row in rows for code in json.loads(row.reasons))
    return {"provider_id": provider_id, **{score: scores[score] for score in SCORES},
            "total": len(rows), "reasons": dict(sorted(reasons.items()))}


def _provider_id(conn: Connection, booking: RowMapping) -> str | None:
    """For bookings made before providers existed: the service's provider now."""
    provider = services.provider_for(conn, booking["community_id"], booking["service"])
    return None if provider is None else provider["id"]


def _get(conn: Connection, table, community_id: str, item_id: str) -> RowMapping | None:
    return conn.execute(select(table).where(
        table.c.community_id == community_id, table.c.id == item_id)).mappings().first()
