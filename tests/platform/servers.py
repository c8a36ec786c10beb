"""Real processes for the platform tests: a platform on 127.0.0.1 and a throwaway PostgreSQL."""
from __future__ import annotations

import contextlib
import os
import pwd
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from glob import glob
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
START_DEADLINE = 30.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(condition, deadline: float, what: str, interval: float = 0.05):
    """Poll `condition` until it returns something truthy or the deadline (seconds) passes."""
    end = time.monotonic() + deadline
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > end:
            raise TimeoutError(f"timed out waiting for {what}")
        time.sleep(interval)


class PlatformProcess:
    """`kiosk-platform serve` in a subprocess, on a free port, its output in a log file."""

    def __init__(self, db_target: str, log_dir: Path, demo: bool = True,
                 extra_args: tuple[str, ...] = (), open_files: int | None = None) -> None:
        self.db_target = db_target
        self.extra_args = extra_args
        self.open_files = open_files  # the process's open-file limit, when given
        self.log_path = log_dir / f"platform-{time.monotonic_ns()}.log"
        self.demo = demo
        self.proc: subprocess.Popen | None = None
        self.base_url = ""

    def start(self) -> PlatformProcess:
        port = free_port()
        self.base_url = f"http://127.0.0.1:{port}"
        args = [sys.executable, "-m", "service_platform.cli", "serve", "--port", str(port),
                "--db", self.db_target, "--quiet", *self.extra_args]
        args += ["--demo"] if self.demo else []
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(args, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                                         preexec_fn=self._limit_open_files
                                         if self.open_files is not None else None)
        try:
            wait_until(self._answers, START_DEADLINE, f"the platform on port {port}")
        except BaseException:
            self.kill()  # never left running behind a failed start
            raise
        return self

    def _limit_open_files(self) -> None:
        resource.setrlimit(resource.RLIMIT_NOFILE, (self.open_files, self.open_files))

    def _answers(self) -> bool:
        if self.proc.poll() is not None:
            raise RuntimeError(f"platform exited early:\n{self.log()}")
        try:
            return requests.get(self.base_url + "/v1/time", timeout=2).status_code == 200
        except (requests.ConnectionError, requests.Timeout):  # not up yet, or busy starting
            return False

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def kill(self) -> None:
        """Stop it the hard way, as a power cut would."""
        self._end(signal.SIGKILL)

    def stop(self) -> None:
        self._end(signal.SIGTERM)

    def _end(self, sig: int) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None


def postgres_bindir() -> Path | None:
    candidates = sorted(glob("/usr/lib/postgresql/*/bin"), reverse=True)
    on_path = shutil.which("initdb")
    if on_path:
        candidates.append(str(Path(on_path).parent))
    for candidate in candidates:
        if (Path(candidate) / "initdb").exists() and (Path(candidate) / "pg_ctl").exists():
            return Path(candidate)
    return None


class PostgresCluster:
    """A throwaway cluster made with initdb in a temporary directory, on a free port.

    Without fsync for the tests; `durable=True` keeps PostgreSQL's defaults (fsync, full page
    writes), for benchmarks that must pay for commits as production does.
    """

    def __init__(self, bindir: Path, durable: bool = False) -> None:
        self.bindir = bindir
        self.durable = durable
        self.base = Path(tempfile.mkdtemp(prefix="kiosk-platform-pg-"))
        self.data = self.base / "data"
        self.port = free_port()
        self.as_user: list[str] = []
        self._databases = 0

    def start(self) -> PostgresCluster:
        if os.geteuid() == 0:  # initdb refuses to run as root
            user = pwd.getpwnam("postgres")
            os.chown(self.base, user.pw_uid, user.pw_gid)
            self.as_user = ["runuser", "-u", "postgres", "--"]
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres",
                  "--no-sync", "-E", "UTF8", "--locale=C")
        options = (f"-p {self.port} -k {self.base} -c listen_addresses=127.0.0.1 "
                   "-c max_connections=200")
        if not self.durable:
            options += " -c fsync=off -c full_page_writes=off"
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l",
                  str(self.base / "server.log"), "-w", "start")
        return self

    def stop(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.base, ignore_errors=True)

    def _run(self, tool: str, *args: str) -> None:
        subprocess.run([*self.as_user, str(self.bindir / tool), *args], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=self.base)

    def new_database(self) -> str:
        import psycopg

        self._databases += 1
        name = f"platform_{self._databases}"
        with psycopg.connect(f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres",
                             autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{name}"
