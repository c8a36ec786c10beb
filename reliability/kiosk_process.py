"""One kiosk of the campaign in a process of its own: random elder actions through the core, each
journaled, while the real sync worker runs; killed at any moment, started again on its files.

    python -m reliability.kiosk_process DIR URL CODE SEED [--pace S] [--self-kill P]

DIR holds its SQLite store, device token, journal.jsonl and `phase` (two bytes the campaign
reads before a kill: in an action, in a sync cycle). A SIGTERM ends it cleanly.
"""
from __future__ import annotations

import argparse
import os
import random
import signal
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from elder_wire.meals import MODES
from kiosk import outbox
from kiosk.bookings import cancel_booking, slot_cutoff
from kiosk.clock import Clock
from kiosk.config import Settings, load_settings
from kiosk.errors import BookingRejected, KnownError
from kiosk.help import HelpDesk
from kiosk.meals import MealBooking
from kiosk.ratings import SCORES, Ratings, reason_chips
from kiosk.service_flows import ServiceFlow
from kiosk.store import Store
from kiosk.sync.backoff import Backoff
from kiosk.sync.worker import SyncEvent, SyncWorker
from reliability.journal import Journal

ELDERS = tuple(f"elder-{n:03d}" for n in range(1, 13))
ACTIONS = {"book_meal": 30, "book_cleaning": 7, "book_clinic": 7, "book_health_check": 12,
           "book_home_visit": 3, "cancel": 14, "rate": 18, "ask_help": 5}
SYNC_TIMEOUT_S = 3.0
READY_FILE = "ready"


def kiosk_settings(data_dir: Path, url: str, code: str) -> Settings:
    """The campaign's kiosk: quick timeouts and retries, leases for every meal it offers."""
    return load_settings(data_dir / "no-config.toml", data_dir=data_dir, platform_url=url,
                         enrolment_code=code, sync_interval_s=5, sync_timeout_s=SYNC_TIMEOUT_S,
                         sync_backoff_cap_s=2, lease_days=5, lease_refresh_s=20)


class Phase:
    """Two bytes in a file: whether an action, and a sync cycle, are under way."""

    def __init__(self, path: Path) -> None:
        self.fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        os.pwrite(self.fd, b"\0\0", 0)

    def set(self, index: int, on: bool) -> None:
        os.pwrite(self.fd, b"\1" if on else b"\0", index)


def read_phase(path: Path) -> tuple[bool, bool]:
    try:
        data = path.read_bytes()
    except OSError:
        return False, False
    return data[:1] == b"\1", data[1:2] == b"\1"


class ElderActions:
    """Random actions an elder can take at a kiosk, each journaled before and after."""

    def __init__(self, store: Store, clock: Clock, journal: Journal, rng: random.Random,
                 phase: Phase, self_kill: float) -> None:
        self.store, self.clock, self.journal, self.rng = store, clock, journal, rng
        self.phase = phase
        self.self_kill = self_kill
        self.meals = MealBooking(store, clock)
        self.services = {key: ServiceFlow(store, clock, key)
                         for key in ("cleaning", "clinic", "health_check", "home_visit")}
        self.ratings = Ratings(store, clock)
        self.help = HelpDesk(store, clock)
        self._kill_in_tx = False
        real_enqueue = outbox.enqueue

        def enqueue(*args, **kwargs):  # the one place every action's operation is written
            op_id = real_enqueue(*args, **kwargs)
            if self._kill_in_tx:
                self._die("in_transaction")  # written but not committed: rolled back
            return op_id

        outbox.enqueue = enqueue

    def act(self) -> bool:
        """One action; False when the chosen one had nothing to act on."""
        what = self.rng.choices(list(ACTIONS), weights=list(ACTIONS.values()))[0]
        elder = self.rng.choice(ELDERS)
        plan = getattr(self, what)(elder)
        if plan is None:
            return False
        fields, run = plan
        action = str(uuid.uuid4())
        self.journal.write({"a": action, "p": "intent", "what": what, "elder": elder,
                            "pid": os.getpid(), "t": time.time(), **fields})
        kill = self.rng.random() < self.self_kill
        where = self.rng.choice(("in_transaction", "after_commit")) if kill else ""
        self.phase.set(0, True)
        self._kill_in_tx = where == "in_transaction"
        try:
            told = {"ok": True, **run()}
        except BookingRejected as exc:
            told = {"ok": False, "reason": exc.reason}
        except KnownError as exc:
            told = {"ok": False, "reason": f"error:{type(exc).__name__}"}
        except Exception as exc:  # a bug in the core: the campaign reports it
            told = {"ok": False, "reason": f"bug:{type(exc).__name__}: {exc}"}
        finally:
            self._kill_in_tx = False
        if where == "after_commit":
            self._die(where)  # committed; the elder was never told
        self.journal.write({"a": action, "p": "told", "t": time.time(), **told})
        self.phase.set(0, False)
        return True

    def _die(self, where: str) -> None:
        self.journal.write({"p": "self_kill", "where": where, "pid": os.getpid()})
        os.kill(os.getpid(), signal.SIGKILL)

    # --- the actions: (fields for the journal, what to do) or None ---------------------------
    def book_meal(self, elder: str):
        now = self.clock.now().isoformat()
        slots = [r["id"] for r in self.store.query(
            "SELECT id FROM slots WHERE service = 'meal' AND cutoff > ? ORDER BY id", (now,))]
        if not slots:
            return None
        slot = self.rng.choice(slots)
        mode = self.rng.choice(MODES)
        return {"slot": slot, "mode": mode}, lambda: _booked(self.meals.book(elder, slot, mode))

    def _service_slot(self, service: str) -> str | None:
        now = self.clock.now().isoformat()
        slots = [r["id"] for r in self.store.query(
            "SELECT id FROM slots WHERE service = ? AND cutoff > ? ORDER BY id",
            (service, now))]
        return self.rng.choice(slots) if slots else None

    def book_cleaning(self, elder: str):
        slot = self._service_slot("cleaning")
        if slot is None:
            return None
        kind = self.rng.choice(("standard", "standard", "deep"))
        needs = self.rng.sample(("pets", "call_ahead", "quiet"), self.rng.randint(0, 2))
        return ({"slot": slot, "kind": kind},
                lambda: _booked(self.services["cleaning"].book(elder, slot, kind, needs)))

    def _station(self, service: str, elder: str):
        slot = self._service_slot(service)
        if slot is None:
            return None
        return {"slot": slot}, lambda: _booked(self.services[service].book(elder, slot))

    def book_clinic(self, elder: str):
        return self._station("clinic", elder)

    def book_health_check(self, elder: str):
        return self._station("health_check", elder)

    def book_home_visit(self, elder: str):
        return self._station("home_visit", elder)

    def cancel(self, elder: str):
        now = self.clock.now()
        live = [r["id"] for r in self.store.query(
            "SELECT id, slot_id FROM bookings WHERE elder_id = ? AND status IN "
            "('tentative', 'confirmed') ORDER BY id", (elder,))
            if (cutoff := slot_cutoff(self.store, r["slot_id"], self.clock.tz)) and cutoff > now]
        if not live:
            return None
        booking_id = self.rng.choice(live)

        def run() -> dict:
            done = cancel_booking(self.store, self.clock, booking_id)
            return {"id": done.id, "status": done.status}
        return {"booking": booking_id}, run

    def rate(self, elder: str):
        due = self.ratings.due(elder)
        if due is None:
            return None
        score = self.rng.choice(SCORES)
        chips = reason_chips(score, due.service)
        reasons = tuple(self.rng.sample(chips, self.rng.randint(0, min(2, len(chips)))))

        def run() -> dict:
            rating_id = self.ratings.rate(elder, due.id, score, reasons)
            return {"id": rating_id, "booking": due.id, "score": score}
        return {"booking": due.id}, run

    def ask_help(self, elder: str):
        kind = self.rng.choice(("urgent", "assist"))

        def run() -> dict:
            request = self.help.ask(elder, kind)
            return {"id": request.id, "status": request.state}
        return {"kind": kind}, run


def _booked(booking) -> dict:
    """What the receipt shows: the booking number and 已确认 or 待确认."""
    return {"id": booking.id, "number": booking.number, "status": booking.status}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("dir", type=Path)
    parser.add_argument("url")
    parser.add_argument("code")
    parser.add_argument("seed", type=int)
    parser.add_argument("--pace", type=float, default=0.15, help="mean seconds between actions")
    parser.add_argument("--self-kill", type=float, default=0.0,
                        help="chance that an action kills its own process half-way")
    args = parser.parse_args(argv)
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    settings = kiosk_settings(args.dir, args.url, args.code)
    clock = Clock(settings.timezone)
    phase = Phase(args.dir / "phase")
    store = Store(settings.db_path)  # migrated here, before the worker opens its own
    worker = SyncWorker(settings, clock, backoff=Backoff(base_s=0.25, cap_s=2.0))
    ready = threading.Event()
    worker.add_listener(_phase_listener(phase, ready, args.dir / READY_FILE))
    worker.start()
    journal = Journal(args.dir / "journal.jsonl")
    rng = random.Random(args.seed)
    actions = ElderActions(store, clock, journal, rng, phase, args.self_kill)
    try:
        started_before = (args.dir / READY_FILE).exists()
        while not (started_before or ready.wait(0.2) or stopping.is_set()):
            pass  # the first start: enrolled and the catalogue pulled before any elder comes
        while not stopping.is_set():
            if actions.act():
                worker.nudge()
            stopping.wait(rng.expovariate(1 / args.pace))
    finally:
        worker.stop(timeout=15)
        journal.close()
        store.close()
    return 0


def _phase_listener(phase: Phase, ready: threading.Event, ready_file: Path) \
        -> Callable[[SyncEvent], None]:
    def listen(event: SyncEvent) -> None:
        phase.set(1, event.kind == "started")
        if event.kind == "finished" and event.result is not None and event.result.ok \
                and not ready.is_set():
            ready_file.touch()
            ready.set()
    return listen


if __name__ == "__main__":
    raise SystemExit(main())
