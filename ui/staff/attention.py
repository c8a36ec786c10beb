"""The attention list: help requests (acknowledge, resolve), refused bookings, complaints,
refused elder edits, failed operations — each stays until staff dealt with it; then the help
requests resolved today, with who resolved them and their note."""
from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from kiosk import attention
from kiosk.attention import AttentionItem
from ui.staff.base import StaffScreen
from ui.staff.widgets import FitPages
from ui.widgets import BigButton, label, restyle


def help_state(t, item: AttentionItem) -> str:
    """未处理; 已收到：值班员小刘 (whoever acknowledged, here or on the console); 已解决：…,
    with the note; escalated requests say so first."""
    state = t(f"staff.attention.help.{item.state}_by", name=item.by) \
        if item.by and item.state != "open" else t(f"staff.attention.help.{item.state}")
    parts = [state]
    if item.note:
        parts.append(t("staff.attention.help.note", note=item.note))
    return " · ".join(parts)


def item_text(t, item: AttentionItem, today: dt.date) -> str:
    who = item.elder_name or t("staff.attention.no_elder")
    if item.kind == "help":
        key = f"staff.attention.help_kind.{item.detail}"
        what = t(key) if t.has(key) else item.detail
        if item.escalated and item.state != "resolved":
            what = f"{t('staff.attention.help.escalated')} {what}"
        state = help_state(t, item)
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
        op = f"operation.{item.detail}"
        what = t("staff.attention.operation", op=t(op) if t.has(op) else t("operation.other"))
        state = ""
    when = when_text(t, item.created_at, today)
    return " · ".join(p for p in (what, who, when, state) if p)


def reason_text(t, code: str) -> str:
    return t(f"reason.{code}") if t.has(f"reason.{code}") else t("reason.unknown")


def when_text(t, stamp: str, today: dt.date) -> str:
    try:
        moment = dt.datetime.fromisoformat(stamp)
    except ValueError:
        return ""
    return t.time(moment) if moment.date() == today else moment.strftime("%m-%d %H:%M")


class StaffAttentionScreen(StaffScreen):
    name = "staff_attention"

    def build(self) -> None:
        self.set_title(self.t("staff.menu.attention"))
        # A message, the elders with refused bookings, then one row per item: paged to fit.
        self.pages = FitPages(self, self.metrics.gap)
        self.pages.add(self.message)
        self.failed_elders = self.pages.add(label("", "note"))
        self.empty = self.pages.add(label(self.t("staff.attention.empty")))
        self.body.addWidget(self.pages, 1)
        self.rows: list[tuple[QWidget, QLabel, BigButton, BigButton]] = []
        self.items: list[AttentionItem] = []  # to do, then the help resolved today
        self.to_do = 0

    def _row(self, index: int) -> tuple[QWidget, QLabel, BigButton, BigButton]:
        widget = QWidget()
        row = QHBoxLayout(widget)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(self.metrics.gap)
        text = label("")
        first = BigButton("", "nav")
        second = BigButton(self.t("staff.attention.resolve"), "nav")
        first.tapped.connect(lambda: self._act(index, first=True))
        second.tapped.connect(lambda: self._act(index, first=False))
        row.addWidget(text, 1)
        row.addWidget(first)
        row.addWidget(second)
        self.pages.add(widget)
        return widget, text, first, second

    def enter(self) -> None:
        self.hide_message()
        self._load(keep_page=False)

    def _load(self, keep_page: bool = True) -> None:
        store, now = self.core.store, self.core.clock.now()
        midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
        to_do = attention.items(store)
        self.to_do = len(to_do)
        self.items = to_do + attention.resolved_help(store, midnight.isoformat())
        while len(self.rows) < len(self.items):
            self.rows.append(self._row(len(self.rows)))
        today = now.date()
        for item, (_, text, first, second) in zip(self.items, self.rows, strict=False):
            text.setText(item_text(self.t, item, today))
            alarming = item.kind == "help" and item.escalated and item.state != "resolved"
            restyle(text, "message" if alarming else "")
            if item.kind == "help":
                first.setText(self.t("staff.attention.acknowledge"))
                first.setVisible(item.state == "open")
                second.setVisible(item.state != "resolved")
            else:
                first.setText(self.t("staff.attention.done"))
                first.show()
                second.hide()
        failed = attention.elders_with_failed_bookings(self.core.store)
        names = self.t("list.separator").join(f"{name}（{count}）" for _, name, count in failed)
        self.failed_elders.setText(
            self.t("staff.attention.failed_elders", names=names) if failed else "")
        self._page(keep_page)

    def _page(self, keep_page: bool = True) -> None:
        blocks = [self.message] if self.message.text() else []
        blocks += [self.failed_elders] if self.failed_elders.text() else []
        rows = [row[0] for row in self.rows[:len(self.items)]]
        blocks += rows if self.to_do else [self.empty, *rows]
        self.pages.show_blocks(blocks, keep_page)

    def fit(self) -> None:
        self._page()

    def _act(self, index: int, first: bool) -> None:
        if index >= len(self.items):
            return
        item = self.items[index]
        if item.kind == "help":
            state = "acknowledged" if first else "resolved"
            self.core.help.update(item.item_id, state, self.staff_id)
        else:
            attention.mark_done(self.core.store, self.core.clock, item, self.staff_id)
        self.shell.action_done()
        self._load()
