"""Cleaning, step 4: extra needs as big toggle chips (家有宠物…), never typed; then 下一步."""
from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout

from ui.screens.base import Screen
from ui.screens.paged import keep_place, toggle_chips
from ui.widgets import BigButton

MAX_CHIPS = 6


class WindowNeedsScreen(Screen):
    name = "window_needs"

    def build(self) -> None:
        self.set_title(self.t("cleaning.needs.title"))
        grid, self.chips = toggle_chips(MAX_CHIPS, self._toggle, self.metrics.gap)
        self.body.addLayout(grid, 1)
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
        self.codes: list[str] = []

    def enter(self) -> None:
        self.hide_message()
        provider = self.core.flow(self.core.session.draft.service).provider()
        self.codes = list(provider.needs[:MAX_CHIPS]) if provider else []
        self._show()

    def _show(self) -> None:
        chosen = self.core.session.draft.needs
        for index, chip in enumerate(self.chips):
            code = self.codes[index] if index < len(self.codes) else None
            chip.setVisible(code is not None)
            if code is None:
                continue
            on = code in chosen
            mark = self.t("chip.on") if on else self.t("chip.off")
            chip.setText(f"{mark} {self.t('need.' + code)}")
            chip.setAccessibleName(self.t("need." + code))  # chosen or not: its checked state
            chip.set_chosen(on, "toggle_on", "toggle")
        self.next.setText(self.t("cleaning.needs.next" if chosen else "cleaning.needs.none"))

    def prompt(self) -> str:
        return self.t("cleaning.needs.prompt")

    def clear(self) -> None:
        super().clear()
        self.codes = []

    def _toggle(self, index: int) -> None:
        if index >= len(self.codes):
            return
        needs = self.core.session.draft.needs
        code = self.codes[index]
        if code in needs:
            needs.remove(code)
        else:
            needs.append(code)
        self._show()

    def _next(self) -> None:
        self.shell.answer("chosen")
