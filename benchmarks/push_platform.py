"""Push throughput of the platform alone, over HTTP, on SQLite or a throwaway PostgreSQL.

    .venv/bin/python benchmarks/push_platform.py [--ops 20000] [--kiosks 1] [--postgres]
    .venv/bin/python benchmarks/push_platform.py --in-process   # no HTTP: for a profiler

Meal bookings in batches of --batch, as a kiosk sends them (no kiosk code involved). With
--kiosks N, N kiosks push at the same time, each batch walking the same slots in its own order
(half of them backwards), with less capacity than bookings: the case where row locks taken in
operation order would deadlock. At the end it checks that no slot holds more than its capacity
and every operation got one result. --postgres starts a throwaway cluster with fsync on (as in
production); --no-fsync runs it as the tests do.
"""
from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select  # noqa: E402

from elder_wire.operations import PushRequest  # noqa: E402
from service_platform import auth, catalogue, migrations, operations, operators  # noqa: E402
from service_platform.db import Database  # noqa: E402
from service_platform.schema import applied_ops, bookings, meal_slots  # noqa: E402
from tests.platform.servers import PlatformProcess, PostgresCluster, postgres_bindir  # noqa: E402
from tests.platform.wire import KioskClient  # noqa: E402

TZ = ZoneInfo("Asia/Shanghai")
COMMUNITY = "bench"


def prepare(db: Database, elders: int, slots: int, capacity: int) -> list[str]:
    migrations.migrate(db)
    operators.add_community(db, COMMUNITY, "基准测试社区")
    people = [{"id": f"elder-{n:05d}", "card_no": f"7{n:07d}", "name": f"长者{n}", "phone": "",
               "address": "", "subsidy_level": "basic", "delivery_allowed": True,
               "home_visit_allowed": False, "dietary": [], "active": True}
              for n in range(elders)]
    db.run_write(lambda conn: catalogue.put_elders(conn, COMMUNITY, people))
    first = dt.datetime.now(TZ).date() + dt.timedelta(days=2)
    ids = []
    for n in range(slots):
        day, meal = first + dt.timedelta(days=n // 2), ("lunch", "dinner")[n % 2]
        ids.append(f"meal:{day}:{meal}")
        operators.add_meal_slot(db, COMMUNITY, {
            "id": ids[-1], "day": day.isoformat(), "meal": meal,
            "cutoff": dt.datetime.combine(day, dt.time(9, 30), TZ).isoformat(),
            "capacity": capacity, "price_cents": 1500, "menu": []})
    return ids


def booking(elder: str, slot: str) -> dict:
    created = dt.datetime.now(TZ).isoformat(timespec="seconds")
    return {"op_id": str(uuid.uuid4()), "type": "booking.create", "created_at": created,
            "payload": {"id": str(uuid.uuid4()), "elder_id": elder, "service": "meal",
                        "slot_id": slot, "mode": "pickup", "price_cents": 1500,
                        "subsidy_cents": 300, "staff_id": None, "created_at": created}}


def batches_of(kiosk: int, kiosks: int, ops: int, batch: int, elders: int,
               slots: list[str]) -> list[list[dict]]:
    """This kiosk's share of the bookings (each elder once per slot); odd kiosks walk the
    slots backwards."""
    mine = [booking(f"elder-{n // len(slots):05d}", slots[n % len(slots)])
            for n in range(kiosk, ops, kiosks)]  # each batch walks all slots in turn
    if kiosk % 2:
        mine.reverse()
    return [mine[i:i + batch] for i in range(0, len(mine), batch)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ops", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--elders", type=int, default=1000)
    parser.add_argument("--kiosks", type=int, default=1)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--no-fsync", action="store_true", help="PostgreSQL as the tests run it")
    parser.add_argument("--in-process", action="store_true", help="call operations.push directly")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="push-bench-") as tmp:
        base = Path(tmp)
        cluster = None
        if args.postgres:
            bindir = postgres_bindir()
            if bindir is None:
                sys.exit("PostgreSQL binaries are not installed (scripts/setup.sh --test)")
            cluster = PostgresCluster(bindir, durable=not args.no_fsync).start()
            target = cluster.new_database()
        else:
            target = str(base / "platform.sqlite3")
        db = Database(target)
        process = None
        try:
            slots_needed = -(-args.ops // args.elders)
            # Several kiosks: each slot has room for half of what they ask, so some are "full".
            capacity = args.elders if args.kiosks == 1 else args.elders // 2
            slots = prepare(db, args.elders, slots_needed, capacity)
            work = [batches_of(k, args.kiosks, args.ops, args.batch, args.elders, slots)
                    for k in range(args.kiosks)]
            if not args.in_process:
                process = PlatformProcess(target, base, demo=False).start()
            pushers = [pusher(db, process, batches) for batches in work]
            began = time.perf_counter()
            threads = [threading.Thread(target=p) for p in pushers[1:]]
            for thread in threads:
                thread.start()
            pushers[0]()  # in this thread: where a profiler looks
            for thread in threads:
                thread.join()
            took = time.perf_counter() - began
            failures = [p.failure for p in pushers if p.failure]
            if failures:
                print("FAILED:", *failures, sep="\n  ")
                return 1
            backend = "PostgreSQL" + (" (fsync off)" if args.no_fsync else "") \
                if args.postgres else "SQLite (WAL, synchronous=FULL)"
            print(f"{backend}, {'in process' if args.in_process else 'HTTP'}, "
                  f"{args.kiosks} kiosk(s), batches of {args.batch}: {args.ops} operations "
                  f"in {took:.2f} s = {args.ops / took:,.0f} operations/s")
            print(check(db, args.ops, capacity, pushers))
            if process is not None:
                retries = process.log().count("transient database error")
                print(f"transient errors retried (deadlocks, serialization): {retries}")
        finally:
            if process is not None:
                process.stop()
            db.dispose()
            if cluster is not None:
                cluster.stop()
    return 0


class pusher:
    """One kiosk pushing its batches one after the other, as its sync engine does."""

    def __init__(self, db: Database, process: PlatformProcess | None,
                 batches: list[list[dict]]) -> None:
        self.batches = batches
        self.results: list[dict] = []
        self.failure = ""
        kiosk_id, code = operators.add_kiosk(db, COMMUNITY, "bench")
        if process is None:
            token = db.run_write(lambda conn: auth.enrol(conn, code, None))[1]
            self.kiosk = auth.Kiosk(kiosk_id, COMMUNITY, "bench")
            self.db, self.client = db, None
        else:
            answer = KioskClient(process.base_url, None).post("/v1/enrol", {"code": code})
            token = answer.json()["token"]
            self.client = KioskClient(process.base_url, token)
        del token

    def __call__(self) -> None:
        try:
            for batch in self.batches:
                if self.client is None:
                    ops = PushRequest.model_validate({"operations": batch}).operations
                    self.results += [r.model_dump() for r in operations.push(
                        self.db, self.kiosk, ops)]
                else:
                    answer = self.client.post("/v1/push", {"operations": batch})
                    if answer.status_code != 200:
                        raise RuntimeError(f"{answer.status_code} {answer.text[:200]}")
                    self.results += answer.json()["results"]
        except Exception as exc:  # reported by main
            self.failure = f"{type(exc).__name__}: {exc}"


def check(db: Database, ops: int, capacity: int, pushers: list[pusher]) -> str:
    results = [r for p in pushers for r in p.results]
    applied = sum(r["status"] == "applied" for r in results)
    with db.read() as conn:
        stored = conn.execute(select(func.count()).select_from(applied_ops)).scalar_one()
        held = conn.execute(select(bookings.c.slot_id, func.count()).where(
            bookings.c.status == "confirmed").group_by(bookings.c.slot_id)).all()
        slots = conn.execute(select(func.count()).select_from(meal_slots)).scalar_one()
    fullest = max((n for _, n in held), default=0)
    assert len(results) == ops == stored, (len(results), ops, stored)
    assert sum(n for _, n in held) == applied, "a booking without its applied result"
    assert fullest <= capacity, f"a slot holds {fullest} > capacity {capacity}"
    return (f"checked: {ops} results and stored operations, {applied} applied "
            f"({ops - applied} rejected full), fullest of {slots} slots {fullest}/{capacity}")


if __name__ == "__main__":
    sys.exit(main())
