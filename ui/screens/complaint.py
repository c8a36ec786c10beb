"""After 不满意: offer a complaint (投诉) that reaches staff and the platform."""
from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout

from kiosk.errors import KnownError
from ui.screens.base import Screen
from ui.widgets import BigButton, label


class ComplaintScreen(Screen):
    name = "complaint"
    can_go_back = False
    skip_on_back = True

    def build(self) -> None:
        self.set_title(self.t("complaint.title"))
        self.body.addWidget(label(self.t("complaint.question"), "big"))
        # Both answers high on the screen: the 提交 just tapped sat low.
        row = QHBoxLayout()
        row.setSpacing(self.metrics.gap * 3)
        self.file = BigButton(self.t("complaint.file"), "tile")
        self.file.tapped.connect(self._file)
        self.skip = BigButton(self.t("complaint.skip"), "tile")
        self.skip.tapped.connect(self._skip)
        row.addWidget(self.file)
        row.addWidget(self.skip)
        self.body.addLayout(row)
        self.body.addWidget(self.message)
        self.body.addStretch(1)

    def enter(self) -> None:
        self.hide_message()
        self.file.setEnabled(True)

    def prompt(self) -> str:
        return self.t("complaint.prompt")

    def _file(self) -> None:
        core = self.core
        feedback = core.session.feedback
        try:
            core.complaints.file(core.session.elder.id,
                                 booking_id=feedback.booking.id if feedback.booking else None,
                                 reasons=tuple(feedback.reasons),
                                 staff_id=core.session.staff_id)
        except KnownError as error:
            self.show_message(self.t(error.message_key))
            return
        self.file.setEnabled(False)
        self.shell.action_done()
        core.session.notice = "complaint.done"
        self.shell.answer("done")

    def _skip(self) -> None:
        self.core.session.notice = "rating.thanks"
        self.shell.answer("done")
