"""Cleaning, step 5: the whole booking in one sentence with the price after subsidy; 确认."""
from __future__ import annotations

from kiosk.bookings import Quote
from ui.screens.service_confirm import ServiceConfirmScreen


def cleaning_sentence(t, quote: Quote) -> str:
    needs = t("list.separator").join(t("need." + code) for code in quote.needs) \
        or t("cleaning.needs.nothing")
    return t("cleaning.confirm.sentence", day=t.day(quote.slot.day),
             window=t("window." + quote.slot.window), kind=t("kind." + quote.kind),
             hours=quote.extra.get("hours", ""), address=quote.elder.partial_address,
             needs=needs, pay=t.price(quote.pay_cents))


class CleaningConfirmScreen(ServiceConfirmScreen):
    name = "cleaning_confirm"

    def make_quote(self) -> Quote:
        core = self.core
        draft = core.session.service
        return core.cleaning.quote(core.session.elder, draft.slot_id, draft.kind, draft.needs)

    def sentence_for(self, quote: Quote) -> str:
        return cleaning_sentence(self.t, quote)

    def book(self):
        core = self.core
        draft = core.session.service
        return core.cleaning.book(core.session.elder.id, draft.slot_id, draft.kind, draft.needs,
                                  staff_id=core.session.staff_id)
