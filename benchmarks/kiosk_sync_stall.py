"""The GUI thread while sync works: the longest stall of the kiosk's event loop while its sync
worker pushes and pulls 10,000 changes with a platform process.

A platform (the project's own, a process on this machine, SQLite) holds a community of 5,000
elders (benchmarks.names) and its meals; a kiosk enrolled with it has pulled them and has
5,000 bookings in its outbox (the booking code's own insert); then 5,000 more elders join the
community on the platform. The kiosk's window is shown on that store and its sync worker
started as the kiosk starts it (ui.sync_link): one cycle pushes the 5,000 bookings and pulls
the 5,000 newcomers (and its bookings as the platform confirmed them). A timer on the GUI
thread asks to run every 4 ms; a stall is how much later than asked it ran.

- ui_stall_max_ms: the longest stall from the worker's start until its cycle has ended and
  the window has heard so; reference: the longest stall of the same window, idle, over as
  long a time.
"""
from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from zoneinfo import ZoneInfo

from benchmarks.harness import Figure, median_figure, scratch
from benchmarks.kiosk_gui import KioskDriver, application
from benchmarks.names import people

TZ = ZoneInfo("Asia/Shanghai")
COMMUNITY = "bench"
TICK_MS = 4
TIMEOUT_S = 600


class StallProbe:
    """A timer asking to run every TICK_MS on the GUI thread; notes how late each run is."""

    def __init__(self) -> None:
        from PySide6.QtCore import Qt, QTimer

        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self._tick)
        self.worst = 0.0
        self._last = 0.0

    def start(self) -> None:
        self.worst, self._last = 0.0, time.perf_counter()
        self.timer.start()

    def _tick(self) -> None:
        now = time.perf_counter()
        self.worst = max(self.worst, (now - self._last) * 1000 - TICK_MS)
        self._last = now

    def stop(self) -> float:
        self.timer.stop()
        return self.worst


def run(rounds: int, smoke: bool) -> dict[str, Figure]:
    from tests.platform.servers import PlatformProcess

    half = 100 if smoke else 5000
    values, references = [], []
    for _ in range(rounds):
        base = scratch("bench-stall-")
        target = str(base / "platform.sqlite3")
        db = _platform(target, half)
        process = PlatformProcess(target, base, demo=False).start()
        try:
            data = _kiosk(base, process.base_url, db, half)
            _more_elders(db, half)
            value, reference = _measure(data)
        finally:
            process.stop()
            db.dispose()
        values.append(value)
        references.append(reference)
    return {"ui_stall_max_ms": median_figure(
        values, references, "ms", "≤ 30",
        f"longest GUI stall while sync pushes {half:,} bookings and pulls {half:,} elders; "
        "the idle window over as long as reference")}


def _wire(person, offset: int = 0) -> dict:
    return {"id": f"elder-{person.number + offset:05d}", "card_no": f"{int(person.card) + offset}",
            "name": person.name, "phone": person.phone, "address": person.address,
            "subsidy_level": "basic", "delivery_allowed": True, "home_visit_allowed": False,
            "dietary": [], "active": True}


def _platform(target: str, elders: int):
    from service_platform import catalogue, migrations, operators
    from service_platform.db import Database

    db = Database(target)
    migrations.migrate(db)
    operators.add_community(db, COMMUNITY, "基准测试社区")
    db.run_write(lambda conn: catalogue.put_elders(
        conn, COMMUNITY, [_wire(p) for p in people(elders)]))
    first = dt.datetime.now(TZ).date() + dt.timedelta(days=2)
    for day in (first, first + dt.timedelta(days=1)):
        operators.add_meal_slot(db, COMMUNITY, {
            "id": f"meal:{day}:lunch", "day": day.isoformat(), "meal": "lunch",
            "cutoff": dt.datetime.combine(day, dt.time(9, 30), TZ).isoformat(),
            "capacity": elders, "price_cents": 1500, "menu": []})
    return db


def _more_elders(db, count: int) -> None:
    from service_platform import catalogue

    newcomers = [_wire(p, offset=count) for p in people(count, seed=7)]
    db.run_write(lambda conn: catalogue.put_elders(conn, COMMUNITY, newcomers))


def _kiosk(base: Path, url: str, db, bookings: int) -> Path:
    """A kiosk enrolled and synced once, with `bookings` lunches waiting in its outbox."""
    from kiosk.clock import Clock
    from kiosk.config import load_settings
    from kiosk.meals import MealBooking
    from kiosk.sync.engine import SyncEngine
    from service_platform import operators

    code = operators.add_kiosk(db, COMMUNITY, "stall")[1]
    data = base / "kiosk"
    settings = load_settings(base / "none.toml", data_dir=data, platform_url=url,
                             enrolment_code=code, lease_days=1)
    engine = SyncEngine(settings, Clock())
    try:
        if not engine.sync_once().ok:
            raise RuntimeError("the kiosk could not enrol and pull")
        store = engine.store
        meals = MealBooking(store, engine.clock)
        slot = store.query_one("SELECT id FROM slots WHERE service = 'meal' ORDER BY id")["id"]
        store.conn.execute("PRAGMA synchronous = OFF")  # setting up, not measured
        for row in store.query("SELECT id FROM elders ORDER BY id LIMIT ?", (bookings,)):
            meals.book(row["id"], slot, "pickup")
    finally:
        engine.close()
    (data / "url").write_text(url)
    return data


def _measure(data: Path) -> tuple[float, float]:
    """(longest stall while syncing, longest stall idle over as long), in ms."""
    from PySide6.QtCore import QEventLoop, QTimer

    kiosk = KioskDriver(data, None, platform_url=(data / "url").read_text())
    probe = StallProbe()
    loop = QEventLoop()
    finished = []

    def heard(news) -> None:
        if news.kind == "sync.finished":
            finished.append(news.payload.result)
            QTimer.singleShot(50, loop.quit)  # the window has heard it and redrawn

    kiosk.window.post.arrived.connect(heard)
    try:
        probe.start()
        started = time.perf_counter()
        kiosk.window.sync.start_worker_soon(kiosk.settings)  # as the kiosk starts it
        QTimer.singleShot(TIMEOUT_S * 1000, loop.quit)
        loop.exec()
        syncing = probe.stop()
        took = time.perf_counter() - started
        kiosk.window.sync.stop()
        if not finished or not finished[0].ok:
            raise RuntimeError(f"the sync cycle did not end well: {finished[:1]}")
        idle_loop = QEventLoop()
        probe.start()
        QTimer.singleShot(int(took * 1000), idle_loop.quit)
        idle_loop.exec()
        idle = probe.stop()
    finally:
        kiosk.close()
        application().processEvents()
    return syncing, idle
