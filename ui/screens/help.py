"""求助: one tap on any screen, one confirm, and staff are told at once (spoken and shown)."""
from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout

from kiosk.errors import KnownError
from ui.screens.base import Screen
from ui.screens.paged import keep_place
from ui.widgets import BigButton, label, restyle


class HelpScreen(Screen):
    name = "help"
    offers_help = False
    skip_on_back = True

    def build(self) -> None:
        self.set_title(self.t("help.title"))
        self.question = label(self.t("help.question"), "big")
        self.body.addWidget(self.question)
        self.body.addWidget(self.message)
        self.body.addStretch(1)
        row = QHBoxLayout()
        row.setSpacing(self.metrics.gap * 6)
        self.cancel = BigButton(self.t("help.no"), "choice")
        self.cancel.setMinimumHeight(self.metrics.primary)
        self.cancel.tapped.connect(self.shell.back)
        self.ok = BigButton(self.t("help.yes"), "primary")
        self.ok.tapped.connect(self._ask)
        keep_place(self.ok)  # once hidden, 返回 must not slide under the finger
        row.addWidget(self.cancel, 1)
        row.addWidget(self.ok, 1)
        self.body.addLayout(row)
        self.sent = False

    def enter(self) -> None:
        self.hide_message()
        self.sent = False
        self.question.setText(self.t("help.question"))
        restyle(self.question, "big")
        self.ok.show()
        self.cancel.setText(self.t("help.no"))

    def prompt(self) -> str:
        return self.question.text()

    def _ask(self) -> None:
        if self.sent:
            return
        core = self.core
        elder = core.session.elder
        try:
            core.help.ask(elder.id if elder else None, staff_id=core.session.staff_id)
        except KnownError as error:
            self.show_message(f"{self.t(error.message_key)}\n{self.t('error.ask_staff')}")
            return
        self.sent = True
        self.shell.action_done()
        self.question.setText(self.t("help.sent"))
        restyle(self.question, "status_ok")
        self.ok.hide()
        self.cancel.setText(self.t("help.back"))
        self.shell.speak(self.t("help.sent"))
