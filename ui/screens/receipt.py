"""The receipt: booking number and its QR code, the status in words, then home by itself."""
from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout

from kiosk.booking_text import pay_words
from kiosk.bookings import booking_qr_payload
from kiosk.my_bookings import describe
from ui.qr import qr_pixmap
from ui.screens.base import Screen
from ui.widgets import BigButton, centred, label, restyle


class ReceiptScreen(Screen):
    name = "receipt"
    can_go_back = False  # the booking is made; 我的预订 is where it can be cancelled

    def build(self) -> None:
        self.set_title(self.t("receipt.title"))
        row = QHBoxLayout()
        row.setSpacing(self.metrics.gap * 4)
        info = QVBoxLayout()
        info.setSpacing(self.metrics.gap * 2)
        self.status = label("", "status_wait")
        self.number = label("", "big")
        self.summary = label("")
        info.addWidget(self.status)
        info.addWidget(self.number)
        info.addWidget(self.summary)
        info.addStretch(1)
        row.addLayout(info, 1)  # the words get all the width the code does not need
        self.qr = centred(label("", wrap=False))
        row.addWidget(self.qr)
        self.body.addLayout(row, 1)
        self.countdown = label("", "note")
        self.body.addWidget(self.countdown)
        self.done = BigButton(self.t("receipt.home"), "primary")
        self.done.tapped.connect(self.shell.go_home)
        self.body.addWidget(self.done)
        self.timer = QTimer(self)
        self.timer.setInterval(1000)
        self.timer.timeout.connect(self._tick)
        self.remaining = 0

    def enter(self) -> None:
        core, t = self.core, self.t
        booking = core.session.receipt
        confirmed = booking.status == "confirmed"
        waiting = booking.status == "waitlisted"
        self.status.setText(t("receipt.confirmed" if confirmed else
                              "receipt.waitlisted" if waiting else "receipt.tentative"))
        restyle(self.status, "status_ok" if confirmed else "status_wait")
        self.number.setText(t("receipt.number", number=booking.number))
        # What was booked, in the words of its card in 我的预订 (not the confirm's question)
        card = core.my_bookings.card(booking.elder_id, booking.id)
        self.summary.setText(t("receipt.service", what=describe(t, card),
                               pay=pay_words(t, booking.pay_cents)) if card else "")
        self.qr.setPixmap(qr_pixmap(booking_qr_payload(booking.id), self.metrics.mm(50)))
        self.qr.setAccessibleName(t("my.qr", number=booking.number))
        self.remaining = core.settings.receipt_timeout_s
        self._show_countdown()
        self.timer.start()

    def prompt(self) -> str:
        booking = self.core.session.receipt
        return self.t("receipt.prompt", number=booking.number) if booking else ""

    def leave(self) -> None:
        self.timer.stop()

    def clear(self) -> None:
        super().clear()
        self.timer.stop()
        for widget in (self.status, self.number, self.summary, self.countdown):
            widget.setText("")
        self.qr.clear()
        self.qr.setAccessibleName("")

    def _tick(self) -> None:
        self.remaining -= 1
        if self.remaining <= 0:
            self.timer.stop()
            self.shell.go_home()
            return
        self._show_countdown()

    def _show_countdown(self) -> None:
        self.countdown.setText(self.t("receipt.countdown", seconds=self.remaining))
