"""服务评价, step 2: optional reason chips for the face chosen, then 提交."""
from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout

from kiosk.errors import BookingRejected, KnownError
from kiosk.my_bookings import service_reason_key
from kiosk.ratings import reason_chips
from ui.screens.base import Screen
from ui.screens.paged import ToggleChips
from ui.widgets import BigButton, label

MAX_CHIPS = 4


class RatingReasonsScreen(Screen):
    name = "rating_reasons"
    can_go_back = False  # back would pass the one-time question and sign out; 首页 is there
    skip_on_back = True

    def build(self) -> None:
        self.set_title(self.t("rating.reasons.title"))
        self.hint = label(self.t("rating.reasons.hint"))
        self.body.addWidget(self.hint)
        self.chips = ToggleChips(self.t, MAX_CHIPS, self.metrics.gap,
                                 lambda code: self.t(f"rating.reason.{code}"))
        self.body.addLayout(self.chips.grid, 1)
        self.body.addWidget(self.message)
        row = QHBoxLayout()
        row.setSpacing(self.metrics.gap * 6)
        self.send = BigButton(self.t("rating.send"), "primary")
        self.send.tapped.connect(self._send)
        row.addWidget(self.send, 1)
        row.addStretch(1)
        self.body.addLayout(row)

    def enter(self) -> None:
        self.hide_message()
        feedback = self.core.session.feedback
        service = feedback.booking.service if feedback.booking else "other"
        self.chips.show(reason_chips(feedback.score, service)[:MAX_CHIPS], feedback.reasons)
        self.send.setEnabled(True)

    def prompt(self) -> str:
        return self.t("rating.reasons.prompt")

    def clear(self) -> None:
        super().clear()
        self.chips.clear()

    def _send(self) -> None:
        core = self.core
        feedback = core.session.feedback
        try:
            core.ratings.rate(core.session.elder.id, feedback.booking.id, feedback.score,
                              tuple(feedback.reasons), staff_id=core.session.staff_id)
        except BookingRejected as error:
            self.show_message(self.t(service_reason_key(error.reason)))
            return
        except KnownError as error:
            self.show_message(self.t(error.message_key))
            return
        self.send.setEnabled(False)
        self.shell.action_done()
        if feedback.score == "unsatisfied":
            self.shell.answer("complain")
            return
        core.session.notice = "rating.thanks"
        self.shell.answer("done")
