"""Cleaning, step 1: today and the next 13 days, six at a time, each saying if it can be booked."""
from __future__ import annotations

from kiosk.session import ServiceDraft
from ui.screens.paged import Choice, PagedChoiceScreen


def day_line(t, day, today) -> str:
    relative = t.relative_day(day, today)
    first = t.day(day)
    return first if relative in first else f"{first}（{relative}）"


class CleaningDayScreen(PagedChoiceScreen):
    name = "cleaning_day"

    def build(self) -> None:
        super().build()
        self.set_title(self.t("cleaning.day.title"))

    def choices(self) -> list[Choice]:
        core = self.core
        today = core.clock.today()
        items = []
        for day in core.cleaning.days(core.session.elder.id):
            state = "cleaning.day.open" if day.open else \
                "cleaning.day.booked" if day.booked else "cleaning.day.closed"
            refusal = "service.reason.duplicate" if day.booked else "service.reason.closed"
            items.append(Choice(f"{day_line(self.t, day.day, today)}\n{self.t(state)}",
                                day.open, day.day, self.t(refusal)))
        return items

    def prompt(self) -> str:
        return self.t("cleaning.day.prompt")

    def chosen(self, value) -> None:
        self.core.session.service = ServiceDraft("cleaning", value)
        self.shell.answer("chosen")
