"""Meals, step 3: the chosen meal's dishes with their dietary tags, and the price to pay."""
from __future__ import annotations

from PySide6.QtWidgets import QFrame, QHBoxLayout, QVBoxLayout, QWidget

from kiosk.slots import get_slot
from ui.screens.base import Screen
from ui.widgets import BigButton, label


class MealMenuScreen(Screen):
    name = "meal_menu"

    def build(self) -> None:
        self.card = QFrame()
        self.card.setProperty("role", "card")
        self.dishes = QVBoxLayout(self.card)
        gap = self.metrics.gap
        self.dishes.setContentsMargins(gap * 2, gap * 2, gap * 2, gap * 2)
        self.dishes.setSpacing(gap)
        self.body.addWidget(self.card)
        self.price = label("", "title")
        self.body.addWidget(self.price)
        self.body.addWidget(self.message)
        self.body.addStretch(1)
        self.book = BigButton(self.t("menu.book"), "primary")
        self.book.tapped.connect(lambda: self.shell.answer("book"))
        self.body.addWidget(self.book)

    def enter(self) -> None:
        self.hide_message()
        core, t = self.core, self.t
        slot = get_slot(core.store, core.session.draft.slot_id, core.clock.tz)
        # the short day (Wednesday 25): at 超大 in English the long one wraps to a third line
        self.set_title(t("menu.title", day=t.day(slot.day, "format.day_short"),
                         meal=t("meal." + slot.meal)))
        self._clear_dishes()
        for dish in slot.menu:
            self.dishes.addWidget(self._dish_row(dish))
        price, subsidy = core.bookings.price(core.session.elder, slot)
        self.price.setText(t("menu.price", price=t.price(price), pay=t.price(price - subsidy)))
        # said aloud too, for those who cannot read the dishes
        self.spoken = t("menu.prompt", dishes=t("list.separator").join(d.name for d in slot.menu),
                        pay=t.price(price - subsidy))

    def prompt(self) -> str:
        return getattr(self, "spoken", "")

    def clear(self) -> None:
        super().clear()
        self._clear_dishes()
        self.price.setText("")
        self.spoken = ""

    def _dish_row(self, dish) -> QWidget:
        row = QWidget()
        row.setProperty("role", "plain")  # on the card's white, not the page's cream
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(self.metrics.gap)
        layout.addWidget(label(dish.name, wrap=False))
        layout.addStretch(1)
        if dish.tags:  # 低盐、软食 in words, not a row of button-like chips
            tags = self.t("list.separator").join(self.t("tag." + tag) for tag in dish.tags)
            layout.addWidget(label(tags, "tag", wrap=False))
        return row

    def _clear_dishes(self) -> None:
        while self.dishes.count():
            widget = self.dishes.takeAt(0).widget()
            if widget is not None:
                widget.deleteLater()
