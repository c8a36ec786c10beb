"""The local store: durable settings, forward migrations, all-or-nothing transactions."""
from __future__ import annotations

import sqlite3

import pytest

from kiosk.errors import StorageError
from kiosk.migrations import LATEST
from kiosk.store import Store


def test_a_new_store_is_migrated_and_durable(store):
    assert store.schema_version == LATEST
    assert store.query_one("PRAGMA journal_mode")[0] == "wal"
    assert store.query_one("PRAGMA synchronous")[0] == 2  # FULL
    assert store.query_one("PRAGMA foreign_keys")[0] == 1


def test_reopening_keeps_data_and_does_not_migrate_again(settings, store):
    with store.transaction():
        store.set_state("cursor", "42")
    store.close()
    again = Store(settings.db_path)
    assert again.get_state("cursor") == "42"
    assert again.schema_version == LATEST
    again.close()


def test_a_failed_transaction_leaves_nothing(store):
    with pytest.raises(RuntimeError), store.transaction():
        store.set_state("half", "written")
        raise RuntimeError("power cut")
    assert store.get_state("half") == ""


def test_a_store_from_a_newer_kiosk_is_refused(settings, store):
    store.conn.execute(f"PRAGMA user_version = {LATEST + 1}")
    store.close()
    with pytest.raises(StorageError):
        Store(settings.db_path)


def test_foreign_keys_hold(store):
    with pytest.raises(sqlite3.IntegrityError), store.transaction() as conn:
        conn.execute(
            "INSERT INTO bookings (id, number, elder_id, service, slot_id, price_cents, "
            "subsidy_cents, pay_cents, status, created_at, updated_at) "
            "VALUES ('b', 'n', 'no-such-elder', 'meal', 's', 0, 0, 0, 'tentative', 't', 't')"
        )


def test_an_unwritable_location_is_a_known_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(StorageError):
        Store(blocker / "kiosk.sqlite3")


def _booking(conn, booking_id: str, origin: str, status: str = "confirmed") -> None:
    conn.execute(
        "INSERT INTO bookings (id, number, elder_id, service, slot_id, price_cents, "
        "subsidy_cents, pay_cents, status, origin, created_at, updated_at, lease_id) "
        "VALUES (?, 'n', 'e1', 'meal', 's', 0, 0, 0, ?, ?, 't', 't', 'lease-1')",
        (booking_id, status, origin))


def test_one_live_booking_of_its_own_per_elder_and_slot(store):
    with store.transaction() as conn:
        conn.execute("INSERT INTO elders (id, card_no, name, updated_at) "
                     "VALUES ('e1', 'c1', 'n', 't')")
        _booking(conn, "mine", "local")
        _booking(conn, "elsewhere", "remote")  # made at another kiosk: not this kiosk's
        _booking(conn, "gone", "local", "cancelled")
    with pytest.raises(sqlite3.IntegrityError), store.transaction() as conn:
        _booking(conn, "again", "local", "waitlisted")
    # a lease's places are counted among this kiosk's own bookings, by their index
    lease = "SELECT COUNT(*) FROM bookings WHERE lease_id = 'lease-1' AND origin = 'local'"
    assert store.query_one(lease)[0] == 2
    assert "bookings_lease" in " ".join(
        row[3] for row in store.query(f"EXPLAIN QUERY PLAN {lease}"))
