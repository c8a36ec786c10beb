"""Meals, step 4: eat at the canteen, pick up, or (where the profile allows) home delivery."""
from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout

from elder_wire.meals import MODES
from ui.screens.base import Screen
from ui.widgets import BigButton


class MealModeScreen(Screen):
    name = "meal_mode"

    def build(self) -> None:
        self.set_title(self.t("mode.title"))
        # A row across the top half, so that the next screen's 确认 (bottom right) is never
        # under the finger that just chose.
        row = QHBoxLayout()
        row.setSpacing(self.metrics.gap * 3)
        self.buttons: dict[str, BigButton] = {}
        for mode in MODES:
            button = BigButton(self.t("mode." + mode), "tile")
            button.tapped.connect(lambda m=mode: self._chosen(m))
            row.addWidget(button)
            self.buttons[mode] = button
        self.body.addLayout(row)
        self.body.addWidget(self.message)
        self.body.addStretch(1)

    def enter(self) -> None:
        self.hide_message()
        elder = self.core.session.elder
        self.buttons["delivery"].setVisible(elder.delivery_allowed)

    def prompt(self) -> str:
        elder = self.core.session.elder
        allowed = elder is not None and elder.delivery_allowed
        return self.t("mode.prompt" if allowed else "mode.prompt.no_delivery")

    def _chosen(self, mode: str) -> None:
        self.core.session.draft.mode = mode
        self.shell.answer("chosen")
