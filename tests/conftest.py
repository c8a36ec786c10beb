"""Shared fixtures: a real SQLite file, a clock tests can set, and an offscreen Qt window."""
from __future__ import annotations

import os

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
