"""Push throughput of the platform, over HTTP, on SQLite and on PostgreSQL (fsync on).

A kiosk pushes meal bookings of a 20,000-elder community (real names) in batches of 500, as
its sync engine does, to a platform process; each round pushes 1,000 and then 10,000 new
operations. Reference: the same rows (the bookings, their stored results and their feed
changes) inserted directly into the same database in transactions of 500, with no HTTP, no
validation and no rules — what the database itself allows on this machine.

- `push_ops_per_s` (SQLite) and `push_ops_per_s_pg` (PostgreSQL): operations per second at
  10,000 operations; `…_1k` and `…_10k` both, to show the rate does not fall with size.
- `push_ops_per_s_pg_4kiosks`: four kiosks pushing at once into slots with room for half of
  what they ask, each walking the slots in its own order (half of them backwards) — the case
  where locks taken in operation order would deadlock. Checked after every run: every
  operation has one result and one stored row, no slot holds more than its capacity.

    .venv/bin/python -m benchmarks.platform_push --concurrent [--kiosks 4] [--ops 8000]
runs that check alone (on PostgreSQL).
"""
from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

from sqlalchemy import func, insert, select

from benchmarks import district, harness
from benchmarks.names import people
from service_platform import clock, entities, migrations, operators
from service_platform.db import Database
from service_platform.schema import applied_ops, bookings, changes, feed_heads, meal_slots
from tests.platform.servers import PlatformProcess, PostgresCluster, postgres_bindir
from tests.platform.wire import KioskClient

BATCH = 500
_days = itertools.count(2)


def run(rounds: int, smoke: bool) -> dict[str, harness.Figure]:
    elders = 2_000 if smoke else 20_000
    sizes = (100, 500) if smoke else (1_000, 10_000)
    figures: dict[str, harness.Figure] = {}
    with tempfile.TemporaryDirectory(prefix="bench-push-") as tmp:
        base = Path(tmp)
        figures.update(_backend("push_ops_per_s", str(base / "push.sqlite3"), base, elders,
                                sizes, rounds))
        bindir = postgres_bindir()
        if bindir is None:
            raise RuntimeError("PostgreSQL binaries are not installed (scripts/setup.sh --test)")
        cluster = PostgresCluster(bindir, durable=not smoke).start()
        try:
            figures.update(_backend("push_ops_per_s_pg", cluster.new_database(), base, elders,
                                    sizes, rounds))
            figures["push_ops_per_s_pg_4kiosks"] = _concurrent(
                cluster.new_database(), base, kiosks=4, ops=1_000 if smoke else 8_000,
                rounds=rounds)
        finally:
            cluster.stop()
    return figures


def _backend(name: str, target: str, base: Path, elders: int, sizes: tuple[int, int],
             rounds: int) -> dict[str, harness.Figure]:
    db = _community(target, elders)
    process = PlatformProcess(target, base, demo=False).start()
    try:
        kiosk = _enrol(db, process)
        _push(db, kiosk, elders, BATCH)  # warm: the first connection, statements prepared
        _direct(db, elders, BATCH)
        small, large = sizes
        runs: dict[tuple, list[float]] = {(kind, size): [] for kind in ("push", "direct")
                                          for size in sizes}
        for _ in range(rounds):
            for size in sizes:  # interleaved: push, then the same rows directly
                runs["push", size].append(_push(db, kiosk, elders, size))
                runs["direct", size].append(_direct(db, elders, size))
    finally:
        process.stop()
        db.dispose()
    note = f"HTTP, batches of {BATCH}, {elders:,} elders"
    backend = "PostgreSQL (fsync on)" if "://" in target else "SQLite (WAL, synchronous=FULL)"
    flat = min(runs["push", large]) and \
        sorted(runs["push", large])[len(runs["push", large]) // 2] / \
        sorted(runs["push", small])[len(runs["push", small]) // 2]
    return {
        name: harness.median_figure(runs["push", large], runs["direct", large], "ops/s",
                                    "≥ 5000", f"{backend}, {large:,} operations; {note}; "
                                    f"{large:,} against {small:,}: {flat:.2f}"),
        f"{name}_1k": harness.median_figure(runs["push", small], runs["direct", small],
                                            "ops/s", "≥ 5000",
                                            f"{backend}, {small:,} operations; {note}"),
        f"{name}_10k": harness.median_figure(runs["push", large], runs["direct", large],
                                             "ops/s", "≥ 5000",
                                             f"{backend}, {large:,} operations; {note}"),
    }


def _community(target: str, elders: int) -> Database:
    builder = Database(target)
    migrations.migrate(builder)
    operators.add_community(builder, district.COMMUNITY, "幸福社区（基准）")
    district._put_elders(builder, district.COMMUNITY, [
        {"id": f"elder-{p.number:05d}", "card_no": p.card, "name": p.name, "phone": p.phone,
         "address": p.address, "subsidy_level": "basic", "delivery_allowed": True,
         "home_visit_allowed": False, "dietary": [], "active": True}
        for p in people(elders, seed=2)])
    builder.dispose()
    return Database(target)


def _enrol(db: Database, process: PlatformProcess) -> KioskClient:
    code = operators.add_kiosk(db, district.COMMUNITY, "基准终端")[1]
    answer = KioskClient(process.base_url, None).post("/v1/enrol", {"code": code})
    answer.raise_for_status()
    return KioskClient(process.base_url, answer.json()["token"])


def _orders(db: Database, elders: int, count: int) -> list[dict]:
    """`count` new bookings: each elder once per slot, on new slots of their own."""
    slots = [district.open_slot(db, district.COMMUNITY, next(_days))
             for _ in range(-(-count // elders))]
    created = dt.datetime.now(district.TZ).isoformat(timespec="seconds")
    return [{"op_id": str(uuid.uuid4()), "type": "booking.create", "created_at": created,
             "payload": {"id": str(uuid.uuid4()), "elder_id": f"elder-{n % elders:05d}",
                         "service": "meal", "slot_id": slots[n // elders], "mode": "pickup",
                         "price_cents": 1500, "subsidy_cents": 300, "staff_id": None,
                         "created_at": created}}
            for n in range(count)]


def _push(db: Database, kiosk: KioskClient, elders: int, count: int) -> float:
    ops = _orders(db, elders, count)
    bodies = [json.dumps({"operations": ops[i:i + BATCH]}) for i in range(0, count, BATCH)]
    began = time.perf_counter()
    for body in bodies:
        answer = kiosk.post("/v1/push", data=body, headers={"Content-Type": "application/json"})
        if answer.status_code != 200 or any(r["status"] != "applied"
                                            for r in answer.json()["results"]):
            raise RuntimeError(f"push failed: {answer.status_code} {answer.text[:300]}")
    return count / (time.perf_counter() - began)


def _direct(db: Database, elders: int, count: int) -> float:
    """The rows a push of `count` bookings leaves, inserted in transactions of BATCH."""
    ops = _orders(db, elders, count)
    now = clock.stamp(clock.now())
    began = time.perf_counter()
    for start in range(0, count, BATCH):
        batch = ops[start:start + BATCH]
        rows = [dict(id=op["payload"]["id"], community_id=district.COMMUNITY,
                     elder_id=op["payload"]["elder_id"], service="meal",
                     slot_id=op["payload"]["slot_id"], mode="pickup", price_cents=1500,
                     subsidy_cents=300, staff_id=None, status="confirmed",
                     kiosk_id="kiosk-direct", lease_id=None, op_id=op["op_id"],
                     cancel_reason=None, created_at=op["created_at"], received_at=now,
                     updated_at=now, kind=None, needs=None, department=None, units=1,
                     provider_id=None, completed_at=None, waitlist_position=None)
                for op in batch]
        with db.write() as conn:
            head = conn.execute(select(feed_heads.c.last_seq).where(
                feed_heads.c.community_id == district.COMMUNITY).with_for_update()
            ).scalar_one()
            conn.execute(insert(bookings), rows)
            conn.execute(insert(applied_ops), [
                dict(community_id=district.COMMUNITY, op_id=op["op_id"], kiosk_id="kiosk-direct",
                     type=op["type"], digest="0" * 64, payload=json.dumps(op["payload"]),
                     created_at=op["created_at"], received_at=now, status="applied",
                     reason=None, data=json.dumps({"booking_id": op["payload"]["id"]}))
                for op in batch])
            conn.execute(insert(changes), [
                dict(community_id=district.COMMUNITY, seq=head + n, kind="booking",
                     entity_id=row["id"], op="upsert",
                     data=json.dumps(entities.booking(row), ensure_ascii=False),
                     kiosk_id=None, created_at=now) for n, row in enumerate(rows, start=1)])
            conn.execute(feed_heads.update().where(
                feed_heads.c.community_id == district.COMMUNITY).values(
                last_seq=head + len(rows)))
    return count / (time.perf_counter() - began)


def _concurrent(target: str, base: Path, kiosks: int, ops: int, rounds: int) -> harness.Figure:
    """Kiosks pushing at once into the same slots; checked; reference: one kiosk alone."""
    elders = 1_000
    db = _community(target, elders)
    process = PlatformProcess(target, base, demo=False).start()
    try:
        values, references = harness.interleaved(
            lambda: _pushing_together(db, process, kiosks, ops, elders),
            lambda: _pushing_together(db, process, 1, ops, elders), rounds)
    finally:
        process.stop()
        db.dispose()
    return harness.median_figure(values, references, "ops/s", "", (
        f"PostgreSQL, {kiosks} kiosks at once, {ops:,} operations, half of them full; checked "
        "(one result each, capacity never exceeded, no deadlock); reference: one kiosk"))


def _pushing_together(db: Database, process: PlatformProcess, kiosks: int, ops: int,
                      elders: int) -> float:
    slots = [district.open_slot(db, district.COMMUNITY, next(_days))
             for _ in range(-(-ops // elders))]
    capacity = elders // 2 if kiosks > 1 else elders
    with db.write() as conn:
        conn.execute(meal_slots.update().where(meal_slots.c.community_id == district.COMMUNITY,
                                               meal_slots.c.id.in_(slots))
                     .values(capacity=capacity))
    created = dt.datetime.now(district.TZ).isoformat(timespec="seconds")
    shares = []
    for k in range(kiosks):
        mine = [{"op_id": str(uuid.uuid4()), "type": "booking.create", "created_at": created,
                 "payload": {"id": str(uuid.uuid4()), "elder_id": f"elder-{n // len(slots):05d}",
                             "service": "meal", "slot_id": slots[n % len(slots)],
                             "mode": "pickup", "price_cents": 1500, "subsidy_cents": 300,
                             "staff_id": None, "created_at": created}}
                for n in range(k, ops, kiosks)]
        if k % 2:
            mine.reverse()
        shares.append((_enrol(db, process), [mine[i:i + BATCH]
                                             for i in range(0, len(mine), BATCH)]))
    results: list[dict] = []
    failures: list[str] = []

    def push(client: KioskClient, batches: list[list[dict]]) -> None:
        try:
            for batch in batches:
                answer = client.post("/v1/push", {"operations": batch})
                if answer.status_code != 200:
                    raise RuntimeError(f"{answer.status_code} {answer.text[:200]}")
                results.extend(answer.json()["results"])
        except Exception as exc:  # reported below
            failures.append(f"{type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=push, args=share) for share in shares]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    took = time.perf_counter() - began
    if failures:
        raise RuntimeError("; ".join(failures))
    _check(db, slots, ops, capacity, results)
    return ops / took


def _check(db: Database, slots: list[str], ops: int, capacity: int,
           results: list[dict]) -> None:
    applied = sum(r["status"] == "applied" for r in results)
    ids = {r["op_id"] for r in results}
    with db.read() as conn:
        stored = conn.execute(select(func.count()).select_from(applied_ops).where(
            applied_ops.c.op_id.in_(ids))).scalar_one()
        held = conn.execute(select(bookings.c.slot_id, func.count()).where(
            bookings.c.slot_id.in_(slots), bookings.c.status == "confirmed",
        ).group_by(bookings.c.slot_id)).all()
    fullest = max((n for _, n in held), default=0)
    if not (len(results) == len(ids) == ops == stored):
        raise AssertionError(f"{len(results)} results, {stored} stored for {ops} operations")
    if sum(n for _, n in held) != applied:
        raise AssertionError("a booking without its applied result, or the other way round")
    if fullest > capacity:
        raise AssertionError(f"a slot holds {fullest} > capacity {capacity}")


def main() -> int:
    parser = argparse.ArgumentParser(description="concurrent kiosks pushing: the check alone")
    parser.add_argument("--concurrent", action="store_true", required=True)
    parser.add_argument("--kiosks", type=int, default=4)
    parser.add_argument("--ops", type=int, default=8_000)
    args = parser.parse_args()
    bindir = postgres_bindir()
    if bindir is None:
        sys.exit("PostgreSQL binaries are not installed (scripts/setup.sh --test)")
    cluster = PostgresCluster(bindir, durable=True).start()
    try:
        with tempfile.TemporaryDirectory(prefix="bench-push-") as tmp:
            figure = _concurrent(cluster.new_database(), Path(tmp), args.kiosks, args.ops, 1)
    finally:
        cluster.stop()
    print(f"{args.kiosks} kiosks: {figure.value:,.0f} operations/s, checked "
          f"(one kiosk: {figure.reference:,.0f}/s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
