"""The fault campaign: a platform process (SQLite, or a throwaway PostgreSQL cluster), a faulting
proxy in front of it, kiosk processes doing elder actions; random SIGKILLs of kiosks and of the
platform; then heal, drain and check the invariants (reliability/invariants.py)."""
from __future__ import annotations

import contextlib
import datetime as dt
import json
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

from kiosk.clock import Clock
from kiosk.store import Store
from kiosk.sync.engine import SyncEngine
from reliability import community, invariants
from reliability.kiosk_process import READY_FILE, SYNC_TIMEOUT_S, kiosk_settings, read_phase
from reliability.proxy import FaultyProxy
from service_platform import migrations
from service_platform.db import Database
from tests.platform.servers import PlatformProcess, PostgresCluster, postgres_bindir

ROOT = Path(__file__).resolve().parents[1]
START_DEADLINE_S = 90.0


@dataclass
class Config:
    seconds: float = 60.0  # of faults and kills; setting up, healing and draining come on top
    db: str = "sqlite"  # or postgresql
    kiosks: int = 3
    seed: int = 1
    pace_s: float = 0.12  # mean seconds between one kiosk's actions
    kiosk_kill_every_s: float = 1.2  # mean seconds between kiosk kills (all kiosks)
    platform_kill_every_s: float = 12.0
    partition_every_s: float = 15.0
    self_kill: float = 0.01  # chance an action kills its own kiosk half-way
    drain_deadline_s: float = 60.0
    workdir: Path | None = None  # kept when given, or when a violation was found


@dataclass
class Report:
    config: dict
    counts: dict = field(default_factory=dict)
    faults: dict = field(default_factory=dict)
    violations: dict = field(default_factory=dict)
    workdir: str = ""

    @property
    def violation_count(self) -> int:
        return sum(len(v) for v in self.violations.values())

    def text(self) -> str:
        c = self.counts
        lines = [
            f"fault campaign: {self.config['db']}, {self.config['seconds']:.0f} s of faults, "
            f"{self.config['kiosks']} kiosks, seed {self.config['seed']}",
            f"actions: {c.get('actions_attempted', 0)} attempted, "
            f"{c.get('actions_accepted', 0)} accepted ({c.get('told_confirmed', 0)} bookings "
            f"shown 已确认, {c.get('told_tentative', 0)} 待确认), "
            f"{c.get('actions_refused', 0)} refused, {c.get('actions_interrupted', 0)} cut by a "
            f"kill ({c.get('actions_committed_not_told', 0)} committed before the elder was told)",
            "accepted by kind: " + ", ".join(
                f"{k.removeprefix('accepted_')} {v}" for k, v in sorted(c.items())
                if k.startswith("accepted_")),
            f"kills: {c.get('kiosk_kills', 0)} of kiosks ({c.get('kiosk_kills_mid_sync', 0)} "
            f"mid-sync, {c.get('kiosk_kills_mid_action', 0)} mid-action by signal, "
            f"{c.get('kiosk_self_kills_in_transaction', 0)} inside an action's transaction, "
            f"{c.get('kiosk_self_kills_after_commit', 0)} after its commit), "
            f"{c.get('platform_kills', 0)} of the platform",
            f"faults: {sum(v for k, v in self.faults.items() if k != 'forward')} injected "
            "(" + ", ".join(f"{k} {v}" for k, v in sorted(self.faults.items())
                            if k != "forward") + f"), {c.get('partitions', 0)} partitions",
            "platform answers: " + ", ".join(
                f"{k.removeprefix('platform_refused_')} {v}" for k, v in sorted(c.items())
                if k.startswith("platform_refused_")) + f"; {c.get('bookings_merged', 0)} merged",
            f"drain: {c.get('drain_rounds', 0)} rounds, {c.get('drain_seconds', 0):.1f} s; "
            f"platform tracebacks in its logs: {c.get('platform_tracebacks', 0)}",
            "violations:",
        ]
        for name, items in self.violations.items():
            lines.append(f"  {name}: {len(items)}")
            lines += [f"    - {item}" for item in items[:10]]
            if len(items) > 10:
                lines.append(f"    … {len(items) - 10} more")
        if self.workdir:
            lines.append(f"files kept in {self.workdir}")
        return "\n".join(lines)


class KioskRunner:
    """One kiosk process, started again on the same files after each kill."""

    def __init__(self, name: str, data_dir: Path, url: str, code: str, seed: int,
                 config: Config) -> None:
        self.name, self.dir, self.url, self.code = name, data_dir, url, code
        self.seed, self.config = seed, config
        self.proc: subprocess.Popen | None = None
        self.restart_at = 0.0
        self.starts = 0
        self.killed = False
        data_dir.mkdir(parents=True, exist_ok=True)

    def start(self) -> None:
        self.starts += 1
        self.killed = False
        args = [sys.executable, "-m", "reliability.kiosk_process", str(self.dir), self.url,
                self.code, str(self.seed * 1000 + self.starts), "--pace",
                str(self.config.pace_s), "--self-kill", str(self.config.self_kill)]
        with open(self.dir / "process.log", "ab") as log:
            self.proc = subprocess.Popen(args, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def kill(self) -> None:
        self.killed = True
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> None:
        if not self.alive:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


class Campaign:
    def __init__(self, config: Config) -> None:
        self.config = config
        self.rng = random.Random(config.seed)
        self.counts: Counter[str] = Counter()
        self.kept = config.workdir is not None
        self.workdir = config.workdir or Path(tempfile.mkdtemp(prefix="fault-campaign-"))
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.cluster: PostgresCluster | None = None
        self.platform: PlatformProcess | None = None
        self._bouncing: threading.Thread | None = None

    # --- the run ------------------------------------------------------------------------------
    def run(self) -> Report:
        try:
            target = self._database()
            self.db = Database(target)
            migrations.migrate(self.db)
            self.platform = self._start_platform(target, complete_every=0.1)
            self.proxy = FaultyProxy(_port(self.platform), self.config.seed, SYNC_TIMEOUT_S)
            start = dt.datetime.now(community.TZ) + dt.timedelta(seconds=10)
            codes = community.set_up(self.db, start, self.config.seconds, self.config.kiosks)
            self.kiosks = [KioskRunner(f"kiosk-{n + 1}", self.workdir / f"kiosk-{n + 1}",
                                       self.proxy.url, code, self.config.seed * 10 + n,
                                       self.config) for n, code in enumerate(codes)]
            self._start_kiosks()
            self._faults_and_kills(target)
            self._heal(target)
            self._drain()
            findings = invariants.check(self.db, {k.name: k.dir for k in self.kiosks})
            return self._report(findings)
        finally:
            self._tear_down()

    def _database(self) -> str:
        if self.config.db == "sqlite":
            return str(self.workdir / "platform.sqlite3")
        bindir = postgres_bindir()
        if bindir is None:
            raise RuntimeError("PostgreSQL binaries (initdb, pg_ctl) are not installed; "
                               "scripts/setup.sh --test installs them")
        self.cluster = PostgresCluster(bindir).start()
        return self.cluster.new_database()

    def _start_platform(self, target: str, complete_every: float) -> PlatformProcess:
        for attempt in range(3):
            try:
                return PlatformProcess(target, self.workdir, demo=False, extra_args=(
                    "--complete-every", str(complete_every))).start()
            except (RuntimeError, TimeoutError):
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def _start_kiosks(self) -> None:
        for kiosk in self.kiosks:
            kiosk.start()
        deadline = time.monotonic() + START_DEADLINE_S
        while not all((k.dir / READY_FILE).exists() for k in self.kiosks):
            if time.monotonic() > deadline:
                raise RuntimeError("kiosks did not enrol and sync in time")
            for kiosk in self.kiosks:
                if not kiosk.alive:
                    raise RuntimeError(f"{kiosk.name} exited at start: see "
                                       f"{kiosk.dir / 'process.log'}")
            time.sleep(0.1)

    def _faults_and_kills(self, target: str) -> None:
        config, rng = self.config, self.rng
        self.proxy.faults_on = True
        now = time.monotonic()
        end = now + config.seconds
        next_kill = now + rng.expovariate(1 / config.kiosk_kill_every_s)
        next_bounce = now + rng.expovariate(1 / config.platform_kill_every_s)
        next_partition = now + rng.expovariate(1 / config.partition_every_s)
        while (now := time.monotonic()) < end:
            self._restart_dead(now)
            if now >= next_kill:
                self._kill_a_kiosk()
                next_kill = time.monotonic() + rng.expovariate(1 / config.kiosk_kill_every_s)
            if now >= next_bounce and not self._platform_bouncing:
                self._bouncing = threading.Thread(target=self._bounce_platform, args=(target,))
                self._bouncing.start()
                next_bounce = now + rng.expovariate(1 / config.platform_kill_every_s)
            if now >= next_partition:
                self.proxy.partition(rng.uniform(2.0, 6.0))
                next_partition = now + rng.expovariate(1 / config.partition_every_s)
            time.sleep(0.05)

    @property
    def _platform_bouncing(self) -> bool:
        return self._bouncing is not None and self._bouncing.is_alive()

    def _restart_dead(self, now: float) -> None:
        for kiosk in self.kiosks:
            if kiosk.proc is not None and kiosk.proc.poll() is not None:
                code = kiosk.proc.returncode
                if not kiosk.killed and code != -signal.SIGKILL:
                    self.counts["kiosk_crashes"] += 1
                elif not kiosk.killed:
                    self.counts["kiosk_kills"] += 1  # it killed itself half-way an action
                kiosk.proc = None
                kiosk.restart_at = now + self.rng.uniform(0.1, 0.8)
            if kiosk.proc is None and now >= kiosk.restart_at:
                kiosk.start()

    def _kill_a_kiosk(self) -> None:
        alive = [k for k in self.kiosks if k.alive]
        if not alive:
            return
        kiosk = self.rng.choice(alive)
        if self.rng.random() < 0.5:  # aim for a sync cycle under way
            deadline = time.monotonic() + 1.0
            while not read_phase(kiosk.dir / "phase")[1] and time.monotonic() < deadline:
                time.sleep(0.005)
            time.sleep(self.rng.uniform(0.0, 0.05))
        in_action, in_sync = read_phase(kiosk.dir / "phase")
        if not kiosk.alive:
            return
        kiosk.kill()
        self.counts["kiosk_kills"] += 1
        self.counts["kiosk_kills_mid_sync"] += in_sync
        self.counts["kiosk_kills_mid_action"] += in_action

    def _bounce_platform(self, target: str) -> None:
        """SIGKILL the platform, leave it down a moment, start it again on its database."""
        self.platform.kill()
        self.proxy.upstream_port = None
        self.counts["platform_kills"] += 1
        time.sleep(self.rng.uniform(0.0, 2.0))
        self.platform = self._start_platform(target, complete_every=0.1)
        self.proxy.upstream_port = _port(self.platform)

    # --- heal and drain -------------------------------------------------------------------------
    def _heal(self, target: str) -> None:
        """No more faults or kills; kiosks stop acting; the platform without its completer, so
        nothing changes on it while the views are compared."""
        self.proxy.heal()
        if self._bouncing is not None:
            self._bouncing.join()
        self.counts["partitions"] = self.proxy.partitions
        for kiosk in self.kiosks:
            if kiosk.proc is not None and kiosk.proc.poll() is not None and not kiosk.killed \
                    and kiosk.proc.returncode != -signal.SIGKILL:
                self.counts["kiosk_crashes"] += 1
            kiosk.stop()
        self.platform.stop()
        self.platform = self._start_platform(target, complete_every=0)
        self.proxy.upstream_port = _port(self.platform)

    def _drain(self) -> None:
        """Sync every kiosk (the real engine, on its own files) until every outbox is empty
        and one more round in which nobody pushed anything, so every pull saw everything."""
        began = time.monotonic()
        engines = []
        for kiosk in self.kiosks:
            settings = kiosk_settings(kiosk.dir, self.proxy.url, kiosk.code)
            clock = Clock(settings.timezone)
            engines.append(SyncEngine(settings, clock, Store(settings.db_path)))
        try:
            while time.monotonic() - began < self.config.drain_deadline_s:
                self.counts["drain_rounds"] += 1
                quiet = all(e.status().pending == 0 for e in engines)
                results = [e.sync_once() for e in engines]
                if quiet and all(r.ok for r in results):
                    break
                if not all(r.ok for r in results):
                    time.sleep(0.5)
        finally:
            for engine in engines:
                engine.close()
                engine.store.close()
        self.counts["drain_seconds"] = round(time.monotonic() - began, 1)

    # --- the end ------------------------------------------------------------------------------
    def _report(self, findings: invariants.Findings) -> Report:
        counts = Counter(self.counts)
        counts.update(findings.counts)
        counts["platform_tracebacks"] = sum(
            path.read_text(errors="replace").count("Traceback")
            for path in self.workdir.glob("platform-*.log"))
        for kiosk in self.kiosks:
            log = (kiosk.dir / "process.log").read_text(errors="replace")
            counts["kiosk_log_tracebacks"] += log.count("Traceback")
        violations = {name: list(items) for name, items in findings.violations.items()}
        if counts["kiosk_crashes"]:
            violations["kiosk_errors"].append(f"{counts['kiosk_crashes']} kiosk process(es) "
                                              "exited on their own (see process.log)")
        report = Report(asdict(self.config) | {"workdir": str(self.config.workdir or "")},
                        dict(counts), dict(self.proxy.counts), violations)
        if report.violation_count:
            self.kept = True
        report.workdir = str(self.workdir) if self.kept else ""
        return report

    def _tear_down(self) -> None:
        for kiosk in getattr(self, "kiosks", []):
            with contextlib.suppress(Exception):
                kiosk.stop()
        if self._bouncing is not None:
            self._bouncing.join()
        if self.platform is not None:
            self.platform.stop()
        if hasattr(self, "proxy"):
            self.proxy.close()
        if hasattr(self, "db"):
            self.db.dispose()
        if self.cluster is not None:
            self.cluster.stop()
        if not self.kept:
            shutil.rmtree(self.workdir, ignore_errors=True)


def _port(platform: PlatformProcess) -> int:
    return int(platform.base_url.rsplit(":", 1)[1])


def run(config: Config) -> Report:
    return Campaign(config).run()


def save(report: Report, path: Path) -> None:
    path.write_text(json.dumps(asdict(report), ensure_ascii=False, indent=1), encoding="utf-8")
