"""Kiosks with real SQLite files syncing with a real platform process on 127.0.0.1."""
from __future__ import annotations

import datetime as dt
import itertools
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from kiosk.bookings import Booking
from kiosk.clock import Clock
from kiosk.config import load_settings
from kiosk.meals import MealBooking
from kiosk.store import Store
from kiosk.sync.engine import SyncEngine, SyncResult
from kiosk.sync.status import SyncStatus
from service_platform import catalogue, operators
from service_platform.db import Database
from service_platform.schema import applied_ops, bookings
from tests.platform.servers import PlatformProcess
from tests.sync.proxy import Proxy

SHANGHAI = ZoneInfo("Asia/Shanghai")
_names = itertools.count(1)


class Platform:
    """A platform process and the operator's hand on its database (SQLite)."""

    def __init__(self, db_target: str, log_dir: Path) -> None:
        self.db_target = db_target
        self.log_dir = log_dir
        self.db = Database(db_target)
        self.process = PlatformProcess(db_target, log_dir, demo=False).start()

    @property
    def port(self) -> int:
        return int(self.process.base_url.rsplit(":", 1)[1])

    @property
    def url(self) -> str:
        return self.process.base_url

    def restart(self, hard: bool = True) -> None:
        (self.process.kill if hard else self.process.stop)()
        self.process = PlatformProcess(self.db_target, self.log_dir, demo=False).start()

    def stop(self) -> None:
        self.process.stop()
        self.db.dispose()

    def community(self, elders: int = 10) -> str:
        """A fresh community: elder-001… (all active), and no meals yet."""
        community_id = f"sync-{next(_names)}-{uuid.uuid4().hex[:6]}"
        operators.add_community(self.db, community_id, "同步测试社区")
        people = [{"id": f"elder-{n:03d}", "card_no": f"8{n:07d}", "name": f"长者{n}",
                   "phone": "", "address": "", "subsidy_level": "basic",
                   "delivery_allowed": True, "home_visit_allowed": False, "dietary": [],
                   "active": True} for n in range(1, elders + 1)]
        self.db.run_write(lambda conn: catalogue.put_elders(conn, community_id, people))
        self.db.run_write(lambda conn: catalogue.put_subsidy_levels(
            conn, community_id, {"none": 0, "basic": 300}))
        return community_id

    def slot(self, community_id: str, capacity: int, days_ahead: int = 1,
             meal: str = "lunch") -> str:
        """A meal slot `days_ahead` days from today, its cut-off still to come."""
        day = dt.datetime.now(SHANGHAI).date() + dt.timedelta(days=days_ahead)
        slot_id = f"meal:{day.isoformat()}:{meal}"
        cutoff = dt.time(9, 30) if meal == "lunch" else dt.time(15, 0)
        operators.add_meal_slot(self.db, community_id, {
            "id": slot_id, "day": day.isoformat(), "meal": meal,
            "cutoff": dt.datetime.combine(day, cutoff, SHANGHAI).isoformat(),
            "capacity": capacity, "price_cents": 1500, "menu": [{"name": "米饭", "tags": []}]})
        return slot_id

    def enrolment_code(self, community_id: str) -> str:
        return operators.add_kiosk(self.db, community_id, f"终端{next(_names)}")[1]

    def bookings(self, community_id: str) -> dict[str, dict]:
        with self.db.read() as conn:
            rows = conn.execute(select(bookings).where(
                bookings.c.community_id == community_id)).mappings().all()
        return {row["id"]: dict(row) for row in rows}

    def confirmed(self, community_id: str, slot_id: str) -> int:
        return sum(1 for b in self.bookings(community_id).values()
                   if b["slot_id"] == slot_id and b["status"] == "confirmed")

    def applied_ops(self, community_id: str) -> int:
        with self.db.read() as conn:
            return len(conn.execute(select(applied_ops.c.op_id).where(
                applied_ops.c.community_id == community_id)).all())


class TestKiosk:
    """A kiosk: its own data dir and SQLite file, booking rules and sync engine."""

    __test__ = False

    def __init__(self, data_dir: Path, url: str, code: str, **settings) -> None:
        self.settings = load_settings(data_dir / "no-config.toml", data_dir=data_dir,
                                      platform_url=url, enrolment_code=code, **settings)
        self.clock = Clock(self.settings.timezone)
        self.store = Store(self.settings.db_path)
        self.meals = MealBooking(self.store, self.clock)
        self.engine = SyncEngine(self.settings, self.clock, self.store)

    def sync(self) -> SyncResult:
        return self.engine.sync_once()

    def sync_ok(self) -> SyncResult:
        result = self.sync()
        assert result.ok, result
        return result

    def book(self, elder_id: str, slot_id: str, mode: str = "pickup") -> Booking:
        return self.meals.book(elder_id, slot_id, mode)

    def booking(self, booking_id: str) -> Booking:
        return Booking.from_row(self.store.query_one("SELECT * FROM bookings WHERE id = ?",
                                                     (booking_id,)))

    def status(self) -> SyncStatus:
        return self.engine.status()

    def pending(self) -> int:
        return self.status().pending

    def close(self) -> None:
        self.engine.close()
        self.store.close()


@pytest.fixture(scope="session")
def platform(tmp_path_factory) -> Iterator[Platform]:
    """One platform for the module's tests; each test keeps to its own community."""
    base = tmp_path_factory.mktemp("sync-platform")
    running = Platform(str(base / "platform.sqlite3"), base)
    yield running
    running.stop()


@pytest.fixture
def own_platform(tmp_path) -> Iterator[Platform]:
    """A platform of the test's own, to kill and restart."""
    running = Platform(str(tmp_path / "own-platform.sqlite3"), tmp_path)
    yield running
    running.stop()


@pytest.fixture
def make_kiosk(tmp_path) -> Iterator[Callable[..., TestKiosk]]:
    made: list[TestKiosk] = []

    def make(url: str, code: str, **settings) -> TestKiosk:
        kiosk = TestKiosk(tmp_path / f"kiosk-{len(made) + 1}", url, code, **settings)
        made.append(kiosk)
        return kiosk

    yield make
    for kiosk in made:
        kiosk.close()


@pytest.fixture
def make_proxy() -> Iterator[Callable[[Platform], Proxy]]:
    made: list[Proxy] = []

    def make(platform: Platform) -> Proxy:
        proxy = Proxy(platform.port)
        made.append(proxy)
        return proxy

    yield make
    for proxy in made:
        proxy.close()
