"""Shared fixtures: a real SQLite file, a clock tests can set, and an offscreen Qt window."""
from __future__ import annotations

import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

from kiosk.clock import FixedClock  # noqa: E402
from kiosk.config import load_settings  # noqa: E402
from kiosk.core import Kiosk  # noqa: E402
from kiosk.store import Store  # noqa: E402

# Tuesday morning before the lunch cut-off, in the community's time zone.
MORNING = "2026-11-24T08:00:00"


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(MORNING)


@pytest.fixture
def settings(tmp_path):
    return load_settings(tmp_path / "no-config.toml", data_dir=tmp_path / "data")


@pytest.fixture
def store(settings):
    db = Store(settings.db_path)
    yield db
    db.close()


@pytest.fixture
def core(settings, clock, store):
    kiosk = Kiosk(settings, clock=clock, store=store)
    kiosk.seed_demo_if_empty()
    return kiosk


def pytest_sessionfinish(session, exitstatus):
    session.config.kiosk_exit_status = int(exitstatus)


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config):
    """Leave without the interpreter's final garbage collection once everything is reported.

    PySide6 6.12 can abort there ("bool_dealloc", a reference-count error in the binding) after
    Qt objects were deleted during the run; the scripts that drive the real window see it too.
    The results are printed and every plugin has finished by now.
    """
    status = getattr(config, "kiosk_exit_status", None)
    if status is not None:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(status)
