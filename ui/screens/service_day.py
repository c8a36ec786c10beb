"""A service booked by a day (上门巡诊, 体检), a time of a day (门诊) or a session of a day
(文化活动): the days, six at a time, each saying whether it can still be booked (a full day of
sessions can still be waited for); then its times, its sessions, or the confirm screen."""
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
        waitlist = self.entry is not None and self.entry.policy.waitlist
        items = []
        for day in self.flow.days(core.session.elder.id, department=department):
            waiting = waitlist and not day.open and any(not v.closed and not v.mine
                                                        for v in day.slots)
            if waiting:
                items.append(Choice(f"{day_line(t, day.day, today)}\n{t('station.day.waitlist')}",
                                    True, day))
                continue
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
        kind = self.entry.slot_kind if self.entry is not None else ""
        if kind in ("timed", "session"):
            self.shell.answer("time" if kind == "timed" else "sessions")
            return
        draft.slot_id = next(v.slot.id for v in value.slots if v.bookable)
        self.shell.answer("confirm")
