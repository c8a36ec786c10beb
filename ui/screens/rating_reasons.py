"""服务评价, step 2: optional reason chips for the face chosen, then 提交."""
from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout

from kiosk.errors import BookingRejected, KnownError
from kiosk.my_bookings import service_reason_key
from kiosk.ratings import reason_chips
from ui.screens.base import Screen
from ui.screens.paged import toggle_chips
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
        grid, self.chips = toggle_chips(MAX_CHIPS, self._toggle, self.metrics.gap)
        self.body.addLayout(grid, 1)
        self.body.addWidget(self.message)
        row = QHBoxLayout()
        row.setSpacing(self.metrics.gap * 6)
        self.send = BigButton(self.t("rating.send"), "primary")
        self.send.tapped.connect(self._send)
        row.addWidget(self.send, 1)
        row.addStretch(1)
        self.body.addLayout(row)
        self.codes: tuple[str, ...] = ()

    def enter(self) -> None:
        self.hide_message()
        feedback = self.core.session.feedback
        service = feedback.booking.service if feedback.booking else "other"
        self.codes = reason_chips(feedback.score, service)[:MAX_CHIPS]
        self.send.setEnabled(True)
        self._show()

    def _show(self) -> None:
        chosen = self.core.session.feedback.reasons
        for index, chip in enumerate(self.chips):
            code = self.codes[index] if index < len(self.codes) else None
            chip.setVisible(code is not None)
            if code is None:
                continue
            on = code in chosen
            mark = self.t("chip.on") if on else self.t("chip.off")
            chip.setText(f"{mark} {self.t(f'rating.reason.{code}')}")
            chip.setAccessibleName(self.t(f"rating.reason.{code}"))  # chosen: checked state
            chip.set_chosen(on, "toggle_on", "toggle")

    def prompt(self) -> str:
        return self.t("rating.reasons.prompt")

    def clear(self) -> None:
        super().clear()
        self.codes = ()

    def _toggle(self, index: int) -> None:
        if index >= len(self.codes):
            return
        reasons = self.core.session.feedback.reasons
        code = self.codes[index]
        if code in reasons:
            reasons.remove(code)
        else:
            reasons.append(code)
        self._show()

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
