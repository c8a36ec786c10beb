"""The attention list: help requests (acknowledge, resolve), refused bookings, complaints,
refused elder edits, failed operations — each stays until staff dealt with it."""
from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import QHBoxLayout

from kiosk import attention
from kiosk.attention import AttentionItem
from ui.staff.base import StaffScreen
from ui.staff.widgets import Pager, pager_row, show_page
from ui.widgets import BigButton, label

ROWS = 4


def item_text(t, item: AttentionItem, today: dt.date) -> str:
    who = item.elder_name or t("staff.attention.no_elder")
    if item.kind == "help":
        key = f"staff.attention.help_kind.{item.detail}"
        what = t(key) if t.has(key) else item.detail
        state = t(f"staff.attention.help.{item.state}")
    elif item.kind == "booking":
        what = t("staff.attention.booking", reason=reason_text(t, item.detail))
        state = ""
    elif item.kind == "complaint":
        what = t("staff.attention.complaint")
        state = ""
    elif item.kind == "elder":
        what = t("staff.attention.elder", reason=reason_text(t, item.detail))
        state = ""
    else:
        what = t("staff.attention.operation", op=item.detail)
        state = ""
    when = when_text(t, item.created_at, today)
    return " · ".join(p for p in (what, who, when, state) if p)


def reason_text(t, code: str) -> str:
    return t(f"reason.{code}") if t.has(f"reason.{code}") else t("reason.unknown_code",
                                                                 code=code)


def when_text(t, stamp: str, today: dt.date) -> str:
    try:
        moment = dt.datetime.fromisoformat(stamp)
    except ValueError:
        return ""
    return t.time(moment) if moment.date() == today else moment.strftime("%m-%d %H:%M")


class StaffAttentionScreen(StaffScreen):
    name = "staff_attention"

    def build(self) -> None:
        gap = self.metrics.gap
        self.set_title(self.t("staff.menu.attention"))
        self.failed_elders = label("", "note")
        self.body.addWidget(self.failed_elders)
        self.rows = []
        for index in range(ROWS):
            row = QHBoxLayout()
            row.setSpacing(gap)
            text = label("")
            first = BigButton("", "nav")
            second = BigButton(self.t("staff.attention.resolve"), "nav")
            first.tapped.connect(lambda i=index: self._act(i, first=True))
            second.tapped.connect(lambda i=index: self._act(i, first=False))
            row.addWidget(text, 1)
            row.addWidget(first)
            row.addWidget(second)
            self.body.addLayout(row)
            self.rows.append((text, first, second))
        self.empty = label(self.t("staff.attention.empty"))
        self.body.addWidget(self.empty)
        self.body.addStretch(1)
        self.body.addWidget(self.message)
        pager, self.previous, self.following, self.where = pager_row(self.t, gap, self._move)
        self.body.addLayout(pager)
        self.pager = Pager(ROWS)

    def enter(self) -> None:
        self.hide_message()
        self._load()

    def _load(self) -> None:
        page = self.pager.page
        self.pager.set(attention.items(self.core.store))
        self.pager.page = min(page, self.pager.pages - 1)
        failed = attention.elders_with_failed_bookings(self.core.store)
        self.failed_elders.setText(self.t("staff.attention.failed_elders", names="、".join(
            f"{name}（{count}）" for _, name, count in failed)) if failed else "")
        self.failed_elders.setVisible(bool(failed))
        self._show()

    def _move(self, step: int) -> None:
        self.pager.move(step)
        self._show()

    def _show(self) -> None:
        shown = self.pager.visible()
        today = self.core.clock.today()
        for index, (text, first, second) in enumerate(self.rows):
            item = shown[index] if index < len(shown) else None
            for widget in (text, first, second):
                widget.setVisible(item is not None)
            if item is None:
                text.setText("")
                continue
            text.setText(item_text(self.t, item, today))
            if item.kind == "help":
                first.setText(self.t("staff.attention.acknowledge"))
                first.setVisible(item.state == "open")
            else:
                first.setText(self.t("staff.attention.done"))
                second.hide()
        self.empty.setVisible(not self.pager.items)
        show_page(self.pager, self.t, self.previous, self.following, self.where)

    def _act(self, index: int, first: bool) -> None:
        shown = self.pager.visible()
        if index >= len(shown):
            return
        item = shown[index]
        if item.kind == "help":
            state = "acknowledged" if first else "resolved"
            self.core.help.update(item.item_id, state, self.staff_id)
        else:
            attention.mark_done(self.core.store, self.core.clock, item, self.staff_id)
        self.shell.action_done()
        self._load()
