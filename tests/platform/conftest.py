"""Fixtures for the platform tests: SQLite always, PostgreSQL when its binaries are installed
(under CI=true they must be: tests/needs.py)."""
from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from service_platform.db import Database
from tests.needs import unavailable
from tests.platform.servers import PlatformProcess, PostgresCluster, postgres_bindir
from tests.platform.wire import TestPlatform

_files = itertools.count(1)


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[PostgresCluster]:
    bindir = postgres_bindir()
    if bindir is None:
        unavailable("PostgreSQL binaries (initdb, pg_ctl) are not installed; "
                    "scripts/setup.sh --test installs them")
    cluster = PostgresCluster(bindir).start()
    yield cluster
    cluster.stop()


@pytest.fixture(scope="session", params=["sqlite", pytest.param("postgres",
                                                              marks=pytest.mark.postgres)])
def new_database(request, tmp_path_factory) -> Callable[[], str]:
    """Makes empty databases of one backend; each call gives a new target (path or URL)."""
    if request.param == "postgres":
        return request.getfixturevalue("postgres_cluster").new_database
    base = tmp_path_factory.mktemp("sqlite")
    return lambda: str(base / f"platform-{next(_files)}.sqlite3")


@pytest.fixture(scope="session")
def log_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("logs")


@pytest.fixture(scope="session")
def platform(new_database, log_dir) -> Iterator[TestPlatform]:
    """One demo platform per backend, shared: tests keep apart with their own communities."""
    target = new_database()
    process = PlatformProcess(target, log_dir).start()
    db = Database(target)
    yield TestPlatform(process.base_url, db)
    db.dispose()
    process.stop()


@pytest.fixture()
def start_platform(new_database, log_dir) -> Iterator[Callable[..., PlatformProcess]]:
    """Starts platforms of one's own (for killing and restarting); all stopped afterwards."""
    started: list[PlatformProcess] = []

    def start(target: str | None = None, *extra_args: str) -> PlatformProcess:
        process = PlatformProcess(target or new_database(), log_dir,
                                  extra_args=extra_args).start()
        started.append(process)
        return process

    yield start
    for process in started:
        process.stop()
