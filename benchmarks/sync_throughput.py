"""Push and pull throughput of the kiosk's sync engine against a local platform process.

    .venv/bin/python benchmarks/sync_throughput.py [--ops 20000]

Makes a community with enough elders and meal slots for --ops bookings, writes them to a
kiosk's outbox (the booking code's own insert, all in one transaction: the benchmark measures
sync, not the elders' typing), pushes them, then lets a second, empty kiosk pull the community.
--postgres runs the platform on a throwaway PostgreSQL cluster (fsync on, as in production).
"""
from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kiosk.clock import Clock  # noqa: E402
from kiosk.config import load_settings  # noqa: E402
from kiosk.elders import get_elder  # noqa: E402
from kiosk.meals import MealBooking  # noqa: E402
from kiosk.store import Store  # noqa: E402
from kiosk.sync.engine import SyncEngine  # noqa: E402
from service_platform import catalogue, migrations, operators  # noqa: E402
from service_platform.db import Database  # noqa: E402
from tests.platform.servers import PlatformProcess, PostgresCluster, postgres_bindir  # noqa: E402

TZ = ZoneInfo("Asia/Shanghai")
COMMUNITY = "bench"


def prepare_platform(target: str, elders: int, slots: int) -> Database:
    db = Database(target)
    migrations.migrate(db)
    operators.add_community(db, COMMUNITY, "基准测试社区")
    people = [{"id": f"elder-{n:05d}", "card_no": f"7{n:07d}", "name": f"长者{n}", "phone": "",
               "address": "", "subsidy_level": "basic", "delivery_allowed": True,
               "home_visit_allowed": False, "dietary": [], "active": True}
              for n in range(elders)]
    db.run_write(lambda conn: catalogue.put_elders(conn, COMMUNITY, people))
    first = dt.datetime.now(TZ).date() + dt.timedelta(days=2)
    for n in range(slots):
        day, meal = first + dt.timedelta(days=n // 2), ("lunch", "dinner")[n % 2]
        operators.add_meal_slot(db, COMMUNITY, {
            "id": f"meal:{day}:{meal}", "day": day.isoformat(), "meal": meal,
            "cutoff": dt.datetime.combine(day, dt.time(9, 30), TZ).isoformat(),
            "capacity": elders, "price_cents": 1500, "menu": []})
    return db


def kiosk(base: Path, name: str, url: str, db: Database) -> SyncEngine:
    code = operators.add_kiosk(db, COMMUNITY, name)[1]
    settings = load_settings(base / "none.toml", data_dir=base / name, platform_url=url,
                             enrolment_code=code, lease_days=1)
    return SyncEngine(settings, Clock())


def write_bookings(engine: SyncEngine, count: int) -> None:
    store: Store = engine.store
    meals = MealBooking(store, engine.clock)
    slots = [r["id"] for r in store.query(
        "SELECT id FROM slots WHERE service = 'meal' ORDER BY id")]
    elders = [get_elder(store, r["id"]) for r in store.query("SELECT id FROM elders ORDER BY id")]
    now = engine.clock.now()
    with store.transaction() as conn:
        for n in range(count):
            quote = meals.quote(elders[n % len(elders)], slots[n // len(elders)], "pickup")
            meals._insert(conn, quote, now, None, None)


def time_platform_answers(engine: SyncEngine) -> dict[str, float]:
    """Wall time spent waiting for each path's answers, to tell kiosk from platform time."""
    client = engine.client()
    waited: dict[str, float] = {"/v1/push": 0.0}
    call = client._call

    def timed(method, path, **kwargs):
        began = time.perf_counter()
        try:
            return call(method, path, **kwargs)
        finally:
            waited[path] = waited.get(path, 0.0) + time.perf_counter() - began

    client._call = timed
    return waited


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ops", type=int, default=20_000)
    parser.add_argument("--elders", type=int, default=1000)
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()
    slots = -(-args.ops // args.elders)
    with tempfile.TemporaryDirectory(prefix="sync-bench-") as tmp:
        base = Path(tmp)
        cluster = None
        target = str(base / "platform.sqlite3")
        if args.postgres:
            bindir = postgres_bindir()
            if bindir is None:
                sys.exit("PostgreSQL binaries are not installed (scripts/setup.sh --test)")
            cluster = PostgresCluster(bindir, durable=True).start()
            target = cluster.new_database()
        db = prepare_platform(target, args.elders, slots)
        process = PlatformProcess(target, base, demo=False).start()
        print(f"platform on {'PostgreSQL (fsync on)' if args.postgres else 'SQLite'}")
        try:
            writer = kiosk(base, "writer", process.base_url, db)
            assert writer.sync_once().ok  # enrol and first pull: elders and slots
            write_bookings(writer, args.ops)
            waited = time_platform_answers(writer)
            began = time.perf_counter()
            result = writer.sync_once()
            pushed_s = time.perf_counter() - began
            assert result.ok and result.applied == args.ops, result
            kiosk_s = pushed_s - waited["/v1/push"]
            print(f"push: {args.ops} operations in {pushed_s:.2f} s "
                  f"= {args.ops / pushed_s:,.0f} operations/s end to end (incl. pulling them back)")
            print(f"      of which waiting for the platform to apply them: "
                  f"{waited['/v1/push']:.2f} s; kiosk side {kiosk_s:.2f} s "
                  f"= {args.ops / kiosk_s:,.0f} operations/s")

            reader = kiosk(base, "reader", process.base_url, db)
            began = time.perf_counter()
            result = reader.sync_once()
            pulled_s = time.perf_counter() - began
            assert result.ok, result
            print(f"pull: first sync of the community, {result.pulled} changes in "
                  f"{pulled_s:.2f} s = {result.pulled / pulled_s:,.0f} changes/s")
            for engine in (writer, reader):
                engine.close()
        finally:
            process.stop()
            db.dispose()
            if cluster is not None:
                cluster.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
