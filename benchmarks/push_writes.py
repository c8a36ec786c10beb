"""What a push writes, per operation: a diagnosis beside `platform_push`, not a figure of the
suite.

    .venv/bin/python -m benchmarks.push_writes [--ops 10000] [--backend sqlite|postgres|both]

The same platform process, community and pushes as `platform_push` (HTTP, batches of 500 new
meal bookings); after a warm-up of 1,500 operations, one push of `--ops` is measured:
- each table's and index's growth (SQLite: `dbstat`'s pages; PostgreSQL:
  `pg_relation_size`), every index being one more B-tree written per row;
- the bytes written: on SQLite the platform process's own (`/proc/…/io` write_bytes: the
  write-ahead log and the checkpoints copying it into the database), on PostgreSQL its
  write-ahead log (`pg_current_wal_lsn()` before and after);
- CPU time from `/proc`: the platform process, PostgreSQL's processes (the postmaster's
  children, those ended included), and this process (the client).
"""
from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

from sqlalchemy import text

from benchmarks import platform_push as push
from benchmarks.proc import cpu_seconds, stat_fields
from service_platform.db import Database
from tests.platform.servers import PlatformProcess, PostgresCluster, postgres_bindir

ELDERS = 20_000


def _postgres_cpu(postmaster: int) -> float:
    total = cpu_seconds(postmaster, ended_children=True)
    for entry in os.listdir("/proc"):
        try:
            if entry.isdigit() and int(stat_fields(int(entry))[1]) == postmaster:
                total += cpu_seconds(int(entry))
        except OSError:  # ended meanwhile
            continue
    return total


def _written(pid: int) -> int:
    lines = Path(f"/proc/{pid}/io").read_text().splitlines()
    return int(dict(line.split(": ") for line in lines)["write_bytes"])


def _sizes(db: Database) -> dict[str, int]:
    query = ("SELECT name, sum(pgsize) FROM dbstat GROUP BY name" if db.is_sqlite else
             "SELECT c.relname, pg_relation_size(c.oid) FROM pg_class c JOIN pg_namespace n "
             "ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind IN ('r', 'i')")
    with db.read() as conn:
        return {name: int(size) for name, size in conn.execute(text(query))}


def _wal(db: Database) -> str | None:
    if db.is_sqlite:
        return None
    with db.read() as conn:
        return conn.execute(text("SELECT pg_current_wal_lsn()")).scalar()


def measure(target: str, base: Path, ops: int, postmaster: int | None) -> dict:
    db = push._community(target, ELDERS)
    process = PlatformProcess(target, base, demo=False).start()
    try:
        kiosk = push._enrol(db, process)
        push._push(db, kiosk, ELDERS, 1_500)  # warm: as platform_push's first round
        orders = push._orders(db, ELDERS, ops)
        bodies = [json.dumps({"operations": orders[i:i + push.BATCH]})
                  for i in range(0, ops, push.BATCH)]
        pid = process.proc.pid
        sizes, lsn = _sizes(db), _wal(db)
        written, client = _written(pid), os.times()
        platform, server = cpu_seconds(pid), _postgres_cpu(postmaster) if postmaster else 0.0
        began = time.perf_counter()
        for body in bodies:
            answer = kiosk.post("/v1/push", data=body,
                                headers={"Content-Type": "application/json"})
            if answer.status_code != 200 or any(r["status"] != "applied"
                                                for r in answer.json()["results"]):
                raise RuntimeError(f"push failed: {answer.status_code} {answer.text[:300]}")
        took = time.perf_counter() - began
        client_after = os.times()
        spent = {"client": client_after.user + client_after.system - client.user - client.system,
                 "platform": cpu_seconds(pid) - platform}
        if postmaster:
            spent["postgres"] = _postgres_cpu(postmaster) - server
        found = {
            "ops_per_s": round(ops / took),
            "cpu_ms_per_op": {who: round(cpu * 1000 / ops, 4) for who, cpu in spent.items()},
            "growth_bytes_per_op": {name: round((size - sizes.get(name, 0)) / ops, 1)
                                    for name, size in _sizes(db).items()
                                    if size != sizes.get(name, 0)},
        }
        if db.is_sqlite:
            found["written_bytes_per_op"] = (_written(pid) - written) / ops
        else:
            with db.read() as conn:
                found["wal_bytes_per_op"] = conn.execute(text(
                    "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), :lsn)"),
                    {"lsn": lsn}).scalar() / ops
        return found
    finally:
        process.stop()
        db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ops", type=int, default=10_000)
    parser.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="both")
    args = parser.parse_args()
    found: dict[str, object] = {"load_before": os.getloadavg()}
    with tempfile.TemporaryDirectory(prefix="bench-push-writes-") as tmp:
        base = Path(tmp)
        if args.backend != "postgres":
            found["sqlite"] = measure(str(base / "push.sqlite3"), base, args.ops, None)
        if args.backend != "sqlite":
            bindir = postgres_bindir()
            if bindir is None:
                raise RuntimeError("PostgreSQL is not installed (scripts/setup.sh --test)")
            cluster = PostgresCluster(bindir, durable=True).start()
            try:
                postmaster = int((cluster.data / "postmaster.pid").read_text().split()[0])
                found["postgres"] = measure(cluster.new_database(), base, args.ops, postmaster)
            finally:
                cluster.stop()
    found["load_after"] = os.getloadavg()
    print(json.dumps(found, indent=1, default=float))


if __name__ == "__main__":
    main()
