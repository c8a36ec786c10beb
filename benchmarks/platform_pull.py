"""A new kiosk joining a community: the real kiosk sync code pulling from a platform process.

The community has 20,000 elders (real names) and 500,000 bookings over six months before today
(about 2,700 a day, each made, then completed or cancelled), the feed holding every change and
compacted as the platform does every hour (platform `compact-feed`, protocol §5.1).

- `initial_pull_s`: a new kiosk's first sync (enrolment, the pull, its leases) after six
  months: the community's current state in one snapshot (`GET /v1/snapshot`, §5.2, streamed a
  part a line), then the feed after its cursor. Reference: the same kiosk joining the same
  platform as a kiosk did before the snapshot (and does with a platform without it): the
  compacted feed from 0, page by page.
- `initial_pull_s_1month`: the same join by snapshot after one month. Reference as above. With
  `initial_pull_s` it shows that the join does not grow with history.
"""
from __future__ import annotations

import tempfile
import time
from pathlib import Path
from unittest import mock

from benchmarks import district, harness
from kiosk.sync.client import PlatformClient
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
        for name in months:
            db = Database(targets[name])
            compaction.compact_all(db)
            db.dispose()
        platforms = {name: PlatformProcess(str(targets[months_of]), base, demo=False,
                                           extra_args=("--compact-every", "0")).start()
                     for name, months_of in (("six", 6), ("one", 1))}
        try:
            joins = {name: [] for name in ("six", "feed", "one")}
            for n in range(rounds):
                for name in ("six", "feed", "one"):  # interleaved
                    process = platforms["six" if name == "feed" else name]
                    joins[name].append(_join(process, base / f"kiosk-{name}-{n}",
                                             by_snapshot=name != "feed"))
        finally:
            for process in platforms.values():
                process.stop()
    note = (f"{elders:,} elders, {daily:,.0f} bookings a day; reference: the same join by "
            "the compacted feed from 0 (six months)")
    return {
        "initial_pull_s": harness.median_figure(joins["six"], joins["feed"], "s", "≤ 3",
                                                note="six months, by snapshot; " + note),
        "initial_pull_s_1month": harness.median_figure(joins["one"], joins["feed"], "s", "≤ 3",
                                                       note="one month, by snapshot; " + note),
    }


class _FeedOnly(PlatformClient):
    """The kiosk's client as with a platform without the snapshot (it answers 404)."""

    def snapshot(self) -> dict | None:
        return None


def _join(process: PlatformProcess, data_dir: Path, by_snapshot: bool) -> float:
    """Seconds from a new kiosk's first sync to its end (enrolled, everything pulled)."""
    db = Database(process.db_target)
    code = operators.add_kiosk(db, district.COMMUNITY, "新终端")[1]
    db.dispose()
    kiosk = TestKiosk(data_dir, process.base_url, code, sync_timeout_s=120)
    try:
        client = mock.patch("kiosk.sync.engine.PlatformClient",
                            PlatformClient if by_snapshot else _FeedOnly)
        with client:
            began = time.perf_counter()
            result = kiosk.sync()
            took = time.perf_counter() - began
        if not result.ok:
            raise RuntimeError(f"the join failed: {result}")
        return took
    finally:
        kiosk.close()
