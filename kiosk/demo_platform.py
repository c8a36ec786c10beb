"""A demo platform beside a kiosk with nothing configured: `kiosk-platform serve --demo` as a
child process on 127.0.0.1, its data under the kiosk's data dir, this kiosk enrolled with it."""
from __future__ import annotations

import logging
import re
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import requests

from kiosk.config import Settings
from kiosk.demo import load_community
from kiosk.errors import KnownError
from kiosk.paths import ROOT

log = logging.getLogger(__name__)

START_DEADLINE_S = 30.0
CODE_LINE = re.compile(r"^enrolment code:\s*(\S+)\s*$", re.MULTILINE)


class DemoPlatformError(KnownError):
    message_key = "sync.error.demo_platform"


@dataclass
class DemoPlatform:
    url: str
    process: subprocess.Popen
    settings: Settings  # the kiosk's settings, now pointing at this platform

    def stop(self, timeout: float = 10.0) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def __enter__(self) -> DemoPlatform:
        return self

    def __exit__(self, *_exc) -> None:
        self.stop()


def platform_command() -> list[str]:
    """The `kiosk-platform` console script, or the same module run by this Python."""
    beside = Path(sys.executable).with_name("kiosk-platform")
    if beside.exists():
        return [str(beside)]
    found = shutil.which("kiosk-platform")
    return [found] if found else [sys.executable, "-m", "service_platform.cli"]


def start_demo_platform(settings: Settings, deadline_s: float = START_DEADLINE_S) -> DemoPlatform:
    """Start the demo platform and return it with settings to sync with it (blocks ≤ deadline)."""
    home = settings.data_dir / "demo-platform"
    home.mkdir(parents=True, exist_ok=True)
    db = home / "platform.sqlite3"
    command = platform_command()
    fresh = not db.exists()
    _run([*command, "init-demo", "--db", str(db)])
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    code = ""
    if fresh or not settings.token_path.exists():
        settings.token_path.unlink(missing_ok=True)  # a token of an earlier demo database
        community = load_community()["community"]["id"]
        out = _run([*command, "add-kiosk", "--db", str(db), "--community", community,
                    "--name", settings.device_name or "演示终端", "--url", url])
        match = CODE_LINE.search(out)
        if match is None:
            raise DemoPlatformError("add-kiosk printed no enrolment code")
        code = match.group(1)
    with (home / "platform.log").open("ab") as out_log:
        process = subprocess.Popen(
            [*command, "serve", "--demo", "--db", str(db), "--port", str(port), "--quiet"],
            cwd=ROOT, stdout=out_log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    platform = DemoPlatform(url, process,
                            settings._replace(platform_url=url, enrolment_code=code))
    try:
        _wait_until_answering(platform, deadline_s)
    except BaseException:
        platform.stop()
        raise
    log.info("demo platform answering on %s", url)
    return platform


def _run(args: list[str]) -> str:
    try:
        done = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=60,
                              check=True)
    except (OSError, subprocess.SubprocessError) as exc:
        raise DemoPlatformError(f"{Path(args[0]).name} failed: {type(exc).__name__}") from exc
    return done.stdout


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_answering(platform: DemoPlatform, deadline_s: float) -> None:
    end = time.monotonic() + deadline_s
    while True:
        if platform.process.poll() is not None:
            raise DemoPlatformError(f"the demo platform exited ({platform.process.returncode})")
        try:
            if requests.get(platform.url + "/v1/time", timeout=1).status_code == 200:
                return
        except requests.RequestException:
            pass
        if time.monotonic() > end:
            raise DemoPlatformError("the demo platform did not answer in time")
        time.sleep(0.1)  # polling a child process that is starting up
