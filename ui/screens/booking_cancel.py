"""Cancel a booking: what is being cancelled in one sentence, and one confirm."""
from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout

from kiosk.errors import KnownError
from kiosk.my_bookings import describe
from ui.screens.base import Screen
from ui.widgets import BigButton, label


class BookingCancelScreen(Screen):
    name = "booking_cancel"
    skip_on_back = True

    def build(self) -> None:
        self.set_title(self.t("cancel.title"))
        self.sentence = label("", "big")
        self.body.addWidget(self.sentence)
        self.body.addWidget(self.message)
        self.body.addStretch(1)
        row = QHBoxLayout()
        row.setSpacing(self.metrics.gap * 6)
        self.keep = BigButton(self.t("cancel.keep"), "choice")
        self.keep.setMinimumHeight(self.metrics.primary)
        self.keep.tapped.connect(self.shell.back)
        self.ok = BigButton(self.t("cancel.ok"), "primary")
        self.ok.tapped.connect(self._confirm)
        row.addWidget(self.keep, 1)
        row.addWidget(self.ok, 1)
        self.body.addLayout(row)

    def enter(self) -> None:
        self.hide_message()
        core = self.core
        card = core.my_bookings.card(core.session.elder.id, core.session.cancelling or "")
        self.sentence.setText(self.t("cancel.sentence", what=describe(self.t, card))
                              if card else "")
        self.ok.setEnabled(card is not None)

    def prompt(self) -> str:
        return self.t("cancel.prompt", sentence=self.sentence.text())

    def clear(self) -> None:
        super().clear()
        self.sentence.setText("")

    def _confirm(self) -> None:
        core = self.core
        try:
            core.my_bookings.cancel(core.session.cancelling, staff_id=core.session.staff_id)
        except KnownError as error:
            self.show_message(self.t(error.message_key))
            return
        core.session.cancelling = None
        core.session.notice = "cancel.done"
        self.shell.action_done()
        self.ok.setEnabled(False)
        self.shell.back()
