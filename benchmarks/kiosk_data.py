"""A kiosk store at district scale for the kiosk's benchmarks: the demo community, then 20,000
elders with real names (benchmarks.names) and 500,000 past bookings.

The elders are written with their initials as every writer of the store writes them
(kiosk.name_initials); the bookings are a long history of eaten lunches spread over the
elders. Built once per size and schema into bench/cache/, then copied for each use (a run
may change its copy: sign-ins, bookings).
"""
from __future__ import annotations

import datetime as dt
import random
import shutil
import uuid
from pathlib import Path

from benchmarks.harness import ROOT
from benchmarks.names import people

BUILD = "2"  # change with what _build writes: another cache file
NOW = "2026-11-24T08:00:00"  # a Tuesday morning before the lunch cut-off
ELDERS, BOOKINGS = 20_000, 500_000
SMOKE_ELDERS, SMOKE_BOOKINGS = 2_000, 20_000
CACHE = ROOT / "bench" / "cache"
DB_NAME = "kiosk.sqlite3"  # kiosk.config.Settings.db_path


def sizes(smoke: bool) -> tuple[int, int]:
    return (SMOKE_ELDERS, SMOKE_BOOKINGS) if smoke else (ELDERS, BOOKINGS)


def card(n: int) -> str:
    """The card of the n-th bulk elder (benchmarks.names numbers them from 20000000)."""
    return f"{20000000 + n}"


def store_copy(target_dir: Path, smoke: bool) -> Path:
    """A fresh copy of the district store as `target_dir`/kiosk.sqlite (the kiosk's file name);
    the data directory to hand the kiosk."""
    from kiosk.migrations import LATEST

    elders, bookings = sizes(smoke)
    cached = CACHE / f"kiosk-v{LATEST}-b{BUILD}-{elders}-{bookings}.sqlite"
    if not cached.exists():
        _build(cached, elders, bookings)
    target_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(cached, target_dir / DB_NAME)
    return target_dir


def _build(path: Path, elders: int, bookings: int) -> None:
    from kiosk.clock import FixedClock
    from kiosk.config import load_settings
    from kiosk.core import Kiosk
    from kiosk.name_initials import column
    from kiosk.staff import seed_demo_staff

    work = path.with_suffix(".building")
    shutil.rmtree(work, ignore_errors=True)
    settings = load_settings(work / "none.toml", data_dir=work, voice_enabled=False)
    core = Kiosk(settings, clock=FixedClock(NOW))
    core.seed_demo_if_empty(finished=True)
    seed_demo_staff(core.store, core.clock)
    store = core.store
    with store.transaction() as conn:
        conn.executemany(
            "INSERT INTO elders (id, card_no, name, initials, phone, address, subsidy_level, "
            "dietary, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'basic', '[]', ?)",
            ((f"bulk-{p.number}", p.card, p.name, column(p.name), p.phone, p.address, NOW)
             for p in people(elders)))
    _history(store, elders, bookings)
    with store.transaction() as conn:  # a district canteen: every flow finds a place
        conn.execute("UPDATE slots SET capacity = ? WHERE service = 'meal'", (elders,))
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    core.close()
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(str(settings.db_path), path)
    shutil.rmtree(work, ignore_errors=True)


def _history(store, elders: int, bookings: int) -> None:
    """Past lunches, 400 a day back from yesterday, eaten by elders drawn at random."""
    rng = random.Random(1)
    first_day = dt.date(2026, 11, 24) - dt.timedelta(days=bookings // 400 + 1)
    rows = []
    for n in range(bookings):
        day = first_day + dt.timedelta(days=n // 400)
        rows.append((str(uuid.UUID(int=rng.getrandbits(128))), f"{n:08d}",
                     f"bulk-{rng.randrange(elders)}", "meal", f"meal:{day}:lunch", "pickup",
                     1500, 300, 1200, "completed", f"{day}T11:00:00", f"{day}T11:00:00"))
        if len(rows) == 50_000 or n == bookings - 1:
            with store.transaction() as conn:
                conn.executemany(
                    "INSERT INTO bookings (id, number, elder_id, service, slot_id, mode, "
                    "price_cents, subsidy_cents, pay_cents, status, created_at, updated_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
            rows.clear()
