"""Meals, step 2: lunch or dinner on the chosen day, each with its cut-off or why it is shut."""
from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import QBoxLayout

from elder_wire.meals import MEALS
from kiosk.meals import slots_between
from kiosk.slots import SlotState, SlotView
from ui.screens.base import Screen
from ui.widgets import BigButton


def slot_state_text(t, view: SlotView, today: dt.date) -> str:
    if view.mine:
        return t("meal.slot.booked")
    if view.state is SlotState.OPEN:
        return t("meal.slot.open_day", day=cutoff_day(t, view.slot, today),
                 time=t.time(view.slot.cutoff))
    return t(f"meal.slot.{view.state.value}")


def cutoff_day(t, slot, today: dt.date) -> str:
    """Which day the booking closes: 今天 / 明天 / 后天, else 当天 (the meal's day), else
    its date (a platform may close a meal the day before)."""
    closes = slot.cutoff.date()
    if (closes - today).days in (0, 1, 2):
        return t.relative_day(closes, today)
    if closes == slot.day:
        return t("meal.slot.same_day")
    return t.day(closes, "format.day_short")


def slot_refusal_key(view: SlotView) -> str:
    if view.mine:
        return "reason.duplicate"
    return f"reason.{view.state.value}"


class MealChoiceScreen(Screen):
    name = "meal_choice"

    def build(self) -> None:
        self.row = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self.row.setSpacing(self.metrics.gap * 3)
        self.buttons: dict[str, BigButton] = {}
        for meal in MEALS:
            button = BigButton("", "tile")
            button.tapped.connect(lambda m=meal: self._chosen(m))
            self.row.addWidget(button)
            self.buttons[meal] = button
        self.body.addLayout(self.row)
        self.body.addWidget(self.message)
        self.body.addStretch(1)
        self.views: dict[str, SlotView] = {}

    def enter(self) -> None:
        self.hide_message()
        core = self.core
        day = core.session.draft.day
        self.set_title(self.t("meal.choice.title", day=self.t.day(day, "format.day_short")))
        views = slots_between(core.store, day, day, core.session.elder.id, core.clock.now())
        self.views = {v.slot.meal: v for v in views}
        for meal, button in self.buttons.items():
            view = self.views.get(meal)
            state = slot_state_text(self.t, view, core.clock.today()) if view \
                else self.t("meal.slot.closed")
            button.setText(f"{self.t('meal.' + meal)}\n{state}")
            button.set_role("tile" if view is not None and view.bookable else "unavailable")
        self._arrange()

    def _arrange(self) -> None:
        """Lunch and dinner side by side, or one above the other where their words do not
        fit half the width (English at 超大 on a laptop's screen)."""
        margins = self.body.contentsMargins()
        width = self.shell.stack.width() - margins.left() - margins.right()
        half = (width - self.row.spacing()) // 2
        wide = max(button.sizeHint().width() for button in self.buttons.values())
        self.row.setDirection(QBoxLayout.Direction.LeftToRight if wide <= half
                              else QBoxLayout.Direction.TopToBottom)

    def prompt(self) -> str:
        return self.t("meal.choice.prompt")

    def clear(self) -> None:
        super().clear()
        self.views = {}

    def _chosen(self, meal: str) -> None:
        view = self.views.get(meal)
        if view is None:
            self.show_message(self.t("reason.unknown_slot"))
            return
        if not view.bookable:
            self.show_message(self.t(slot_refusal_key(view)))
            return
        self.core.session.draft.slot_id = view.slot.id
        self.shell.answer("chosen")
