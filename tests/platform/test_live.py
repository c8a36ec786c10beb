"""Consoles are told of a change only once it has committed: a console that reads the moment
it is told sees the change (told earlier, it read the state before and missed the call)."""
from __future__ import annotations

import pytest
from sqlalchemy import Column, MetaData, String, Table, func, insert, select

from service_platform import live
from service_platform.db import Database, after_commit

metadata = MetaData()
notes = Table("live_test_notes", metadata, Column("id", String, primary_key=True))


@pytest.fixture()
def db(new_database):
    database = Database(new_database())
    metadata.create_all(database.engine)
    yield database
    database.dispose()


def _count(db: Database) -> int:
    with db.read() as conn:  # another connection: sees only what has committed
        return conn.execute(select(func.count()).select_from(notes)).scalar_one()


class ReadingHub(live.Hub):
    """Reads the database the moment it is told, as a console's refresh does."""

    def __init__(self, db: Database) -> None:
        super().__init__()
        self.db = db
        self.told: list[tuple[str, int]] = []

    def announce(self, community_id: str) -> None:
        self.told.append((community_id, _count(self.db)))


def test_a_change_is_announced_after_its_commit_and_once(db, monkeypatch):
    hub = ReadingHub(db)
    monkeypatch.setattr(live, "HUB", hub)
    with db.write() as conn:
        conn.execute(insert(notes), {"id": "a"})
        live.publish(conn, "community-1")
        live.publish(conn, "community-1")  # the same community twice: told once
        assert hub.told == []
    assert hub.told == [("community-1", 1)]


def test_a_rolled_back_change_is_never_announced(db, monkeypatch):
    hub = ReadingHub(db)
    monkeypatch.setattr(live, "HUB", hub)
    with pytest.raises(RuntimeError), db.write() as conn:
        conn.execute(insert(notes), {"id": "a"})
        live.publish(conn, "community-1")
        raise RuntimeError("the work failed")
    with db.write() as conn:  # the same pooled connection: nothing left over from before
        conn.execute(insert(notes), {"id": "b"})
        live.publish(conn, "community-2")
    assert hub.told == [("community-2", 1)]


def test_after_commit_runs_once_committed_never_after_a_rollback(db):
    seen: list[int] = []
    with pytest.raises(RuntimeError), db.write() as conn:
        conn.execute(insert(notes), {"id": "a"})
        after_commit(conn, lambda: seen.append(-1))
        raise RuntimeError("the work failed")
    with db.write() as conn:
        conn.execute(insert(notes), {"id": "b"})
        after_commit(conn, lambda: seen.append(_count(db)))
    assert seen == [1]


def test_a_failing_action_after_the_commit_does_not_fail_the_write(db):
    def fails() -> None:
        raise RuntimeError("a listener's trouble")

    with db.write() as conn:
        conn.execute(insert(notes), {"id": "a"})
        after_commit(conn, fails)
    assert _count(db) == 1
