"""Cleaning, step 1: today and the next 13 days, six at a time, each saying if it can be booked."""
from __future__ import annotations

from kiosk.session import ServiceDraft
from ui.screens.paged import Choice, PagedChoiceScreen


def day_line(t, day, today) -> str:
    """11月25日 星期三（明天）, or Tomorrow, 25 November: short enough for half the screen."""
    relative = t.relative_day(day, today)
    first = t.day(day)
    if relative in first:
        return first
    return t("day.with_relative", day=t.day(day, "format.day_with_relative"), relative=relative)


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
            refusal = day.refusal
            state = self.t(f"cleaning.day.{refusal or 'open'}")
            items.append(Choice(f"{day_line(self.t, day.day, today)}\n{state}", day.open, day.day,
                                self.t(f"service.reason.{refusal}") if refusal else ""))
        return items

    def prompt(self) -> str:
        return self.t("cleaning.day.prompt")

    def chosen(self, value) -> None:
        self.core.session.service = ServiceDraft("cleaning", value)
        self.shell.answer("chosen")
