"""A service booked by a window of a day (助洁, 探望陪伴), step 1: today and the next 13 days, six
at a time, each saying if it can be booked."""
from __future__ import annotations

from kiosk import catalogue
from kiosk.booking_text import service_words
from ui.screens.paged import Choice, PagedChoiceScreen


def day_line(t, day, today) -> str:
    """11月25日 星期三（明天）, or Tomorrow, 25 November: short enough for half the screen."""
    relative = t.relative_day(day, today)
    first = t.day(day)
    if relative in first:
        return first
    return t("day.with_relative", day=t.day(day, "format.day_with_relative"), relative=relative)


class ServiceScreen(PagedChoiceScreen):
    """A step of booking the service of the session's draft."""

    @property
    def entry(self):
        return catalogue.entry(self.core.store, self.core.session.draft.service)

    @property
    def flow(self):
        return self.core.flow(self.core.session.draft.service)

    def words(self, what: str, first: bool = False, **params) -> str:
        return service_words(self.t, self.entry, what, first, **params)


class WindowDayScreen(ServiceScreen):
    name = "window_day"

    def choices(self) -> list[Choice]:
        core = self.core
        self.set_title(self.words("day.title"))
        today = core.clock.today()
        items = []
        for day in self.flow.days(core.session.elder.id):
            refusal = day.refusal
            state = self.t(f"cleaning.day.{refusal or 'open'}")
            items.append(Choice(f"{day_line(self.t, day.day, today)}\n{state}", day.open, day.day,
                                self.t(f"service.reason.{refusal}") if refusal else ""))
        return items

    def prompt(self) -> str:
        return self.words("day.prompt", first=True)

    def chosen(self, value) -> None:
        self.core.session.draft.day = value
        self.shell.answer("chosen")
