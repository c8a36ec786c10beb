"""A day's lists for the canteen, cleaners and clinic: on screen (paged), as CSV and PDF."""
from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import QBoxLayout, QHBoxLayout

from elder_wire.meals import MEALS, MODES
from kiosk import audit
from kiosk.day_lists import (
    day_lists,
    diets_text,
    export_csv,
    export_folder,
    group_text,
    mode_text,
)
from kiosk.errors import StorageError
from ui.staff.base import StaffScreen
from ui.staff.pdf import export_pdf
from ui.staff.widgets import FitPages, breakable
from ui.widgets import BigButton

DAYS = 3
# The canteen's list, the two busiest services', then every other service of the catalogue
# (activities, visits, home visits…) on one tab, each under its name.
TABS = ("meal", "cleaning", "clinic", "more")


def meal_summary(t, lists) -> list[str]:
    lines = []
    for meal in MEALS:
        totals = lists.totals[meal]
        separator = t("list.separator")
        modes = separator.join(t("daylist.mode_count", mode=t(f"mode.{m}"),
                                 count=totals.by_mode[m]) for m in MODES)
        diets = separator.join(t("daylist.mode_count", mode=t(f"tag.{tag}"), count=n)
                         for tag, n in sorted(totals.by_diet.items())) or t("staff.none")
        lines.append(t("daylist.summary", meal=t(f"meal.{meal}"), count=totals.total,
                       modes=modes, diets=diets))
    return lines


def line_text(t, tab: str, line) -> str:
    parts = [group_text(t, tab, line.group), mode_text(t, tab, line.mode), line.elder_name]
    diets = diets_text(t, line.dietary)
    parts += [diets] if diets else []  # "Low sugar, Halal", not "Low sugar Halal"
    parts += [t(f"daylist.status.{line.status}"), line.number]
    return " · ".join(parts)


class StaffDayListsScreen(StaffScreen):
    name = "staff_day_lists"

    def build(self) -> None:
        gap = self.metrics.gap
        self.set_title(self.t("staff.menu.day_lists"))
        # The days, then the lists: in one row where both fit, else the lists under the days.
        self.choose = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        days, tabs = QHBoxLayout(), QHBoxLayout()
        days.setSpacing(gap)
        tabs.setSpacing(gap)
        self.day_buttons = [BigButton("", "nav") for _ in range(DAYS)]
        for offset, button in enumerate(self.day_buttons):
            button.tapped.connect(lambda o=offset: self._day(o))
            days.addWidget(button)
        self.tab_buttons = {}
        for tab in TABS:
            button = BigButton(self.t(f"daylist.{tab}"), "nav")
            button.tapped.connect(lambda x=tab: self._tab(x))
            tabs.addWidget(button)
            self.tab_buttons[tab] = button
        self.choose.addLayout(days)
        self.choose.addLayout(tabs)
        self.body.addLayout(self.choose)
        # The export message, the totals and every line, paged to fit: long lines wrap.
        self.pages = FitPages(self, gap)
        self.pages.add(self.message)
        self.body.addWidget(self.pages, 1)
        exports = QHBoxLayout()
        exports.setSpacing(gap * 2)
        for key, handler in (("daylist.export_csv", self._csv), ("daylist.export_pdf", self._pdf)):
            button = BigButton(self.t(key), "nav")
            button.tapped.connect(handler)
            exports.addWidget(button)
        self.body.addLayout(exports)
        self.texts: list[str] = []
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
        self.lists = day_lists(self.core.store, day, self.t.language)
        for index, button in enumerate(self.day_buttons):
            button.set_chosen(index == self.offset, "nav_selected", "nav")
        for tab, button in self.tab_buttons.items():
            button.set_chosen(tab == self.tab, "nav_selected", "nav")
        self.set_title(self.t("daylist.screen_title", day=self.t.day(day)))
        if self.tab == "meal":
            texts = meal_summary(self.t, self.lists)
            texts += [line_text(self.t, "meal", line) for line in self.lists.meals] \
                or [self.t("daylist.empty")]
        elif self.tab == "more":
            texts = []
            for service in self.lists.services.values():
                if service.key not in TABS and service.lines:
                    texts.append(self.t("daylist.service_heading", name=service.name,
                                        count=len(service.lines)))
                    texts += [line_text(self.t, service.key, line) for line in service.lines]
            texts = texts or [self.t("daylist.empty")]
        else:
            service = self.lists.services.get(self.tab)
            lines = service.lines if service is not None else []
            texts = [line_text(self.t, self.tab, line) for line in lines] \
                or [self.t("daylist.empty")]
        self.texts = texts
        self._page()

    def _page(self, keep_page: bool = False) -> None:
        self._arrange()
        message = [self.message] if self.message.text() else []
        self.pages.show_texts(self.texts, keep_page, before=message)

    def _arrange(self) -> None:
        """Days and lists side by side where all six buttons fit (Chinese), else in two rows
        (English at big text): never a squeezed button."""
        gap = self.metrics.gap
        margins = self.body.contentsMargins()
        width = self.width() - margins.left() - margins.right()
        buttons = [*self.day_buttons, *self.tab_buttons.values()]
        between = gap * 5  # as far apart as the two groups always were
        needed = sum(b.sizeHint().width() for b in buttons) + gap * (len(buttons) - 2) + between
        beside = needed <= width
        self.choose.setDirection(QBoxLayout.Direction.LeftToRight if beside
                                 else QBoxLayout.Direction.TopToBottom)
        self.choose.setSpacing(between if beside else gap)

    def fit(self) -> None:
        self._page(keep_page=True)

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
        self.show_message(self.t("daylist.exported", path=breakable(path)), "status_ok")

    def _csv(self) -> None:
        self._export("csv")

    def _pdf(self) -> None:
        self._export("pdf")
