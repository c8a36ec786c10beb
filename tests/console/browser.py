"""Real Chromium for the web console's tests: Debian's browser, driven by Playwright.

Playwright's own browser download (`playwright install`) is never used: the browser is the
system package that scripts/setup.sh --test installs, at CHROMIUM (or $KIOSK_TEST_CHROMIUM).
"""
from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import urlsplit

from tests.needs import unavailable

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
# Headless, as root (no sandbox), with no network of its own: no QUIC, no background
# downloads, updates or sync. The console's alarm sound may play without a click.
LAUNCH_ARGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--autoplay-policy=no-user-gesture-required",
)
DESKTOP = {"viewport": {"width": 1366, "height": 768}}
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
TIMEOUT_MS = 20_000  # a loaded machine (tests run in parallel); 30 s, the default, is slow to fail
SCREENSHOTS = ROOT / "docs" / "screenshots"


def chromium_path(path: str | None = None) -> str:
    """The browser to launch; skips (fails under CI=true) when it is not there."""
    path = path or os.environ.get("KIOSK_TEST_CHROMIUM") or CHROMIUM
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        unavailable(f"no browser at {path}: scripts/setup.sh --test installs Debian's chromium")
    return path


def sync_playwright():
    """Playwright's sync API entry; skips (fails under CI=true) when it is not installed."""
    try:
        from playwright.sync_api import sync_playwright as start
    except ImportError:
        unavailable("the Python package playwright is not installed: scripts/setup.sh --test")
    return start


def save_screenshot(page, name: str, **options) -> Path | None:
    """docs/screenshots/console-<name>.png, only when CONSOLE_SCREENSHOTS=1, so that ordinary
    test runs leave the committed pictures alone. Options go to page.screenshot (full_page…)."""
    if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", name):
        raise ValueError(f"screenshot name {name!r}: lower-case words joined by '-'")
    if os.environ.get("CONSOLE_SCREENSHOTS") != "1":
        return None
    path = SCREENSHOTS / f"console-{name}.png"
    page.screenshot(path=path, animations="disabled", caret="hide", **options)
    return path


class Traffic:
    """What a page asked for, from its first request: requests, failures, console errors."""

    def __init__(self, page) -> None:
        self.requests: list[str] = []
        self.failed: list[str] = []
        self.errors: list[str] = []
        page.on("request", lambda request: self.requests.append(request.url))
        page.on("requestfailed", lambda request: self.failed.append(
            f"{request.method} {request.url}: {request.failure}"))
        page.on("response", self._response)
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.errors.append(str(error)))

    def _console(self, message) -> None:
        if message.type == "error":  # a CSP violation is one too
            self.errors.append(message.text)

    def _response(self, response) -> None:
        if response.status >= 400:
            self.failed.append(f"{response.request.method} {response.url}: {response.status}")

    def hosts(self) -> set[str]:
        return {urlsplit(url).hostname for url in self.requests}
