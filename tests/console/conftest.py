"""Fixtures for the web console's tests: Debian's chromium through Playwright, a real platform.

    def test_queue(page, console_platform):            # 1366×768 desktop page
        page.goto(console_platform.base_url + "/console")
        save_screenshot(page, "queue")                 # only with CONSOLE_SCREENSHOTS=1

    def test_on_a_phone(phone_page, console_platform): # 390×844, is_mobile, has_touch
    def test_two_operators(new_page):                  # new_page(phone=True, locale="zh-CN")

Without chromium or playwright the tests are skipped, or fail when CI is "true".
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from service_platform.db import Database
from tests.console.browser import (
    DESKTOP,
    LAUNCH_ARGS,
    PHONE,
    TIMEOUT_MS,
    chromium_path,
    sync_playwright,
)
from tests.platform.servers import PlatformProcess


@pytest.fixture(scope="package")
def browser():
    """One headless Chromium for the tests under tests/console (Playwright's sync API).

    Not for the whole session: while Playwright's sync API is started, this thread seems to
    run its asyncio loop, also between calls, so asyncio.run() fails with "cannot be called
    from a running event loop" (and leaves an unawaited coroutine, an error under the
    `filterwarnings = ["error"]` setting); it is stopped before any other package's tests."""
    executable = chromium_path()
    playwright = sync_playwright()().start()
    try:
        chromium = playwright.chromium.launch(executable_path=executable, args=LAUNCH_ARGS)
    except BaseException:
        playwright.stop()
        raise
    yield chromium
    chromium.close()
    playwright.stop()


@pytest.fixture()
def new_page(browser) -> Iterator[Callable[..., object]]:
    """Makes pages, each in a fresh context of its own (no shared cookies or storage):
    new_page() at 1366×768, new_page(phone=True) at 390×844 with touch; other keyword
    arguments go to browser.new_context (locale, timezone_id, …). All closed afterwards."""
    contexts = []

    def make(phone: bool = False, **options):
        context = browser.new_context(**{**(PHONE if phone else DESKTOP), **options})
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture()
def page(new_page):
    """A desktop-size page (1366×768) in a fresh browser context."""
    return new_page()


@pytest.fixture()
def phone_page(new_page):
    """A phone-size page (390×844, is_mobile, has_touch) in a fresh browser context."""
    return new_page(phone=True)


@pytest.fixture(scope="session")
def console_log_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("console-logs")


def _start(tmp_path_factory, log_dir: Path, extra_args: tuple[str, ...]) -> PlatformProcess:
    target = tmp_path_factory.mktemp("console-db") / "platform.sqlite3"
    return PlatformProcess(str(target), log_dir, extra_args=extra_args).start()


@pytest.fixture(scope="module")
def console_platform(request, tmp_path_factory, console_log_dir) -> Iterator[PlatformProcess]:
    """A real `kiosk-platform serve --demo` on SQLite, shared by one test module's tests
    (.base_url, .log()). Extra `serve` arguments by indirect parametrization:
    @pytest.mark.parametrize("console_platform", [("--complete-every", "1")], indirect=True)."""
    process = _start(tmp_path_factory, console_log_dir, tuple(getattr(request, "param", ())))
    yield process
    process.stop()


@pytest.fixture()
def start_console_platform(tmp_path_factory,
                           console_log_dir) -> Iterator[Callable[..., PlatformProcess]]:
    """Platforms of a test's own (fresh data, or to stop and restart): start(*extra_args);
    all stopped afterwards."""
    started: list[PlatformProcess] = []

    def start(*extra_args: str) -> PlatformProcess:
        started.append(_start(tmp_path_factory, console_log_dir, extra_args))
        return started[-1]

    yield start
    for process in started:
        process.stop()


@pytest.fixture(scope="module")
def db(console_platform):
    """The running platform's own database, as an operator's shell would reach it."""
    database = Database(console_platform.db_target)
    yield database
    database.dispose()


@pytest.fixture()
def en_page(new_page):
    """A desktop page whose browser asks for English."""
    return new_page(locale="en-GB")
