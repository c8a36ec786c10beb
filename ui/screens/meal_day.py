"""Meals, step 1: today and the next six days, each saying whether it can still be booked."""
from __future__ import annotations

from PySide6.QtWidgets import QGridLayout

from kiosk.meals import booking_days
from kiosk.service_flows import ServiceDay
from ui.screens.base import Screen
from ui.screens.window_day import day_line
from ui.widgets import BigButton


def day_state_key(day: ServiceDay) -> str:
    if day.open:
        return "meal.day.open"
    if any(v.mine for v in day.slots):
        return "meal.day.booked"
    return "meal.day.closed"


class MealDayScreen(Screen):
    name = "meal_day"

    def build(self) -> None:
        self.set_title(self.t("meal.day.title"))
        self.grid = QGridLayout()
        self.grid.setSpacing(self.metrics.gap)
        self.buttons: list[BigButton] = []
        for index in range(self.core.settings.booking_days):
            button = BigButton("", "choice")
            button.tapped.connect(lambda i=index: self._chosen(i))
            self.grid.addWidget(button, index // 2, index % 2)
            self.buttons.append(button)
        self.body.addLayout(self.grid, 1)
        self.body.addWidget(self.message)
        self.days: list[ServiceDay] = []

    def enter(self) -> None:
        self.hide_message()
        core = self.core
        now = core.clock.now()
        self.days = booking_days(core.store, core.session.elder.id, now,
                                 core.settings.booking_days)
        for button, day in zip(self.buttons, self.days, strict=True):
            first_line = day_line(self.t, day.day, now.date())
            button.setText(f"{first_line}\n{self.t(day_state_key(day))}")
            button.set_role("choice" if day.open else "unavailable")

    def prompt(self) -> str:
        return self.t("meal.day.prompt")

    def clear(self) -> None:
        super().clear()
        self.days = []
        for button in self.buttons:
            button.setText("")

    def _chosen(self, index: int) -> None:
        if index >= len(self.days):
            return
        self.core.session.draft.day = self.days[index].day
        self.shell.answer("chosen")
