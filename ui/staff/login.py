"""Staff sign-in, step 1: tap your name (the community's staff, from the platform's feed)."""
from __future__ import annotations

from PySide6.QtWidgets import QGridLayout

from kiosk.staff import list_staff
from ui.staff.base import StaffScreen
from ui.widgets import BigButton, label

MAX_NAMES = 8


class StaffLoginScreen(StaffScreen):
    name = "staff_login"

    def build(self) -> None:
        self.set_title(self.t("staff.login.title"))
        self.body.addWidget(label(self.t("staff.login.instruction")))
        grid = QGridLayout()
        grid.setSpacing(self.metrics.gap * 2)
        self.buttons: list[BigButton] = []
        for index in range(MAX_NAMES):
            button = BigButton("", "choice")
            button.tapped.connect(lambda i=index: self._chosen(i))
            grid.addWidget(button, index // 4, index % 4)
            self.buttons.append(button)
        self.body.addLayout(grid)
        self.body.addWidget(self.message)
        self.body.addStretch(1)
        self.members = []

    def enter(self) -> None:
        self.hide_message()
        self.members = list_staff(self.core.store)[:MAX_NAMES]
        for index, button in enumerate(self.buttons):
            member = self.members[index] if index < len(self.members) else None
            button.setText(member.name if member else "")
            button.setVisible(member is not None)
        if not self.members:
            self.show_message(self.t("staff.login.nobody"))

    def _chosen(self, index: int) -> None:
        if index < len(self.members):
            self.mode.chosen = self.members[index]
            self.shell.answer("chosen")
