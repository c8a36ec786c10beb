"""A service booked by a time of a day (门诊): its slots of the chosen day (and department), six
at a time."""
from __future__ import annotations

from kiosk.my_bookings import service_reason_key
from ui.screens.paged import Choice
from ui.screens.window_day import ServiceScreen


class ServiceTimeScreen(ServiceScreen):
    name = "service_time"
    columns = 3  # times are short: two rows leave the title room to wrap (English does)
    big_text = True  # 09:00–09:30 in a tile this large reads from a step away

    def choices(self) -> list[Choice]:
        core, t = self.core, self.t
        draft = core.session.draft
        department = draft.department
        self.set_title(self.words(
            "time.title", day=t.day(draft.day, "format.day_short"),
            department=t("department." + department) if department else ""))
        items = []
        for view in self.flow.times(core.session.elder.id, department or None, draft.day):
            state = t(f"clinic.time.{view.refusal}") if view.refusal else t("clinic.time.open")
            text = f"{t.time(view.slot.start)}–{t.time(view.slot.end)}\n{state}"
            refusal = t(service_reason_key(view.refusal)) if view.refusal else ""
            items.append(Choice(text, view.bookable, view.slot.id, refusal))
        return items

    def prompt(self) -> str:
        return self.words("time.prompt")

    def chosen(self, value) -> None:
        self.core.session.draft.slot_id = value
        self.shell.answer("chosen")
