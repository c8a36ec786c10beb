"""Clinic, step 3: a 30-minute slot of the chosen department and day, six at a time."""
from __future__ import annotations

from kiosk.my_bookings import service_reason_key
from ui.screens.paged import Choice, PagedChoiceScreen


class ClinicTimeScreen(PagedChoiceScreen):
    name = "clinic_time"
    columns = 3  # times are short: two rows leave the title room to wrap (English does)
    big_text = True  # 09:00–09:30 in a tile this large reads from a step away

    def choices(self) -> list[Choice]:
        core, t = self.core, self.t
        draft = core.session.service
        self.set_title(t("clinic.time.title", day=t.day(draft.day, "format.day_short"),
                         department=t("department." + draft.department)))
        items = []
        for view in core.clinic.times(core.session.elder.id, draft.department, draft.day):
            state = t(f"clinic.time.{view.refusal}") if view.refusal else t("clinic.time.open")
            text = f"{t.time(view.slot.start)}–{t.time(view.slot.end)}\n{state}"
            refusal = t(service_reason_key(view.refusal)) if view.refusal else ""
            items.append(Choice(text, view.bookable, view.slot.id, refusal))
        return items

    def prompt(self) -> str:
        return self.t("clinic.time.prompt")

    def chosen(self, value) -> None:
        self.core.session.service.slot_id = value
        self.shell.answer("chosen")
