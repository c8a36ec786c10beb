"""A service booked by a day (上门巡诊, 体检) or by a time of a day (门诊): the days, six at a
time, each saying whether it can still be booked; then its times, or the confirm screen."""
from __future__ import annotations

from ui.screens.paged import Choice
from ui.screens.window_day import ServiceScreen, day_line


class ServiceDayScreen(ServiceScreen):
    name = "service_day"

    def choices(self) -> list[Choice]:
        core, t = self.core, self.t
        self.set_title(self.words("day.title"))
        today = core.clock.today()
        department = core.session.draft.department or None
        items = []
        for day in self.flow.days(core.session.elder.id, department=department):
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
        return self.words("day.prompt", first=not self.core.session.draft.department)

    def chosen(self, value) -> None:
        draft = self.core.session.draft
        draft.day = value.day
        if self.entry is not None and self.entry.slot_kind == "timed":
            self.shell.answer("time")
            return
        draft.slot_id = next(v.slot.id for v in value.slots if v.bookable)
        self.shell.answer("confirm")
