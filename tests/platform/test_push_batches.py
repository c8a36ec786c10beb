"""A pushed batch is one transaction (docs/protocol.md §4.1, §4.3): savepoints per operation,
a fault keeps only what came before it, and two kiosks' batches over the same slots queue."""
from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import threading

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from elder_wire.operations import PushRequest
from service_platform import bookings, catalogue, migrations, operations, operators
from service_platform.auth import Kiosk
from service_platform.db import Database, insert_rows
from service_platform.schema import applied_ops, changes
from service_platform.schema import bookings as bookings_table
from tests.platform.wire import (
    SHANGHAI,
    TestPlatform,
    booking_op,
    cancel_op,
    confirmed_in_feed,
    help_op,
)


@pytest.fixture()
def db(new_database):
    """A migrated database of the backend, used in this process (no HTTP)."""
    database = Database(new_database())
    migrations.migrate(database)
    yield database
    database.dispose()


def _community(db: Database, elders: int, capacity: int) -> tuple[Kiosk, str]:
    operators.add_community(db, "c", "社区")
    people = [{"id": f"elder-{n:03d}", "card_no": f"9{n:07d}", "name": f"长者{n}", "phone": "",
               "address": "", "subsidy_level": "basic", "delivery_allowed": True,
               "home_visit_allowed": False, "dietary": [], "active": True}
              for n in range(1, elders + 1)]
    db.run_write(lambda conn: catalogue.put_elders(conn, "c", people))
    day = dt.date(2040, 6, 1)
    slot = f"meal:{day}:lunch"
    operators.add_meal_slot(db, "c", {
        "id": slot, "day": day.isoformat(), "meal": "lunch", "capacity": capacity,
        "cutoff": dt.datetime.combine(day, dt.time(9, 30), SHANGHAI).isoformat(),
        "price_cents": 1500, "menu": []})
    kiosk_id, _code = operators.add_kiosk(db, "c", "终端")
    return Kiosk(kiosk_id, "c", "终端"), slot


def _push(db: Database, kiosk: Kiosk, *ops: dict) -> list[dict]:
    parsed = PushRequest.model_validate({"operations": list(ops)}).operations
    return [result.model_dump() for result in operations.push(db, kiosk, parsed)]


def _counts(db: Database) -> tuple[int, int, list[int]]:
    with db.read() as conn:
        stored = conn.execute(select(func.count()).select_from(applied_ops)).scalar_one()
        booked = conn.execute(select(func.count()).select_from(bookings_table)).scalar_one()
        seqs = list(conn.execute(select(changes.c.seq).where(
            changes.c.community_id == "c").order_by(changes.c.seq)).scalars())
    return stored, booked, seqs


def test_a_fault_keeps_the_operations_before_it_and_nothing_of_it_or_after(db, monkeypatch):
    kiosk, slot = _community(db, elders=5, capacity=3)
    batch = [booking_op(f"elder-{n:03d}", slot) for n in range(1, 5)] + [help_op("elder-001")]
    _, _, feed_before = _counts(db)
    real_insert = bookings._insert

    def broken(conn, kiosk, op_id, order, *args):
        row = real_insert(conn, kiosk, op_id, order, *args)  # written, then the bug strikes
        if order.elder_id == "elder-003":
            raise KeyError("a bug")
        return row

    monkeypatch.setattr(bookings, "_insert", broken)
    with pytest.raises(operations.OperationFailed) as raised:
        _push(db, kiosk, *batch)
    assert isinstance(raised.value.__cause__, KeyError)
    stored, booked, seqs = _counts(db)
    assert (stored, booked) == (2, 2)  # the two before it; not its booking, nothing after it
    assert seqs == feed_before + [len(feed_before) + 1, len(feed_before) + 2]

    monkeypatch.setattr(bookings, "_insert", real_insert)  # the platform is fixed
    results = _push(db, kiosk, *batch)
    assert [(r["status"], r["reason"]) for r in results] == [
        ("applied", None)] * 3 + [("rejected", "full"), ("applied", None)]
    assert _push(db, kiosk, *batch) == results
    stored, booked, seqs = _counts(db)
    assert (stored, booked) == (5, 3)
    assert seqs == list(range(1, len(seqs) + 1))


def test_a_duplicate_result_written_in_bulk_is_an_integrity_error(db):
    """A batch's rows go to the database in bulk, past SQLAlchemy's `execute`; a constraint
    they break must still be SQLAlchemy's IntegrityError, which `push` answers by trying the
    batch again (a concurrent push of the same operations)."""
    kiosk, slot = _community(db, elders=2, capacity=2)
    _push(db, kiosk, booking_op("elder-001", slot))
    with db.read() as conn:
        row = dict(conn.execute(select(applied_ops)).mappings().one())
    with pytest.raises(IntegrityError):
        db.run_write(lambda conn: insert_rows(conn, applied_ops, tuple(row),
                                              [tuple(row.values())]))
    assert _counts(db)[:2] == (1, 1)


def test_an_operations_digest_is_the_sha256_of_its_canonical_json():
    """The digest compares an operation sent again with the one stored, perhaps by an earlier
    version of the platform: it stays the SHA-256 of this JSON, whatever writes it."""
    op = PushRequest.model_validate({"operations": [{
        "op_id": "5b0c9d7e-1f7a-4d7e-9a39-0f3f4a8e2c11", "type": "future.类型",
        "created_at": "2026-12-01T10:00:00.250+08:00",
        "payload": {"z": [1, 2.5, {"b": None, "a": True}], "名字": "王秀英\n\t\"\\",
                    "big": 10 ** 20, "e": 1e16}}]}).operations[0]
    canonical = json.dumps({"type": op.type, "payload": op.payload,
                            "created_at": op.created_at.isoformat()},
                           sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert operations.digest(op) == hashlib.sha256(canonical.encode()).hexdigest()


def test_capacity_and_cancels_within_one_batch(db):
    """The batch's own bookings and cancels count for the operations after them."""
    kiosk, slot = _community(db, elders=6, capacity=2)
    first, second = booking_op("elder-001", slot), booking_op("elder-002", slot)
    results = _push(db, kiosk, first, second, booking_op("elder-003", slot),
                    cancel_op(first["payload"]["id"]), booking_op("elder-004", slot),
                    booking_op("elder-005", slot), booking_op("elder-002", slot))
    assert [(r["status"], r["reason"]) for r in results] == [
        ("applied", None), ("applied", None), ("rejected", "full"), ("applied", None),
        ("applied", None), ("rejected", "full"), ("applied", None)]  # the same place
    with db.read() as conn:
        confirmed = conn.execute(select(func.count()).select_from(bookings_table).where(
            bookings_table.c.status == "confirmed")).scalar_one()
    assert confirmed == 2


def test_a_batch_knows_the_places_its_elders_held_before_it(db):
    """A batch looks up at once which places its elders hold already, in any slot: a booking
    of one they hold is the same place, one sent again is the one stored, the others are new."""
    kiosk, lunch = _community(db, elders=4, capacity=10)
    dinner = _slot(db, "dinner", capacity=10)
    tomorrow = _slot(db, "lunch", capacity=10, day=dt.date(2040, 6, 2))
    held = [booking_op("elder-001", lunch), booking_op("elder-001", dinner),
            booking_op("elder-002", lunch)]
    assert [r["status"] for r in _push(db, kiosk, *held)] == ["applied"] * 3
    again = booking_op("elder-001", dinner)
    resent = {**held[2], "op_id": booking_op("elder-002", lunch)["op_id"]}
    results = _push(db, kiosk, booking_op("elder-003", lunch), again, resent,
                    booking_op("elder-001", tomorrow), booking_op("elder-002", dinner))
    assert [(r["status"], r["data"]["booking_id"], r["data"].get("merged")) for r in results] \
        == [("applied", results[0]["data"]["booking_id"], None),
            ("applied", held[1]["payload"]["id"], True),
            ("applied", held[2]["payload"]["id"], None),
            ("applied", results[3]["data"]["booking_id"], None),
            ("applied", results[4]["data"]["booking_id"], None)]
    with db.read() as conn:
        places = conn.execute(select(bookings_table.c.elder_id, bookings_table.c.slot_id).where(
            bookings_table.c.status == "confirmed")).all()
    assert sorted(places) == sorted([
        ("elder-001", lunch), ("elder-001", dinner), ("elder-002", lunch),
        ("elder-003", lunch), ("elder-001", tomorrow), ("elder-002", dinner)])


def _slot(db: Database, meal: str, capacity: int, day: dt.date = dt.date(2040, 6, 1)) -> str:
    slot = f"meal:{day}:{meal}"
    operators.add_meal_slot(db, "c", {
        "id": slot, "day": day.isoformat(), "meal": meal, "capacity": capacity,
        "cutoff": dt.datetime.combine(day, dt.time(9, 30), SHANGHAI).isoformat(),
        "price_cents": 1500, "menu": []})
    return slot


def test_two_kiosks_batches_over_the_same_slots_in_opposite_orders(start_platform):
    """Row locks held to the end of a batch, taken in each batch's own order, would deadlock
    here on PostgreSQL; taken up front in one order, the batches queue. Capacity holds."""
    process = start_platform()
    db = Database(process.db_target)
    try:
        setup = TestPlatform(process.base_url, db)
        community = setup.community(elders=41)
        slots = [setup.slot(community, capacity=30) for _ in range(4)]
        east, west = setup.kiosk(community), setup.kiosk(community)

        def batches(elders: range, order: list[str]) -> list[list[dict]]:
            return [[booking_op(f"elder-{n:03d}", slot) for slot in order for n in elders[i:i + 5]]
                    for i in range(0, len(elders), 5)]

        work = {east: batches(range(1, 21), slots), west: batches(range(21, 41), slots[::-1])}
        results: dict = {east: [], west: []}

        def push(kiosk):
            for batch in work[kiosk]:
                results[kiosk] += kiosk.push(*batch)

        threads = [threading.Thread(target=push, args=(kiosk,)) for kiosk in work]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        everything = results[east] + results[west]
        assert len(everything) == 160
        assert {(r["status"], r["reason"]) for r in everything} <= {
            ("applied", None), ("rejected", "full")}
        assert sum(r["status"] == "applied" for r in everything) == 4 * 30
        pulled, _ = east.pull_all()
        assert [confirmed_in_feed(pulled, slot) for slot in slots] == [30] * 4
        seqs = [c["seq"] for c in pulled]
        assert seqs == sorted(set(seqs))
        assert "transient database error" not in process.log()  # no deadlock was retried
    finally:
        db.dispose()


def test_a_catalogue_change_counts_from_the_next_batch_on(db):
    """Catalogue entries are parsed once per text in a process; the rows are read anew."""
    kiosk, slot = _community(db, elders=3, capacity=5)
    assert _push(db, kiosk, booking_op("elder-001", slot))[0]["status"] == "applied"
    with db.read() as conn:
        meal = catalogue.service_entry(conn, "c", "meal")
    closed = dataclasses.replace(meal, active=False)
    db.run_write(lambda conn: catalogue.put_services(conn, "c", [closed]))
    [refused] = _push(db, kiosk, booking_op("elder-002", slot))
    assert (refused["status"], refused["reason"]) == ("rejected", "unknown_service")
    db.run_write(lambda conn: catalogue.put_services(conn, "c", [meal]))
    assert _push(db, kiosk, booking_op("elder-002", slot))[0]["status"] == "applied"
