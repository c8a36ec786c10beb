"""A district's platform database for the platform benchmarks, written straight into its tables.

One community (or several) of elders with real Chinese names (names.py), two meals a day, and
months of history as the platform itself would have written it: each booking made (confirmed),
a few cancelled, the rest completed after their day, every change in the feed in the order it
happened. Pushing half a million bookings through the API would take longer than the
benchmarks themselves, so the rows are inserted in bulk, with the platform's own entity shapes.
"""
from __future__ import annotations

import datetime as dt
import json
import random
import uuid
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import event, insert, select, update

from benchmarks.names import people
from service_platform import auth, catalogue, clock, entities, migrations, operators
from service_platform.db import Database
from service_platform.schema import bookings, changes, elders, feed_heads, kiosks, meal_slots

TZ = ZoneInfo("Asia/Shanghai")
COMMUNITY = "bench-district"
SERVICE_DAYS_AHEAD = 3  # bookings already made for the coming days


@dataclass
class District:
    community_id: str
    elders: int
    bookings: int
    feed: int  # changes in the feed


def build(db: Database, community_id: str = COMMUNITY, elders: int = 20_000,
          history_days: int = 182, bookings_total: int = 500_000, seed: int = 1) -> District:
    """A community with `bookings_total` bookings spread over `history_days` days before today
    and a few days ahead, and the feed that recorded them."""
    migrations.migrate(db)
    _fast(db)
    operators.add_community(db, community_id, "幸福社区（基准）")
    rng = random.Random(seed)
    register = [{"id": f"elder-{p.number:05d}", "card_no": p.card, "name": p.name,
                 "phone": p.phone, "address": p.address,
                 "subsidy_level": rng.choice(("none", "basic", "basic", "enhanced")),
                 "delivery_allowed": rng.random() < 0.3, "home_visit_allowed": False,
                 "dietary": rng.choice(([], [], ["low_salt"], ["diabetic"])), "active": True}
                for p in people(elders, seed)]
    _put_elders(db, community_id, register)
    today = dt.datetime.now(TZ).date()
    days = [today - dt.timedelta(days=n) for n in range(history_days, 0, -1)] + \
           [today + dt.timedelta(days=n) for n in range(SERVICE_DAYS_AHEAD + 1)]
    slots = [(day, meal) for day in days for meal in ("lunch", "dinner")]
    db.run_write(lambda conn: catalogue.put_meal_slots(conn, community_id, [
        {"id": f"meal:{day}:{meal}", "day": day.isoformat(), "meal": meal,
         "cutoff": dt.datetime.combine(day, dt.time(9, 30) if meal == "lunch"
                                       else dt.time(15, 0), TZ).isoformat(),
         "capacity": 2000, "price_cents": 1500,
         "menu": [{"name": "米饭", "tags": []}, {"name": "清蒸鱼", "tags": ["low_salt"]}]}
        for day, meal in slots]))
    per_slot = max(1, bookings_total // len(slots))
    kiosk_ids = [f"kiosk-bench-{n:02d}" for n in range(8)]
    with db.write() as conn:
        seq = conn.execute(select(feed_heads.c.last_seq).where(
            feed_heads.c.community_id == community_id)).scalar_one()
        rows, feed = [], []
        later: list[tuple[dt.date, dict]] = []  # (when it changes again, the row)
        for day, meal in slots:
            due = [(when, row) for when, row in later if when <= day]
            later = [(when, row) for when, row in later if when > day]
            for _when, row in due:  # yesterday's bookings completed (or cancelled before)
                seq += 1
                feed.append(_change(community_id, seq, row))
            chosen = rng.sample(range(elders), min(per_slot, elders))
            for n in chosen:
                made = dt.datetime.combine(day - dt.timedelta(days=1), dt.time(10), TZ)
                row = _booking(community_id, register[n]["id"], f"meal:{day}:{meal}",
                               rng.choice(kiosk_ids), made, rng)
                rows.append(row)
                seq += 1
                feed.append(_change(community_id, seq, row))
                if day < today:
                    done = dict(row, status="cancelled" if rng.random() < 0.05 else "completed",
                                updated_at=clock.stamp(made + dt.timedelta(days=1)))
                    rows[-1] = done
                    later.append((day + dt.timedelta(days=1), done))
            if len(rows) > 20_000:
                _flush(conn, rows, feed)
        for _when, row in later:
            seq += 1
            feed.append(_change(community_id, seq, row))
        _flush(conn, rows, feed)
        conn.execute(update(feed_heads).where(feed_heads.c.community_id == community_id)
                     .values(last_seq=seq))
    with db.read() as conn:
        total = conn.execute(select(feed_heads.c.last_seq).where(
            feed_heads.c.community_id == community_id)).scalar_one()
    return District(community_id, elders, per_slot * len(slots), total)


def _fast(db: Database) -> None:
    """SQLite: no fsync while the benchmark's data is written (it is thrown away after); the
    connections made from now on (pass a Database of the builder's own)."""
    if db.is_sqlite:
        db.engine.dispose()
        event.listen(db.engine, "connect",
                     lambda dbapi, _record: dbapi.execute("PRAGMA synchronous=OFF"))


def _put_elders(db: Database, community_id: str, register: list[dict]) -> None:
    """As catalogue.put_elders writes them (rows and feed), in bulk."""
    stamp = clock.stamp(clock.now())
    rows = [{**person, "community_id": community_id, "updated_at": stamp,
             "dietary": json.dumps(person["dietary"], ensure_ascii=False), "mobility": None,
             "emergency_contact": None, "updated_by": None, "notify_family": False}
            for person in register]
    with db.write() as conn:
        seq = conn.execute(select(feed_heads.c.last_seq).where(
            feed_heads.c.community_id == community_id)).scalar_one()
        conn.execute(insert(elders), rows)
        conn.execute(insert(changes), [
            {"community_id": community_id, "seq": seq + n, "kind": "elder",
             "entity_id": row["id"], "op": "upsert",
             "data": json.dumps(entities.elder(row), ensure_ascii=False), "kiosk_id": None,
             "created_at": stamp} for n, row in enumerate(rows, start=1)])
        conn.execute(update(feed_heads).where(feed_heads.c.community_id == community_id)
                     .values(last_seq=seq + len(rows)))


def _booking(community_id: str, elder_id: str, slot_id: str, kiosk_id: str,
             made: dt.datetime, rng: random.Random) -> dict:
    stamp = clock.stamp(made)
    return {"id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "community_id": community_id, "elder_id": elder_id, "service": "meal",
            "slot_id": slot_id, "mode": rng.choice(("dine_in", "pickup", "pickup")),
            "price_cents": 1500, "subsidy_cents": 300, "staff_id": None,
            "status": "confirmed", "kiosk_id": kiosk_id, "lease_id": None,
            "op_id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "cancel_reason": None, "created_at": made.isoformat(), "received_at": stamp,
            "updated_at": stamp, "kind": None, "needs": None, "department": None, "units": 1,
            "provider_id": None, "completed_at": None, "waitlist_position": None}


def _change(community_id: str, seq: int, row: dict) -> dict:
    return {"community_id": community_id, "seq": seq, "kind": "booking", "entity_id": row["id"],
            "op": "upsert", "data": json.dumps(entities.booking(row), ensure_ascii=False),
            "kiosk_id": None, "created_at": row["updated_at"]}


def _flush(conn, rows: list[dict], feed: list[dict]) -> None:
    # A booking's row is written as it ends up; its feed tells the story.
    if rows:
        conn.execute(insert(bookings), rows)
    if feed:
        conn.execute(insert(changes), feed)
    rows.clear()
    feed.clear()


def enrolled_kiosks(db: Database, community_ids: list[str], per_community: int) -> list[str]:
    """Device tokens of `per_community` kiosks in each community, enrolled in one go."""
    now = clock.stamp(clock.now())
    tokens, rows = [], []
    for community_id in community_ids:
        for n in range(per_community):
            token = auth.TOKEN_PREFIX + uuid.uuid4().hex
            tokens.append(token)
            rows.append({"id": f"kiosk-{uuid.uuid4().hex[:12]}", "community_id": community_id,
                         "name": f"终端{n + 1}", "code_hash": None,
                         "code_expires_at": now, "token_hash": auth.secret_hash(token),
                         "enrolled_at": now, "created_at": now})
    with db.write() as conn:
        for start in range(0, len(rows), 5000):
            conn.execute(insert(kiosks), rows[start:start + 5000])
    return tokens


def open_slot(db: Database, community_id: str, days_ahead: int = 2) -> str:
    """A meal slot open for booking (its cut-off to come), with room for everyone."""
    day = dt.datetime.now(TZ).date() + dt.timedelta(days=days_ahead)
    slot_id = f"meal:{day}:lunch"
    with db.read() as conn:
        there = conn.execute(select(meal_slots.c.id).where(
            meal_slots.c.community_id == community_id, meal_slots.c.id == slot_id)).first()
    if there is None:
        operators.add_meal_slot(db, community_id, {
            "id": slot_id, "day": day.isoformat(), "meal": "lunch",
            "cutoff": dt.datetime.combine(day, dt.time(9, 30), TZ).isoformat(),
            "capacity": 1_000_000, "price_cents": 1500, "menu": []})
    return slot_id
