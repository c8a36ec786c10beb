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
        self.rows: list[DishRow] = []  # one a dish, kept from one menu to the next
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
        self._show_dishes(slot.menu)
        price, subsidy = core.bookings.price(core.session.elder, slot)
        self.price.setText(t("menu.price", price=t.price(price), pay=t.price(price - subsidy)))
        # said aloud too, for those who cannot read the dishes
        self.spoken = t("menu.prompt", dishes=t("list.separator").join(d.name for d in slot.menu),
                        pay=t.price(price - subsidy))

    def prompt(self) -> str:
        return getattr(self, "spoken", "")

    def clear(self) -> None:
        super().clear()
        self._show_dishes(())
        self.price.setText("")
        self.spoken = ""

    def _show_dishes(self, menu) -> None:
        """A row for each dish, filled in place: rows are made once and kept (those left over
        hidden), as building and styling new widgets on every 午餐 made it a flow's slowest tap."""
        while len(self.rows) < len(menu):
            self.rows.append(DishRow(self.metrics.gap))
            self.dishes.addWidget(self.rows[-1])
        for n, row in enumerate(self.rows):
            if n < len(menu):
                dish = menu[n]
                # 低盐、软食 in words, not a row of button-like chips
                row.show_dish(dish.name, self.t("list.separator").join(
                    self.t("tag." + tag) for tag in dish.tags))
            else:
                row.show_dish("", "")
            row.setVisible(n < len(menu))


class DishRow(QWidget):
    """One dish of the menu: its name, and its dietary tags (if any) on the right."""

    def __init__(self, gap: int) -> None:
        super().__init__()
        self.setProperty("role", "plain")  # on the card's white, not the page's cream
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(gap)
        self.name = label("", wrap=False)
        self.tags = label("", "tag", wrap=False)
        layout.addWidget(self.name)
        layout.addStretch(1)
        layout.addWidget(self.tags)

    def show_dish(self, name: str, tags: str) -> None:
        self.name.setText(name)
        self.tags.setText(tags)
        self.tags.setVisible(bool(tags))
