"""The staff audit log as kept on this kiosk (and synced as audit.append), newest first."""
from __future__ import annotations

import datetime as dt

from kiosk.audit import recent
from ui.staff.base import StaffScreen
from ui.staff.widgets import FitPages


def entry_text(t, entry, today: dt.date) -> str:
    moment = dt.datetime.fromisoformat(entry.created_at)
    when = t.time(moment) if moment.date() == today else moment.strftime("%m-%d %H:%M")
    key = f"audit.{entry.action}"
    action = t(key) if t.has(key) else t("audit.other")
    return f"{when} · {entry.staff_name} · {action}"


class StaffAuditScreen(StaffScreen):
    name = "staff_audit"

    def build(self) -> None:
        self.set_title(self.t("staff.menu.audit"))
        self.pages = FitPages(self, self.metrics.gap)  # as many lines as fit, then pages
        self.body.addWidget(self.pages, 1)

    def enter(self) -> None:
        today = self.core.clock.today()
        self.pages.show_texts([entry_text(self.t, e, today) for e in recent(self.core.store)])

    def fit(self) -> None:
        self.pages.show_blocks(self.pages.blocks, keep_page=True)
