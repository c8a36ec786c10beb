"""Clinic, home visit or health check: the booking in one sentence, then 确认."""
from __future__ import annotations

from kiosk.bookings import Quote
from ui.screens.service_confirm import ServiceConfirmScreen


def medical_sentence(t, quote: Quote) -> str:
    slot = quote.slot
    common = {"day": t.day(slot.day), "time": t.time(slot.start), "end": t.time(slot.end),
              "pay": t.price(quote.pay_cents), "address": quote.elder.partial_address}
    if slot.service == "clinic":
        return t("clinic.confirm.sentence", department=t("department." + slot.department),
                 doctor=slot.doctor, **common)
    return t(f"{slot.service}.confirm.sentence", **common)


class MedicalConfirmScreen(ServiceConfirmScreen):
    name = "medical_confirm"

    def booking(self):
        return getattr(self.core, self.core.session.service.service)

    def make_quote(self) -> Quote:
        core = self.core
        return self.booking().quote(core.session.elder, core.session.service.slot_id)

    def sentence_for(self, quote: Quote) -> str:
        return medical_sentence(self.t, quote)

    def book(self):
        core = self.core
        return self.booking().book(core.session.elder.id, core.session.service.slot_id,
                                   staff_id=core.session.staff_id)
