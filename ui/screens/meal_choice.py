"""Meals, step 2: lunch or dinner on the chosen day, each with its cut-off or why it is shut."""
from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout

from kiosk.meals import MEALS, SlotState, SlotView, slots_between
from ui.screens.base import Screen
from ui.widgets import BigButton


def slot_state_text(t, view: SlotView) -> str:
    if view.booked_by_elder:
        return t("meal.slot.booked")
    if view.state is SlotState.OPEN:
        return t("meal.slot.open", time=t.time(view.slot.cutoff))
    return t(f"meal.slot.{view.state.value}")


def slot_refusal_key(view: SlotView) -> str:
    if view.booked_by_elder:
        return "reason.duplicate"
    return f"reason.{view.state.value}"


class MealChoiceScreen(Screen):
    name = "meal_choice"

    def build(self) -> None:
        row = QHBoxLayout()
        row.setSpacing(self.metrics.gap * 3)
        self.buttons: dict[str, BigButton] = {}
        for meal in MEALS:
            button = BigButton("", "tile")
            button.tapped.connect(lambda m=meal: self._chosen(m))
            row.addWidget(button)
            self.buttons[meal] = button
        self.body.addLayout(row)
        self.body.addWidget(self.message)
        self.body.addStretch(1)
        self.views: dict[str, SlotView] = {}

    def enter(self) -> None:
        self.hide_message()
        core = self.core
        day = core.session.meal.day
        self.set_title(self.t("meal.choice.title", day=self.t.day(day, "format.day_short")))
        views = slots_between(core.store, day, day, core.session.elder.id, core.clock.now())
        self.views = {v.slot.meal: v for v in views}
        for meal, button in self.buttons.items():
            view = self.views.get(meal)
            state = slot_state_text(self.t, view) if view else self.t("meal.slot.closed")
            button.setText(f"{self.t('meal.' + meal)}\n{state}")
            button.set_role("tile" if view is not None and view.bookable else "unavailable")

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
        self.core.session.meal.slot_id = view.slot.id
        self.shell.answer("chosen")
