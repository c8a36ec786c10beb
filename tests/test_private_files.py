"""Files holding personal data and PIN hashes are the kiosk's (and the platform's) own: the
data folder 0700, the databases and their companions 0600, under an ordinary umask."""
from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

import pytest

from kiosk.store import Store
from service_platform.db import Database


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture(autouse=True)
def ordinary_umask():
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_a_new_data_folder_and_database_are_the_kiosk_users_only(tmp_path):
    data = tmp_path / "data"
    store = Store(data / "kiosk.sqlite3")
    with store.transaction() as conn:  # a write, so the WAL exists
        conn.execute("INSERT INTO sync_state (key, value) VALUES ('k', 'v')")
    assert mode(data) == 0o700
    assert mode(data / "kiosk.sqlite3") == 0o600
    for companion in ("kiosk.sqlite3-wal", "kiosk.sqlite3-shm"):
        assert mode(data / companion) == 0o600
    store.close()


def test_an_existing_open_folder_and_database_are_narrowed_at_start(tmp_path):
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    sqlite3.connect(data / "kiosk.sqlite3").close()
    os.chmod(data / "kiosk.sqlite3", 0o644)
    store = Store(data / "kiosk.sqlite3")
    assert (mode(data), mode(data / "kiosk.sqlite3")) == (0o700, 0o600)
    store.close()


def test_a_shared_sticky_folder_is_left_alone(tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, 0o1777)
    Store(shared / "kiosk.sqlite3").close()
    assert mode(shared) == 0o1777 and mode(shared / "kiosk.sqlite3") == 0o600


def test_the_platforms_new_sqlite_file_is_its_users_only(tmp_path):
    db = Database(tmp_path / "platform" / "platform.sqlite3")
    with db.write() as conn:
        conn.exec_driver_sql("CREATE TABLE t (x)")
    db.dispose()
    assert mode(tmp_path / "platform" / "platform.sqlite3") == 0o600
