"""Widgets for staff screens: an on-screen keyboard for letters and digits, a pager, a field."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLineEdit, QSizePolicy, QWidget

from ui.widgets import BigButton, label

ROWS = ("1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm")


class StaffKeyboard(QWidget):
    """Letters and digits (and up to four symbols for addresses); every key ≥ 16 mm."""

    key = Signal(str)
    deleted = Signal()
    cleared = Signal()

    def __init__(self, t, gap: int, symbols: str = "") -> None:
        super().__init__()
        grid = QGridLayout(self)
        grid.setSpacing(gap)
        grid.setContentsMargins(0, 0, 0, 0)
        for r, keys in enumerate(ROWS):
            for c, char in enumerate(keys):
                grid.addWidget(self._key(char), r, c)
        delete = BigButton(t("staff.key.delete"), "staff_key")
        delete.tapped.connect(self.deleted.emit)
        grid.addWidget(delete, len(ROWS), 0, 1, 3)
        clear = BigButton(t("staff.key.clear"), "staff_key")
        clear.tapped.connect(self.cleared.emit)
        grid.addWidget(clear, len(ROWS), 3, 1, 3)
        for c, char in enumerate(symbols[:4]):
            grid.addWidget(self._key(char), len(ROWS), 6 + c)
        # No wider than its keys need (≥ 16 mm each): the space left goes to what they fill in.
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Preferred)

        self.buttons = self.findChildren(BigButton)

    def sizeHint(self):  # noqa: N802 (Qt naming)
        return self.minimumSizeHint()

    def _key(self, char: str) -> BigButton:
        button = BigButton(char, "staff_key")
        button.tapped.connect(lambda: self.key.emit(char))
        return button


class Pager:
    """Splits a list into pages of `size`; big 上一页 / 下一页 instead of scrolling."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.items: list = []
        self.page = 0

    def set(self, items: list) -> None:
        self.items = list(items)
        self.page = 0

    @property
    def pages(self) -> int:
        return max(1, -(-len(self.items) // self.size))

    def visible(self) -> list:
        return self.items[self.page * self.size:(self.page + 1) * self.size]

    def move(self, step: int) -> None:
        self.page = min(max(0, self.page + step), self.pages - 1)


def pager_row(t, gap: int, on_move) -> tuple[QHBoxLayout, BigButton, BigButton, QWidget]:
    row = QHBoxLayout()
    row.setSpacing(gap)
    previous = BigButton(t("staff.page.previous"), "nav")
    following = BigButton(t("staff.page.next"), "nav")
    where = label("", wrap=False)
    where.setAlignment(Qt.AlignmentFlag.AlignCenter)
    previous.tapped.connect(lambda: on_move(-1))
    following.tapped.connect(lambda: on_move(1))
    row.addWidget(previous)
    row.addWidget(where, 1)
    row.addWidget(following)
    return row, previous, following, where


def show_page(pager: Pager, t, previous: BigButton, following: BigButton, where) -> None:
    previous.setEnabled(pager.page > 0)
    following.setEnabled(pager.page < pager.pages - 1)
    where.setText(t("staff.page.of", page=pager.page + 1, pages=pager.pages))


def line_edit(name: str, min_height: int) -> QLineEdit:
    """Typed by the on-screen keyboard, or in Chinese through the system input method."""
    edit = QLineEdit()
    edit.setAccessibleName(name)
    edit.setMinimumHeight(min_height)
    edit.setAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled, True)
    return edit
