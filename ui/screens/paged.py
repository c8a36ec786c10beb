"""A screen of up to six big choices at a time, with big 上一页 / 下一页 instead of scrolling."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QSize
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QGridLayout, QHBoxLayout

from ui.screens.base import Screen
from ui.widgets import BigButton

PAGE_SIZE = 6
ROWS = {"largest": 2}  # rows of tiles a page at a text size; three otherwise


@dataclass(frozen=True)
class Choice:
    text: str
    available: bool
    value: Any
    refusal: str = ""  # what to say when an unavailable choice is tapped
    icon: str = ""  # a pictogram's file, for tiles


def keep_place(widget, keep: bool = True) -> None:
    """A hidden widget keeps its place, so the others do not move under the finger."""
    policy = widget.sizePolicy()
    if policy.retainSizeWhenHidden() != keep:
        policy.setRetainSizeWhenHidden(keep)
        widget.setSizePolicy(policy)


class ToggleChips:
    """Big toggle chips for codes, two to a row, each keeping its place while hidden (cleaning
    needs, rating reasons, complaint reasons): a tap flips its code in `chosen`, the list the
    session holds, and the chips show it; `changed` is called after each flip."""

    def __init__(self, t, count: int, gap: int, word, changed=None) -> None:
        self.t = t
        self.word = word  # a code -> its words
        self.changed = changed
        self.grid = QGridLayout()
        self.grid.setSpacing(gap * 2)
        self.buttons: list[BigButton] = []
        for index in range(count):
            chip = BigButton("", "toggle")
            chip.tapped.connect(lambda i=index: self._toggle(i))
            keep_place(chip)
            self.grid.addWidget(chip, index // 2, index % 2)
            self.buttons.append(chip)
        self.codes: list[str] = []
        self.chosen: list[str] = []

    def show(self, codes, chosen: list[str]) -> None:
        """These codes (as many as there are chips), `chosen` flipped in place."""
        self.codes = list(codes)[:len(self.buttons)]
        self.chosen = chosen
        self.refresh()

    def refresh(self) -> None:
        for index, chip in enumerate(self.buttons):
            code = self.codes[index] if index < len(self.codes) else None
            chip.setVisible(code is not None)
            if code is None:
                continue
            on = code in self.chosen
            mark = self.t("chip.on") if on else self.t("chip.off")
            words = self.word(code)
            chip.setText(f"{mark} {words}")
            chip.setAccessibleName(words)  # chosen or not: its checked state
            chip.set_chosen(on, "toggle_on", "toggle")

    def clear(self) -> None:
        self.codes, self.chosen = [], []

    def _toggle(self, index: int) -> None:
        if index >= len(self.codes):
            return
        code = self.codes[index]
        if code in self.chosen:
            self.chosen.remove(code)
        else:
            self.chosen.append(code)
        self.refresh()
        if self.changed is not None:
            self.changed()


class PagedChoiceScreen(Screen):
    """Subclasses give `choices()` and act on `chosen(value)`."""

    columns = 2
    big_text = False  # short words in large tiles (times): as big as a tile's
    role = "choice"  # "tile" for the services' big tiles with their pictograms
    icon_mm = 22

    def build(self) -> None:
        grid = QGridLayout()
        grid.setSpacing(self.metrics.gap * 2)
        self.buttons: list[BigButton] = []
        icon_px = self.metrics.mm(self.icon_mm)
        for index in range(PAGE_SIZE):
            button = BigButton("", self.role)
            button.setProperty("big", self.big_text)
            button.setIconSize(QSize(icon_px, icon_px))
            button.tapped.connect(lambda i=index: self._tapped(i))
            keep_place(button)
            grid.addWidget(button, index // self.columns, index % self.columns)
            self.buttons.append(button)
        self.body.addLayout(grid, 1)
        self.body.addWidget(self.message)
        pages = self.pages_row = QHBoxLayout()
        pages.setSpacing(self.metrics.gap * 6)
        self.previous_page = BigButton(self.t("page.previous"), "page")
        self.previous_page.tapped.connect(lambda: self.turn(-1))
        self.next_page = BigButton(self.t("page.next"), "page")
        self.next_page.tapped.connect(lambda: self.turn(1))
        keep_place(self.previous_page)
        keep_place(self.next_page)
        pages.addWidget(self.previous_page)
        pages.addWidget(self.next_page)
        self.body.addLayout(pages)
        self.items: list[Choice] = []
        self.page = 0

    def choices(self) -> list[Choice]:
        return []

    def chosen(self, value: Any) -> None:
        """The elder chose an available item."""

    def enter(self) -> None:
        self.hide_message()
        self.items = self.choices()
        self.page = 0
        self.show_page()

    def clear(self) -> None:
        super().clear()
        self.items = []
        self.page = 0
        for button in self.buttons:
            button.setText("")

    def refit(self) -> None:
        """Another text size: as many a page as fit now."""
        self.page = min(self.page, self.pages - 1)
        self.show_page()

    @property
    def per_page(self) -> int:
        """Six at most; at 超大 two rows, so each tile stays big enough for its words."""
        rows = ROWS.get(self.shell.metrics.text_size, 3)
        return min(PAGE_SIZE, self.columns * rows)

    @property
    def pages(self) -> int:
        return max(1, (len(self.items) + self.per_page - 1) // self.per_page)

    def turn(self, step: int) -> None:
        self.hide_message()
        self.page = min(max(0, self.page + step), self.pages - 1)
        self.show_page()
        self.shell.speak(self.t("page.now", page=self.page + 1, pages=self.pages))

    def show_page(self) -> None:
        per_page = self.per_page
        shown = self.items[self.page * per_page:(self.page + 1) * per_page]
        for index, button in enumerate(self.buttons):
            item = shown[index] if index < len(shown) else None
            keep_place(button, index < per_page)  # a row not used at this size takes no room
            button.setVisible(item is not None)
            if item is not None:
                button.setText(item.text)
                button.set_role(self.role if item.available else "unavailable")
                if item.icon:
                    button.setIcon(QIcon(item.icon))
        several = self.pages > 1
        for button in (self.previous_page, self.next_page):  # one page: no room kept for them
            keep_place(button, several)
        # Hidden, not greyed: a page button is there only when it leads somewhere.
        self.previous_page.setVisible(several and self.page > 0)
        self.next_page.setVisible(several and self.page < self.pages - 1)

    def _tapped(self, index: int) -> None:
        position = self.page * self.per_page + index
        if position >= len(self.items):
            return
        item = self.items[position]
        if not item.available:
            self.show_message(item.refusal or self.t("reason.closed"))
            return
        self.chosen(item.value)
