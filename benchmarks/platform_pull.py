"""A new kiosk joining a community: the real kiosk sync code pulling from a platform process.

The community has 20,000 elders (real names) and 500,000 bookings over six months before today
(about 2,700 a day, each made, then completed or cancelled), the feed holding every change.

- `initial_pull_s`: a new kiosk's first sync (enrolment, the pull, its leases) after six
  months, the feed compacted (platform `compact-feed`, protocol §5.1). Reference: the same
  join after one month with the feed as it was before compaction existed (what kiosks waited
  for then; it grew by about 0.6 s a month).
- `initial_pull_s_1month`: the same join after one month, compacted. Reference as above. With
  `initial_pull_s` it shows that the join no longer grows with history.
"""
from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

from benchmarks import district, harness
from service_platform import compaction, operators
from service_platform.db import Database
from tests.platform.servers import PlatformProcess
from tests.sync.conftest import TestKiosk

BOOKINGS_A_DAY = 500_000 / 182


def run(rounds: int, smoke: bool) -> dict[str, harness.Figure]:
    elders = 1_000 if smoke else 20_000
    months = {1: 30, 6: 182} if not smoke else {1: 6, 6: 20}
    daily = 100 if smoke else BOOKINGS_A_DAY
    with tempfile.TemporaryDirectory(prefix="bench-pull-") as tmp:
        base = Path(tmp)
        targets = {}
        for name, days in months.items():
            path = base / f"{name}-month.sqlite3"
            builder = Database(path)
            district.build(builder, elders=elders, history_days=days,
                           bookings_total=int(daily * (days + district.SERVICE_DAYS_AHEAD)))
            builder.dispose()
            targets[name] = path
        shutil.copy(targets[1], base / "1-month-raw.sqlite3")
        for name in months:
            db = Database(targets[name])
            compaction.compact_all(db)
            db.dispose()
        platforms = {name: PlatformProcess(str(path), base, demo=False,
                                           extra_args=("--compact-every", "0")).start()
                     for name, path in [("six", targets[6]), ("one", targets[1]),
                                        ("raw", base / "1-month-raw.sqlite3")]}
        try:
            joins = {name: [] for name in platforms}
            for n in range(rounds):
                for name in ("six", "raw", "one"):  # interleaved
                    joins[name].append(_join(platforms[name], base / f"kiosk-{name}-{n}"))
        finally:
            for process in platforms.values():
                process.stop()
    note = (f"{elders:,} elders, {daily:,.0f} bookings a day; one month uncompacted as "
            "reference")
    return {
        "initial_pull_s": harness.median_figure(joins["six"], joins["raw"], "s", "≤ 3",
                                                note="six months, compacted; " + note),
        "initial_pull_s_1month": harness.median_figure(joins["one"], joins["raw"], "s", "≤ 3",
                                                       note="one month, compacted; " + note),
    }


def _join(process: PlatformProcess, data_dir: Path) -> float:
    """Seconds from a new kiosk's first sync to its end (enrolled, everything pulled)."""
    db = Database(process.db_target)
    code = operators.add_kiosk(db, district.COMMUNITY, "新终端")[1]
    db.dispose()
    kiosk = TestKiosk(data_dir, process.base_url, code, sync_timeout_s=120)
    try:
        began = time.perf_counter()
        result = kiosk.sync()
        took = time.perf_counter() - began
        if not result.ok:
            raise RuntimeError(f"the join failed: {result}")
        return took
    finally:
        kiosk.close()
