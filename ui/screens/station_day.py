"""Health station days, six at a time: a department's clinic days, home-visit days and
health-check days, each saying whether it can still be booked."""
from __future__ import annotations

from ui.screens.cleaning_day import day_line
from ui.screens.paged import Choice, PagedChoiceScreen


class StationDayScreen(PagedChoiceScreen):
    service = ""

    def build(self) -> None:
        super().build()
        self.set_title(self.t(f"{self.service}.day.title"))

    def booking(self):
        return getattr(self.core, self.service)

    def choices(self) -> list[Choice]:
        core, t = self.core, self.t
        today = core.clock.today()
        department = core.session.service.department or None
        items = []
        for day in self.booking().days(core.session.elder.id, department=department):
            if not day.slots:
                state, refusal = "station.day.none", "service.reason.no_service"
            elif day.open:
                state, refusal = "station.day.open", ""
            elif day.booked:
                state, refusal = "station.day.booked", "service.reason.duplicate"
            else:
                full = all(not v.closed for v in day.slots)
                state = "station.day.full" if full else "station.day.closed"
                refusal = "service.reason.full" if full else "service.reason.closed"
            items.append(Choice(f"{day_line(t, day.day, today)}\n{t(state)}", day.open,
                                day, t(refusal) if refusal else ""))
        return items

    def prompt(self) -> str:
        return self.t(f"{self.service}.day.prompt")

    def chosen(self, value) -> None:
        draft = self.core.session.service
        draft.day = value.day
        draft.slot_id = next(v.slot.id for v in value.slots if v.bookable)
        self.shell.answer("chosen")


class ClinicDayScreen(StationDayScreen):
    name = "clinic_day"
    service = "clinic"


class HomeVisitDayScreen(StationDayScreen):
    name = "home_visit_day"
    service = "home_visit"


class HealthCheckDayScreen(StationDayScreen):
    name = "health_check_day"
    service = "health_check"
