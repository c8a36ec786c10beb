"""The confirm screen every service shares: the whole booking in one sentence (kiosk's
booking_text), what she pays, big 返回 and 确认 (bottom right); a waiting-list place says so."""
from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout

from kiosk.booking_text import confirm_sentence
from kiosk.errors import BookingRejected, KnownError
from kiosk.my_bookings import service_reason_key
from ui.screens.base import Screen
from ui.widgets import BigButton, label


class ConfirmScreen(Screen):
    name = "confirm"

    def build(self) -> None:
        self.set_title(self.t("confirm.title"))
        self.sentence = label("", "title")
        self.body.addWidget(self.sentence)
        self.status = label("", "note")
        self.body.addWidget(self.status)
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
        draft = core.session.draft
        self.quote = core.bookings.quote(core.session.elder, draft.slot_id, mode=draft.mode,
                                         kind=draft.kind, needs=draft.needs)
        self.sentence.setText(confirm_sentence(self.t, self.quote))
        # A meal within a lease is final at once; anything else waits for the platform.
        escrow = self.quote.service.policy.escrow
        self.status.setText("" if escrow else self.t("confirm.tentative_note"))
        self.status.setVisible(not escrow)
        self.ok.setEnabled(True)

    def prompt(self) -> str:
        return self.t("confirm.prompt", sentence=self.sentence.text())

    def clear(self) -> None:
        super().clear()
        self.quote = None
        self.sentence.setText("")

    def _confirm(self) -> None:
        core = self.core
        try:
            booking = core.bookings.book(self.quote, staff_id=core.session.staff_id)
        except BookingRejected as error:
            key = f"reason.{error.reason}" if self.quote.service.slot_kind == "meal" \
                else service_reason_key(error.reason)
            self.show_message(self.t(key))
            return
        except KnownError as error:
            self.show_message(self.t(error.message_key))
            return
        core.session.receipt = booking
        self.shell.action_done()
        self.ok.setEnabled(False)  # the booking is made; a second tap must not make another
        self.shell.answer("confirmed")
