"""我的预订: big cards with the status in words and an icon, a QR code each, 上一页 / 下一页;
cancel before the cut-off, or take the nearest alternative of one that did not succeed."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QFrame, QHBoxLayout, QVBoxLayout

from kiosk.bookings import booking_qr_payload
from kiosk.my_bookings import Alternative, BookingCard, describe
from kiosk.paths import ASSETS
from kiosk.session import Draft
from ui.qr import qr_pixmap
from ui.screens.base import Screen
from ui.screens.paged import keep_place
from ui.widgets import BigButton, label

STATUS_ROLE = {"ok": "state_ok", "wait": "state_wait", "no": "state_no"}


def alternative_text(t, alternative: Alternative) -> str:
    if alternative.service == "meal":
        meal = alternative.slot_id.rsplit(":", 1)[-1]
        when = f"{t.day(alternative.day)} {t('meal.' + meal)}"
    else:
        when = f"{t.day(alternative.day)} {t.time(alternative.start)}"
    return t("my.alternative", when=when)


class MyBookingsScreen(Screen):
    name = "my_bookings"

    def build(self) -> None:
        self.set_title(self.t("my.title"))
        self.row = QHBoxLayout()
        self.row.setSpacing(self.metrics.gap * 3)
        self.body.addLayout(self.row, 1)
        self.empty = label(self.t("my.empty"), "big")
        self.empty.hide()
        self.body.addWidget(self.empty)
        self.body.addWidget(self.message)
        pages = QHBoxLayout()
        pages.setSpacing(self.metrics.gap * 6)
        self.previous_page = BigButton(self.t("page.previous"), "page")
        self.previous_page.tapped.connect(lambda: self.turn(-1))
        self.next_page = BigButton(self.t("page.next"), "page")
        self.next_page.tapped.connect(lambda: self.turn(1))
        for button in (self.previous_page, self.next_page):
            keep_place(button)
            pages.addWidget(button)
        self.body.addLayout(pages)
        self.cards: list[BookingCard] = []
        self.page = 0
        self.notice = ""

    @property
    def per_page(self) -> int:
        return 2 if self.shell.metrics.text_size == "large" else 1

    @property
    def pages(self) -> int:
        return max(1, (len(self.cards) + self.per_page - 1) // self.per_page)

    def enter(self) -> None:
        self.hide_message()
        core = self.core
        self.cards = core.my_bookings.cards(core.session.elder.id)
        self.page = min(self.page, self.pages - 1)
        self.show_page()
        self.notice = self.t(core.session.notice) if core.session.notice else ""
        core.session.notice = ""
        if self.notice:  # e.g. 已取消, said with the prompt below
            self.message.setText(self.notice)
            self.message.show()

    def prompt(self) -> str:
        said = self.t("my.prompt", count=len(self.cards)) if self.cards else self.t("my.empty")
        return f"{self.notice}{said}" if self.notice else said

    def clear(self) -> None:
        super().clear()
        self.cards = []
        self.page = 0
        self._remove_cards()

    def turn(self, step: int) -> None:
        self.hide_message()
        self.page = min(max(0, self.page + step), self.pages - 1)
        self.show_page()
        self.shell.speak(self.t("page.now", page=self.page + 1, pages=self.pages))

    def show_page(self) -> None:
        self._remove_cards()
        shown = self.cards[self.page * self.per_page:(self.page + 1) * self.per_page]
        for card in shown:
            self.row.addWidget(self._card(card), 1)
        self.empty.setVisible(not self.cards)
        self.previous_page.setVisible(self.page > 0)
        self.next_page.setVisible(self.page < self.pages - 1)

    def _remove_cards(self) -> None:
        while self.row.count():
            widget = self.row.takeAt(0).widget()
            if widget is not None:
                widget.hide()
                widget.deleteLater()

    def _card(self, card: BookingCard) -> QFrame:
        """What the booking is (and its QR code), then its status in words beside an icon,
        then what can be done with it, at the card's foot."""
        t, gap = self.t, self.metrics.gap
        frame = QFrame()
        frame.setProperty("role", "card")
        column = QVBoxLayout(frame)
        column.setContentsMargins(gap * 2, gap, gap * 2, gap)
        column.setSpacing(gap)
        details = QHBoxLayout()
        details.setSpacing(gap * 2)
        details.addWidget(label(describe(t, card), "title"), 1, Qt.AlignmentFlag.AlignTop)
        if card.booking.status in ("tentative", "confirmed", "completed"):
            qr = label("", wrap=False)
            qr.setPixmap(qr_pixmap(booking_qr_payload(card.booking.id), self.metrics.mm(28)))
            qr.setAccessibleName(t("my.qr", number=card.booking.number))
            details.addWidget(qr, 0, Qt.AlignmentFlag.AlignTop)
        column.addLayout(details)
        column.addLayout(self._status(card))
        column.addStretch(1)
        # At the foot of the card, above the page buttons' row: the confirm that follows
        # has its 确认取消 lower still, never under the finger that tapped this.
        action = self._action(card)
        if action is not None:
            column.addWidget(action)
        return frame

    def _status(self, card: BookingCard) -> QHBoxLayout:
        """待确认 with its icon, in its colour but no box (it is not a field to fill), and
        the booking number to read out at the canteen."""
        t, gap = self.t, self.metrics.gap
        status = t(card.status_key)
        if card.reason_key:
            status = t("my.status_reason", status=status, reason=t(card.reason_key))
        row = QHBoxLayout()
        row.setSpacing(gap)
        icon = label("", wrap=False)
        icon_px = self.metrics.mm(9)
        icon.setPixmap(QIcon(str(ASSETS / "icons" / f"status-{card.icon}.svg")).pixmap(icon_px))
        icon.setFixedSize(icon_px, icon_px)
        row.addWidget(icon, 0, Qt.AlignmentFlag.AlignTop)
        row.addWidget(label(status, STATUS_ROLE[card.icon]), 1)
        # The number beside its status, not under the words: at 超大 a card has one line to
        # spare, and English words take two.
        row.addWidget(label(t("receipt.number", number=card.booking.number), "note"), 0,
                      Qt.AlignmentFlag.AlignTop)
        return row

    def _action(self, card: BookingCard) -> BigButton | None:
        if card.can_cancel:
            button = BigButton(self.t("my.cancel"), "choice")
            # which booking it cancels, for a screen reader reading the cards one by one
            button.setAccessibleName(self.t("my.cancel.name", what=describe(self.t, card)))
            button.tapped.connect(lambda b=card.booking.id: self._cancel(b))
            return button
        if card.alternative is not None:
            button = BigButton(alternative_text(self.t, card.alternative), "choice")
            button.tapped.connect(lambda c=card: self._take_alternative(c))
            return button
        return None

    def _cancel(self, booking_id: str) -> None:
        self.core.session.cancelling = booking_id
        self.shell.answer("cancel")

    def _take_alternative(self, card: BookingCard) -> None:
        """One tap to the confirm screen of the nearest open slot, with the same choices."""
        booking, alternative = card.booking, card.alternative
        self.core.session.draft = Draft(booking.service, alternative.day, alternative.slot_id,
                                        booking.mode, "", booking.kind, list(booking.needs),
                                        booking.department)
        self.shell.answer("alternative")
