"""The staff audit log as kept on this kiosk (and synced as audit.append), newest first."""
from __future__ import annotations

import datetime as dt

from kiosk.audit import recent
from ui.staff.base import StaffScreen
from ui.staff.widgets import Pager, pager_row, show_page
from ui.widgets import label

ROWS = 7


def entry_text(t, entry, today: dt.date) -> str:
    moment = dt.datetime.fromisoformat(entry.created_at)
    when = t.time(moment) if moment.date() == today else moment.strftime("%m-%d %H:%M")
    action = t(f"audit.{entry.action}") if t.has(f"audit.{entry.action}") else entry.action
    return f"{when} · {entry.staff_name} · {action}"


class StaffAuditScreen(StaffScreen):
    name = "staff_audit"

    def build(self) -> None:
        self.set_title(self.t("staff.menu.audit"))
        self.lines = [label("", wrap=False) for _ in range(ROWS)]
        for line in self.lines:
            self.body.addWidget(line)
        self.body.addStretch(1)
        pager, self.previous, self.following, self.where = pager_row(
            self.t, self.metrics.gap, self._move)
        self.body.addLayout(pager)
        self.pager = Pager(ROWS)

    def enter(self) -> None:
        self.pager.set(recent(self.core.store))
        self._show()

    def _move(self, step: int) -> None:
        self.pager.move(step)
        self._show()

    def _show(self) -> None:
        shown = self.pager.visible()
        today = self.core.clock.today()
        for index, line in enumerate(self.lines):
            entry = shown[index] if index < len(shown) else None
            line.setText(entry_text(self.t, entry, today) if entry else "")
            line.setVisible(entry is not None)
        show_page(self.pager, self.t, self.previous, self.following, self.where)
