"""Shared fixtures: a real SQLite file, a clock tests can set, and an offscreen Qt window."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

from kiosk import pinyin_index  # noqa: E402
from kiosk.clock import FixedClock  # noqa: E402
from kiosk.config import load_settings  # noqa: E402
from kiosk.core import Kiosk  # noqa: E402
from kiosk.pinyin_input import PinyinDictionary  # noqa: E402
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


@pytest.fixture(autouse=True)
def pinyin_cache(tmp_path_factory, monkeypatch) -> Path:
    """A kiosk that builds its pinyin index in a test builds it here, not in the user's cache;
    each test finds the index anew."""
    cache = tmp_path_factory.getbasetemp() / "pinyin-cache"
    monkeypatch.setattr(pinyin_index, "cache_dir", lambda: cache)
    monkeypatch.setattr(PinyinDictionary, "_shared", None)
    return cache


@pytest.fixture(scope="session")
def pinyin_index_file(tmp_path_factory) -> Path:
    """The pinyin index the kiosk reads: set-up's (scripts/setup.sh builds it), or else one
    built for this session, as a kiosk builds it (another process, some seconds)."""
    name = pinyin_index.file_name(pinyin_index.tag())
    if (pinyin_index.setup_dir() / name).is_file():
        return pinyin_index.setup_dir() / name
    cache = tmp_path_factory.getbasetemp() / "pinyin-cache"
    subprocess.run(pinyin_index.build_command(cache), check=True, capture_output=True,
                   timeout=pinyin_index.BUILD_TIMEOUT_S)
    return cache / name
