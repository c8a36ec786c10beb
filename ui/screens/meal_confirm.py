"""Meals, step 5: the whole booking in one sentence with the price, and big 确认 / 返回."""
from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout

from kiosk.errors import KnownError
from ui.screens.base import Screen
from ui.widgets import BigButton, label


def booking_sentence(t, quote) -> str:
    return t("meal.confirm.sentence", day=t.day(quote.slot.day), meal=t("meal." + quote.slot.meal),
             mode=t("mode." + quote.mode), pay=t.price(quote.pay_cents))


class MealConfirmScreen(Screen):
    name = "meal_confirm"

    def build(self) -> None:
        self.set_title(self.t("confirm.title"))
        self.sentence = label("", "big")
        self.body.addWidget(self.sentence)
        self.body.addWidget(self.message)
        self.body.addStretch(1)
        row = QHBoxLayout()
        row.setSpacing(self.metrics.gap * 6)
        # not 返回 again: the header's 返回 is there too, and a screen reader says both
        self.back_button = BigButton(self.t("confirm.change"), "choice")
        self.back_button.setMinimumHeight(self.metrics.primary)
        self.back_button.tapped.connect(self.shell.back)
        self.ok = BigButton(self.t("confirm.ok"), "primary")
        self.ok.tapped.connect(self._confirm)
        row.addWidget(self.back_button, 1)
        row.addWidget(self.ok, 1)
        self.body.addLayout(row)
        self.quote = None

    def enter(self) -> None:
        self.hide_message()
        core = self.core
        draft = core.session.meal
        self.quote = core.meals.quote(core.session.elder, draft.slot_id, draft.mode)
        self.sentence.setText(booking_sentence(self.t, self.quote))
        self.ok.setEnabled(True)

    def prompt(self) -> str:
        return self.t("confirm.prompt", sentence=self.sentence.text())

    def clear(self) -> None:
        super().clear()
        self.quote = None
        self.sentence.setText("")

    def _confirm(self) -> None:
        core = self.core
        draft = core.session.meal
        try:
            booking = core.meals.book(core.session.elder.id, draft.slot_id, draft.mode,
                                      staff_id=core.session.staff_id)
        except KnownError as error:
            self.show_message(self.t(error.message_key))
            return
        core.session.receipt = booking
        self.shell.action_done()
        self.ok.setEnabled(False)  # the booking is made; a second tap must not make another
        self.shell.answer("confirmed")
