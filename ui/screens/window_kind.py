"""A service booked by a window, step 3 where its provider has kinds: 日常保洁 (about 2 hours)
or 深度保洁 (about 4 hours, two team units)."""
from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout

from kiosk.service_flows import KindChoice
from ui.screens.base import Screen
from ui.widgets import BigButton

MAX_KINDS = 3


class WindowKindScreen(Screen):
    name = "window_kind"

    def build(self) -> None:
        self.set_title(self.t("cleaning.kind.title"))
        row = QHBoxLayout()
        row.setSpacing(self.metrics.gap * 3)
        self.buttons: list[BigButton] = []
        for index in range(MAX_KINDS):
            button = BigButton("", "tile")
            button.tapped.connect(lambda i=index: self._chosen(i))
            row.addWidget(button)
            self.buttons.append(button)
        self.body.addLayout(row)
        self.body.addWidget(self.message)
        self.body.addStretch(1)
        self.kinds: list[KindChoice] = []

    def enter(self) -> None:
        self.hide_message()
        core, t = self.core, self.t
        flow = core.flow(core.session.draft.service)
        window = flow.windows(core.session.elder.id, core.session.draft.day) \
            .get(core.session.draft.window)
        self.kinds = flow.kinds(core.session.elder, window) if window else []
        for index, button in enumerate(self.buttons):
            choice = self.kinds[index] if index < len(self.kinds) else None
            button.setVisible(choice is not None)
            if choice is None:
                continue
            state = t("cleaning.kind.pay", hours=choice.kind.hours,
                      pay=t.price(choice.pay_cents)) if choice.available \
                else t("cleaning.kind.full")
            button.setText(f"{t('kind.' + choice.kind.code)}\n{state}")
            button.set_role("tile" if choice.available else "unavailable")

    def prompt(self) -> str:
        return self.t("cleaning.kind.prompt")

    def clear(self) -> None:
        super().clear()
        self.kinds = []

    def _chosen(self, index: int) -> None:
        if index >= len(self.kinds):
            return
        choice = self.kinds[index]
        if not choice.available:
            self.show_message(self.t("service.reason.full_deep"))
            return
        self.core.session.draft.kind = choice.kind.code
        provider = self.core.flow(self.core.session.draft.service).provider()
        self.shell.answer("needs" if provider is not None and provider.needs else "confirm")
