"""The day lists as PDF, written by Qt's real PDF writer: the kiosk's user's only."""
from __future__ import annotations

import datetime as dt
import os
import stat

from kiosk import day_lists
from ui.staff.pdf import export_pdf


def test_the_pdf_day_list_is_the_kiosk_users_only(qapp, core):
    old = os.umask(0o022)
    try:
        core.meals.book("elder-0001", "meal:2026-11-25:lunch", "pickup")
        lists = day_lists.day_lists(core.store, dt.date(2026, 11, 25))
        folder = day_lists.export_folder(core.settings.data_dir)
        path = export_pdf(core.text, lists, [], folder)
    finally:
        os.umask(old)
    assert path.read_bytes().startswith(b"%PDF")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700
