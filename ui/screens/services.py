"""After sign-in: a greeting by name and a huge tile for each service that works."""
from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QGridLayout

from kiosk.paths import ASSETS
from ui.screens.base import Screen
from ui.widgets import BigButton

# (answer in the flow, name key, hint key, pictogram)
SERVICES = [("meal", "service.meal", "service.meal.hint", "meal.svg"),
            ("cleaning", "service.cleaning", "service.cleaning.hint", "cleaning.svg"),
            ("medical", "service.medical", "service.medical.hint", "medical.svg"),
            ("my_bookings", "service.my_bookings", "service.my_bookings.hint",
             "my-bookings.svg")]


class ServicesScreen(Screen):
    name = "services"

    def build(self) -> None:
        grid = QGridLayout()
        grid.setSpacing(self.metrics.gap * 3)
        icon_px = self.metrics.mm(22)
        for index, (answer, name_key, hint_key, icon) in enumerate(SERVICES):
            tile = BigButton(f"{self.t(name_key)}\n{self.t(hint_key)}", "tile")
            tile.setIcon(QIcon(str(ASSETS / "icons" / icon)))
            tile.setIconSize(QSize(icon_px, icon_px))
            tile.tapped.connect(lambda a=answer: self.shell.answer(a))
            grid.addWidget(tile, index // 2, index % 2)
        self.body.addLayout(grid)
        self.body.addWidget(self.message)
        self.body.addStretch(1)

    def enter(self) -> None:
        elder = self.core.session.elder
        # the masked name (王*英): enough for her to know it is her, not for passers-by
        self.set_title(self.t("services.greeting", name=elder.masked_name) if elder else "")
        session = self.core.session
        self.notice = self.t(session.notice) if session.notice else ""
        session.notice = ""
        self.hide_message()
        if self.notice:  # e.g. 谢谢您的评价, said with the prompt
            self.message.setText(self.notice)
            self.message.show()

    def prompt(self) -> str:
        notice = getattr(self, "notice", "")
        choices = self.t("list.separator").join(self.t(key) for _, key, _, _ in SERVICES)
        return f"{notice}{self.t('services.prompt', choices=choices)}"

    def clear(self) -> None:
        super().clear()
        self.set_title("")
