"""A day's lists for the canteen, cleaners and clinic: on screen (paged), as CSV and PDF."""
from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import QHBoxLayout

from kiosk import audit
from kiosk.day_lists import day_lists, export_csv, export_folder, group_text, mode_text
from kiosk.errors import StorageError
from kiosk.meals import MEALS, MODES
from ui.staff.base import StaffScreen
from ui.staff.pdf import export_pdf
from ui.staff.widgets import Pager, pager_row, show_page
from ui.widgets import BigButton, label

LINES = 4
DAYS = 3
TABS = ("meal", "cleaning", "clinic")


def meal_summary(t, lists) -> list[str]:
    lines = []
    for meal in MEALS:
        totals = lists.totals[meal]
        modes = "，".join(t("daylist.mode_count", mode=t(f"mode.{m}"), count=totals.by_mode[m])
                         for m in MODES)
        diets = "，".join(t("daylist.mode_count", mode=t(f"tag.{tag}"), count=n)
                         for tag, n in sorted(totals.by_diet.items())) or t("staff.none")
        lines.append(t("daylist.summary", meal=t(f"meal.{meal}"), count=totals.total,
                       modes=modes, diets=diets))
    return lines


def line_text(t, tab: str, line) -> str:
    parts = [group_text(t, tab, line.group), mode_text(t, tab, line.mode), line.elder_name]
    parts += [" ".join(t(f"tag.{tag}") for tag in line.dietary)] if line.dietary else []
    parts += [t(f"daylist.status.{line.status}"), line.number]
    return " · ".join(parts)


class StaffDayListsScreen(StaffScreen):
    name = "staff_day_lists"

    def build(self) -> None:
        gap = self.metrics.gap
        self.set_title(self.t("staff.menu.day_lists"))
        choose = QHBoxLayout()
        choose.setSpacing(gap)
        self.day_buttons = [BigButton("", "nav") for _ in range(DAYS)]
        for offset, button in enumerate(self.day_buttons):
            button.tapped.connect(lambda o=offset: self._day(o))
            choose.addWidget(button)
        choose.addSpacing(gap * 3)
        self.tab_buttons = {}
        for tab in TABS:
            button = BigButton(self.t(f"daylist.{tab}"), "nav")
            button.tapped.connect(lambda x=tab: self._tab(x))
            choose.addWidget(button)
            self.tab_buttons[tab] = button
        self.body.addLayout(choose)
        self.summary = [label("") for _ in MEALS]
        for line in self.summary:
            self.body.addWidget(line)
        self.lines = [label("", wrap=False) for _ in range(LINES)]
        for line in self.lines:
            self.body.addWidget(line)
        self.body.addStretch(1)
        pager, self.previous, self.following, self.where = pager_row(self.t, gap, self._move)
        self.body.addLayout(pager)
        self.body.addWidget(self.message)
        exports = QHBoxLayout()
        exports.setSpacing(gap * 2)
        for key, handler in (("daylist.export_csv", self._csv), ("daylist.export_pdf", self._pdf)):
            button = BigButton(self.t(key), "choice")
            button.tapped.connect(handler)
            exports.addWidget(button)
        self.body.addLayout(exports)
        self.pager = Pager(LINES)
        self.offset, self.tab, self.lists = 0, "meal", None

    def enter(self) -> None:
        self.hide_message()
        today = self.core.clock.today()
        for offset, button in enumerate(self.day_buttons):
            button.setText(self.t.relative_day(today + dt.timedelta(offset), today))
        self._load()

    def _day(self, offset: int) -> None:
        self.offset = offset
        self.hide_message()
        self._load()

    def _tab(self, tab: str) -> None:
        self.tab = tab
        self._load()

    def _load(self) -> None:
        day = self.core.clock.today() + dt.timedelta(self.offset)
        self.lists = day_lists(self.core.store, day)
        for index, button in enumerate(self.day_buttons):
            button.set_role("nav_selected" if index == self.offset else "nav")
        for tab, button in self.tab_buttons.items():
            button.set_role("nav_selected" if tab == self.tab else "nav")
        self.set_title(self.t("daylist.title", day=self.t.day(day)))
        summary = meal_summary(self.t, self.lists) if self.tab == "meal" else []
        for line, text in zip(self.summary, summary + [""] * len(self.summary), strict=False):
            line.setText(text)
            line.setVisible(bool(text))
        entries = {"meal": self.lists.meals, "cleaning": self.lists.cleaning,
                   "clinic": self.lists.clinic}[self.tab]
        self.pager.set(entries or [])
        if entries is None:
            self.summary[0].setText(self.t("daylist.no_service_data"))
            self.summary[0].show()
        elif not entries:
            self.summary[-1].setText(self.t("daylist.empty"))
            self.summary[-1].show()
        self._show()

    def _move(self, step: int) -> None:
        self.pager.move(step)
        self._show()

    def _show(self) -> None:
        shown = self.pager.visible()
        for index, line in enumerate(self.lines):
            entry = shown[index] if index < len(shown) else None
            line.setText(line_text(self.t, self.tab, entry) if entry else "")
            line.setVisible(entry is not None)
        show_page(self.pager, self.t, self.previous, self.following, self.where)

    def _export(self, kind: str) -> None:
        folder = export_folder(self.core.settings.data_dir)
        try:
            if kind == "csv":
                path = export_csv(self.lists, folder, self.t)
            else:
                path = export_pdf(self.t, self.lists, meal_summary(self.t, self.lists), folder)
        except OSError as error:
            raise StorageError(str(error)) from error
        audit.log(self.core.store, self.core.clock, self.staff_id, f"daylist.export_{kind}",
                  self.lists.day.isoformat())
        self.shell.action_done()
        self.show_message(self.t("daylist.exported", path=str(path)))

    def _csv(self) -> None:
        self._export("csv")

    def _pdf(self) -> None:
        self._export("pdf")
