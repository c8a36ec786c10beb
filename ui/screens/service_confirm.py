"""The confirm screen every service shares: one sentence, big 返回 and 确认 (bottom right)."""
from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout

from kiosk.errors import BookingRejected, KnownError
from kiosk.my_bookings import service_reason_key
from ui.screens.base import Screen
from ui.widgets import BigButton, label


class ServiceConfirmScreen(Screen):
    """Subclasses give `make_quote()`, `sentence_for(quote)` and `book()`."""

    def build(self) -> None:
        self.set_title(self.t("confirm.title"))
        self.sentence = label("", "title")  # longer than a meal's sentence: one size down
        self.body.addWidget(self.sentence)
        self.status = label(self.t("confirm.tentative_note"), "note")
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

    def make_quote(self):
        raise NotImplementedError

    def sentence_for(self, quote) -> str:
        raise NotImplementedError

    def book(self):
        raise NotImplementedError

    def enter(self) -> None:
        self.hide_message()
        self.sentence.setText(self.sentence_for(self.make_quote()))
        self.ok.setEnabled(True)

    def prompt(self) -> str:
        return self.t("confirm.prompt", sentence=self.sentence.text())

    def clear(self) -> None:
        super().clear()
        self.sentence.setText("")

    def _confirm(self) -> None:
        try:
            booking = self.book()
        except BookingRejected as error:
            self.show_message(self.t(service_reason_key(error.reason)))
            return
        except KnownError as error:
            self.show_message(self.t(error.message_key))
            return
        self.core.session.receipt = booking
        self.shell.action_done()
        self.ok.setEnabled(False)  # the booking is made; a second tap must not make another
        self.shell.answer("confirmed")
