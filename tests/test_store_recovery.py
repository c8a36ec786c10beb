"""A damaged kiosk database at start, on real SQLite files cut short or with a page of
garbage: the file is kept aside, unsent operations come back first, staff are told."""
from __future__ import annotations

import json
import logging
import os
import re
import sqlite3

import pytest

from kiosk import staff
from kiosk.core import Kiosk
from kiosk.i18n import Translator
from kiosk.recovery import damage
from kiosk.store import Store

T = Translator("zh_CN")


@pytest.fixture
def kiosk_file(settings, clock):
    """A demo kiosk's database with eight meals booked and not yet sent, closed as at a
    power cut's end; its outbox and the pages where each table lives."""
    core = Kiosk(settings, clock=clock)
    core.seed_demo_if_empty()
    staff.seed_demo_staff(core.store, clock)
    for n in range(1, 9):
        core.meals.book(f"elder-000{n}", "meal:2026-11-25:lunch", "pickup")
    outbox = [tuple(r) for r in core.store.query(
        "SELECT op_id, op_type, payload, created_at FROM outbox WHERE state = 'pending'")]
    names = [r["name"] for r in core.store.query("SELECT name FROM elders")]
    core.close()
    conn = sqlite3.connect(settings.db_path)
    pages: dict[str, list[int]] = {}
    for name, page in conn.execute("SELECT name, pageno FROM dbstat ORDER BY pageno"):
        pages.setdefault(name, []).append(page)
    size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    assert len(outbox) == 8 and not settings.db_path.with_name("kiosk.sqlite3-wal").exists()
    return {"path": settings.db_path, "outbox": outbox, "pages": pages, "size": size,
            "names": names}


def truncate(info, pages: int) -> bytes:
    with info["path"].open("r+b") as fh:
        fh.truncate(pages * info["size"])
    return info["path"].read_bytes()


def overwrite(info, page: int) -> bytes:
    with info["path"].open("r+b") as fh:
        fh.seek((page - 1) * info["size"])
        fh.write(os.urandom(info["size"]))
    return info["path"].read_bytes()


def start(settings, clock, caplog) -> Kiosk:
    caplog.set_level(logging.INFO)
    return Kiosk(settings, clock=clock)


def pending(core) -> list[tuple]:
    return [tuple(r) for r in core.store.query(
        "SELECT op_id, op_type, payload, created_at FROM outbox WHERE state = 'pending' "
        "ORDER BY seq")]


def kept_aside(settings, damaged: bytes):
    [aside] = [p for p in settings.data_dir.iterdir() if ".damaged-" in p.name]
    assert re.fullmatch(r"kiosk\.sqlite3\.damaged-\d{8}T\d{6}", aside.name)
    assert aside.read_bytes() == damaged  # all of it, as it was
    return aside


def assert_told(core, info, caplog, unsent: int, may_be_lost: bool) -> None:
    recovery = core.store.recovery
    assert recovery is not None and recovery.unsent == unsent
    assert recovery.unsent_may_be_lost is may_be_lost
    lines = core.staff_sync_lines()
    assert f"找回了 {unsent} 项" in lines[0] and recovery.kept_as in lines[0]
    assert (T("store.recovered.unsent_lost") in lines) is may_be_lost
    [line] = [r for r in caplog.records if r.name == "kiosk.recovery"]
    assert line.levelno == logging.ERROR and recovery.kept_as in line.getMessage()
    for name in info["names"]:  # no personal data in the log
        assert name not in caplog.text
    assert core.store.get_state("pull_cursor") == "0"  # the platform's data comes again
    assert damage(core.settings.db_path) is None


def test_a_sound_database_is_left_as_it_is(kiosk_file, settings, clock, caplog):
    core = start(settings, clock, caplog)
    assert core.store.recovery is None and pending(core) == kiosk_file["outbox"]
    assert not [p for p in settings.data_dir.iterdir() if ".damaged-" in p.name]
    core.close()


def test_a_file_cut_after_its_outbox_gives_every_unsent_operation_back(kiosk_file, settings,
                                                                      clock, caplog):
    pages = kiosk_file["pages"]
    keep = max(pages["outbox"] + pages["sqlite_schema"] + pages["staff_pins"])
    assert max(pages["slots"]) > keep  # what is cut off: slots (the platform sends them again)
    damaged = truncate(kiosk_file, keep)

    core = start(settings, clock, caplog)

    kept_aside(settings, damaged)
    assert pending(core) == kiosk_file["outbox"]
    assert_told(core, kiosk_file, caplog, unsent=8, may_be_lost=False)
    assert "slots" in core.store.recovery.lost
    assert staff.verify_pin(core.store, clock, "staff-zhang", "1234").id == "staff-zhang"
    core.close()


def test_a_file_cut_inside_its_outbox_says_unsent_records_may_be_lost(kiosk_file, settings,
                                                                       clock, caplog):
    damaged = truncate(kiosk_file, min(kiosk_file["pages"]["outbox"]) - 1)

    core = start(settings, clock, caplog)

    kept_aside(settings, damaged)
    assert pending(core) == []
    assert_told(core, kiosk_file, caplog, unsent=0, may_be_lost=True)
    core.close()


@pytest.mark.parametrize("table", ["elders", "outbox_pending", "bookings"])
def test_a_garbage_page_loses_only_its_own_rows(kiosk_file, settings, clock, caplog, table):
    damaged = overwrite(kiosk_file, kiosk_file["pages"][table][0])

    core = start(settings, clock, caplog)

    kept_aside(settings, damaged)
    assert pending(core) == kiosk_file["outbox"]
    assert_told(core, kiosk_file, caplog, unsent=8, may_be_lost=False)
    core.close()


def test_garbage_over_the_first_page_still_gives_the_outbox_back(kiosk_file, settings, clock,
                                                                 caplog):
    """SQLite cannot open the file at all: the operations are read from its pages."""
    damaged = overwrite(kiosk_file, 1)
    with pytest.raises(sqlite3.DatabaseError):
        sqlite3.connect(kiosk_file["path"]).execute("SELECT * FROM outbox").fetchall()

    core = start(settings, clock, caplog)

    kept_aside(settings, damaged)
    assert pending(core) == kiosk_file["outbox"]
    assert_told(core, kiosk_file, caplog, unsent=8, may_be_lost=True)
    assert json.loads(pending(core)[0][2])["slot_id"] == "meal:2026-11-25:lunch"
    core.close()


def test_garbage_over_the_outbox_page_is_told_not_hidden(kiosk_file, settings, clock, caplog):
    damaged = overwrite(kiosk_file, kiosk_file["pages"]["outbox"][0])

    core = start(settings, clock, caplog)

    kept_aside(settings, damaged)
    assert pending(core) == []
    assert_told(core, kiosk_file, caplog, unsent=0, may_be_lost=True)
    core.close()


def test_only_the_starting_kiosk_checks_and_a_second_store_opens_the_new_file(
        kiosk_file, settings, clock, caplog):
    overwrite(kiosk_file, kiosk_file["pages"]["elders"][0])
    core = start(settings, clock, caplog)
    second = Store(settings.db_path)  # the sync thread's, after start
    assert second.recovery is None
    assert second.query_one("SELECT COUNT(*) AS n FROM outbox")["n"] == 8
    second.close()
    core.close()


def test_a_file_as_its_clean_close_left_it_is_not_checked_again_at_start(kiosk_file, settings,
                                                                          clock, caplog):
    # The close checked it and noted it; a start then trusts that note while nothing has
    # touched the file, and only then: here the page of garbage is written behind the note's
    # back (its time put back), so the start does not see it.
    path = kiosk_file["path"]
    assert path.with_name("kiosk.sqlite3.closed").exists()
    before = path.stat()
    damaged = overwrite(kiosk_file, kiosk_file["pages"]["elders"][0])
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    core = start(settings, clock, caplog)
    assert core.store.recovery is None and path.read_bytes() == damaged
    core.store.conn.close()
    os.utime(path)  # touched since: the note no longer says how the file is
    store = Store(path, check=True)
    assert store.recovery is not None
    store.close()


def test_a_damaged_file_is_not_noted_sound_at_close(kiosk_file, settings, clock, caplog):
    core = start(settings, clock, caplog)
    overwrite(kiosk_file, kiosk_file["pages"]["bookings"][0])
    core.close()
    assert not kiosk_file["path"].with_name("kiosk.sqlite3.closed").exists()
    again = start(settings, clock, caplog)
    assert again.store.recovery is not None
    again.close()
