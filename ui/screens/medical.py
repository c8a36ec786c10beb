"""助医: a clinic appointment, a doctor's home visit (if the profile allows) or a health check."""
from __future__ import annotations

from PySide6.QtWidgets import QGridLayout

from kiosk.session import ServiceDraft
from ui.screens.base import Screen
from ui.widgets import BigButton

CHOICES = ("clinic", "home_visit", "health_check")


class MedicalScreen(Screen):
    name = "medical"

    def build(self) -> None:
        self.set_title(self.t("medical.title"))
        # Two to a row, as on the services screen: a name and its hint fit in any language.
        self.grid = QGridLayout()
        self.grid.setSpacing(self.metrics.gap * 3)
        self.grid.setColumnStretch(0, 1)
        self.grid.setColumnStretch(1, 1)
        self.buttons: dict[str, BigButton] = {}
        for index, choice in enumerate(CHOICES):
            button = BigButton(f"{self.t('service.' + choice)}\n"
                               f"{self.t('service.' + choice + '.hint')}", "tile")
            button.tapped.connect(lambda c=choice: self._chosen(c))
            self.grid.addWidget(button, index // 2, index % 2)
            self.buttons[choice] = button
        self.body.addLayout(self.grid)
        self.body.addWidget(self.message)
        self.body.addStretch(1)

    def enter(self) -> None:
        self.hide_message()
        self.buttons["home_visit"].setVisible(self.core.session.elder.home_visit_allowed)
        shown = [button for button in self.buttons.values() if not button.isHidden()]
        for button in self.buttons.values():
            self.grid.removeWidget(button)
        for index, button in enumerate(shown):  # no gap where home visit is not offered
            self.grid.addWidget(button, index // 2, index % 2)

    def prompt(self) -> str:
        elder = self.core.session.elder
        allowed = elder is not None and elder.home_visit_allowed
        return self.t("medical.prompt" if allowed else "medical.prompt.no_home_visit")

    def _chosen(self, choice: str) -> None:
        self.core.session.service = ServiceDraft(choice)
        self.shell.answer(choice)
