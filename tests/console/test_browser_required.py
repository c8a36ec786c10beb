"""Without the browser or Playwright the console tests are skipped on a developer's machine,
but fail in CI (CI=true), where scripts/setup.sh --test installs both: a skip there would
hide a broken set-up. The same rule holds for PostgreSQL (tests/needs.py)."""
from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from tests.console.browser import ROOT, chromium_path, sync_playwright
from tests.needs import unavailable

MISSING = "/nonexistent/chromium"


def test_a_missing_browser_fails_under_ci(monkeypatch):
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match=f"no browser at {MISSING}"):
        chromium_path(MISSING)


def test_a_missing_browser_skips_elsewhere(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="scripts/setup.sh --test"):
        chromium_path(MISSING)


def test_missing_playwright_fails_under_ci_and_skips_elsewhere(monkeypatch):
    monkeypatch.setitem(sys.modules, "playwright.sync_api", None)  # import fails
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="playwright is not installed"):
        sync_playwright()
    monkeypatch.setenv("CI", "false")
    with pytest.raises(pytest.skip.Exception):
        sync_playwright()


def test_missing_postgres_rule(monkeypatch):
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI=true"):
        unavailable("PostgreSQL binaries are not installed")
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception):
        unavailable("PostgreSQL binaries are not installed")


def test_browser_tests_fail_in_ci_without_the_browser():
    """The real fixtures, in a pytest of their own, pointed at a browser that is not there."""
    env = {name: value for name, value in os.environ.items()
           if name not in ("CONSOLE_SCREENSHOTS", "PYTEST_ADDOPTS")}
    env.update(CI="true", KIOSK_TEST_CHROMIUM=MISSING)
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-n", "0", "-p", "no:cacheprovider",
         "tests/console/test_docs_offline.py::test_browser_enforces_the_docs_policy"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 1, run.stdout + run.stderr
    assert f"no browser at {MISSING}" in run.stdout
    assert re.search(r"^1 error in ", run.stdout, re.MULTILINE), run.stdout  # not "1 skipped"
