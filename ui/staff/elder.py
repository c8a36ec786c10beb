"""An elder's card for staff: who they are (phone masked), the next meals in one tap each,
every service in the elders' own screens, edit, deactivate or reactivate."""
from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QVBoxLayout, QWidget

from kiosk import elder_registry
from kiosk.elders import get_elder
from kiosk.errors import KnownError
from kiosk.meals import slots_between
from ui.staff.base import StaffScreen
from ui.staff.widgets import FitPages
from ui.widgets import BigButton, label

QUICK_MEALS = 4


def elder_lines(t, form, masked_phone: str) -> list[str]:
    diet = t("list.separator").join(t(f"tag.{tag}") for tag in form.dietary) or t("staff.none")
    mobility = t(f"mobility.{form.mobility}") if form.mobility else t("staff.none")
    return [
        t("staff.elder.card_phone", card=form.card_no, phone=masked_phone),
        t("staff.elder.diet_mobility", diet=diet, mobility=mobility),
        t("staff.elder.subsidy_state", subsidy=t(f"subsidy.{form.subsidy_level}"),
          state=t("staff.elder.active" if form.active else "staff.elder.inactive")),
    ]


class StaffElderScreen(StaffScreen):
    name = "staff_elder"

    def build(self) -> None:
        gap = self.metrics.gap
        # A message, the elder's details and the quick meals, paged when they do not all fit
        # (a message with the meals in two rows: English at 超大 on a laptop's screen).
        self.pages = FitPages(self, gap)
        self.pages.add(self.message)
        self.pages.prepare = self._arrange
        self.info = self.pages.add(label(""))  # three lines in one label: no row gaps
        self.quick_box = QWidget()
        column = QVBoxLayout(self.quick_box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(gap)
        self.quick_note = label(self.t("staff.elder.quick"), "note")
        column.addWidget(self.quick_note)
        self.grid = QGridLayout()
        self.grid.setSpacing(gap)
        self.quick: list[BigButton] = []
        for index in range(QUICK_MEALS):
            button = BigButton("", "choice")
            button.tapped.connect(lambda i=index: self._quick(i))
            self.grid.addWidget(button, 0, index)
            self.quick.append(button)
        self.columns = QUICK_MEALS
        column.addLayout(self.grid)
        self.pages.add(self.quick_box)
        self.body.addWidget(self.pages, 1)
        row = QHBoxLayout()
        row.setSpacing(gap * 2)
        self.services = BigButton(self.t("staff.elder.services"), "choice")
        self.services.tapped.connect(lambda: self.shell.answer("services"))
        self.edit = BigButton(self.t("staff.elder.edit"), "choice")
        self.edit.tapped.connect(self._edit)
        self.toggle = BigButton("", "choice")
        self.toggle.tapped.connect(self._toggle)
        for button in (self.services, self.edit, self.toggle):
            row.addWidget(button)
        self.body.addLayout(row)
        self.slots = []

    def enter(self) -> None:
        self.hide_message()
        elder = self.core.session.elder
        if elder is None or not self.mode.signed_in:
            raise KnownError()
        self.core.session.staff_id = self.staff_id
        form = elder_registry.load(self.core.store, elder.id)
        self.set_title(self.t("staff.elder.title", name=form.name))
        self.info.setText("\n".join(elder_lines(self.t, form, elder.masked_phone)))
        self.toggle.setText(self.t("staff.elder.deactivate" if form.active
                                   else "staff.elder.reactivate"))
        now = self.core.clock.now()
        last = now.date() + dt.timedelta(days=self.core.settings.booking_days)
        self.slots = [v.slot for v in slots_between(self.core.store, now.date(), last,
                                                     elder.id, now) if v.bookable]
        self.slots = self.slots[:QUICK_MEALS] if elder.active else []
        for index, button in enumerate(self.quick):
            slot = self.slots[index] if index < len(self.slots) else None
            button.setVisible(slot is not None)
            if slot is not None:
                button.setText(self.t("staff.elder.quick_meal",
                                      day=self.t.relative_day(slot.day, now.date()),
                                      meal=self.t(f"meal.{slot.meal}")))
        self.services.setEnabled(elder.active)
        self._page(keep_page=False)

    def fit(self) -> None:
        self._page(keep_page=True)

    def _page(self, keep_page: bool) -> None:
        message = [self.message] if self.message.text() else []
        quick = [self.quick_box] if self.slots else []  # no 一点就订 over no buttons
        self.pages.show_blocks([*message, self.info, *quick], keep_page)

    def _arrange(self, width: int) -> None:
        """The quick meals four to a row where their words fit, else two to a row (English
        at 超大 on a laptop's screen): never a squeezed button."""
        shown = [button for button in self.quick if not button.isHidden()]
        widest = max((button.sizeHint().width() for button in shown), default=0)
        gap = self.grid.horizontalSpacing()
        columns = QUICK_MEALS if QUICK_MEALS * (widest + gap) - gap <= width else 2
        if columns == self.columns:
            return
        for button in self.quick:
            self.grid.removeWidget(button)
        for index, button in enumerate(self.quick):
            self.grid.addWidget(button, index // columns, index % columns)
        self.columns = columns

    def clear(self) -> None:
        super().clear()
        self.info.setText("")
        self.slots = []

    def _quick(self, index: int) -> None:
        if index < len(self.slots):
            slot = self.slots[index]
            self.core.session.draft.day = slot.day
            self.core.session.draft.slot_id = slot.id
            self.shell.answer("meal")

    def _edit(self) -> None:
        self.mode.form = elder_registry.load(self.core.store, self.core.session.elder.id)
        self.shell.answer("edit")

    def _toggle(self) -> None:
        elder = self.core.session.elder
        form = elder_registry.set_active(self.core.store, self.core.clock, elder.id,
                                         not elder.active, self.staff_id)
        self.shell.action_done()
        self.mode.act_for(get_elder(self.core.store, form.id))
        self.enter()
        self.show_message(self.t("staff.elder.saved"), "status_ok")
