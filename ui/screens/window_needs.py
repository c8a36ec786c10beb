"""Cleaning, step 4: extra needs as big toggle chips (家有宠物…), never typed; then 下一步."""
from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout

from ui.screens.base import Screen
from ui.screens.paged import ToggleChips, keep_place
from ui.widgets import BigButton

MAX_CHIPS = 6


class WindowNeedsScreen(Screen):
    name = "window_needs"

    def build(self) -> None:
        self.set_title(self.t("cleaning.needs.title"))
        self.chips = ToggleChips(self.t, MAX_CHIPS, self.metrics.gap,
                                 lambda code: self.t("need." + code), self._show_next)
        self.body.addLayout(self.chips.grid, 1)
        self.body.addWidget(self.message)
        # 下一步 on the left: the confirm screen's 确认 sits bottom right, away from this finger.
        row = QHBoxLayout()
        row.setSpacing(self.metrics.gap * 6)
        self.next = BigButton(self.t("cleaning.needs.none"), "primary")
        self.next.tapped.connect(self._next)
        keep_place(self.next)
        row.addWidget(self.next, 1)
        row.addStretch(1)
        self.body.addLayout(row)

    def enter(self) -> None:
        self.hide_message()
        provider = self.core.flow(self.core.session.draft.service).provider()
        self.chips.show(provider.needs if provider else (), self.core.session.draft.needs)
        self._show_next()

    def _show_next(self) -> None:
        self.next.setText(self.t("cleaning.needs.next" if self.chips.chosen
                                 else "cleaning.needs.none"))

    def prompt(self) -> str:
        return self.t("cleaning.needs.prompt")

    def clear(self) -> None:
        super().clear()
        self.chips.clear()

    def _next(self) -> None:
        self.shell.answer("chosen")
