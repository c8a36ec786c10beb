"""Widgets for staff screens: an on-screen keyboard for letters and digits, pages that fit the
screen, text fields with their names."""
from __future__ import annotations

import re

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QBoxLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from ui.widgets import BigButton, centred, label

ROWS = ("1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm")


class StaffKeyboard(QWidget):
    """Letters and digits (and up to four symbols for addresses); every key ≥ 16 mm. For
    Chinese fields: three symbols, address words (号 楼 单元 室) and a 中 / 英 key."""

    key = Signal(str)
    deleted = Signal()
    cleared = Signal()

    def __init__(self, t, gap: int, symbols: str = "", words: tuple[str, ...] = (),
                 toggle: bool = False) -> None:
        super().__init__()
        grid = QGridLayout(self)
        grid.setSpacing(gap)
        grid.setContentsMargins(0, 0, 0, 0)
        for r, keys in enumerate(ROWS):
            for c, char in enumerate(keys):
                grid.addWidget(self._key(char), r, c)
        delete = BigButton(t("staff.key.delete"), "staff_key", repeat_ms=0)
        delete.tapped.connect(self.deleted.emit)
        grid.addWidget(delete, len(ROWS), 0, 1, 3)
        clear = BigButton(t("staff.key.clear"), "staff_key", repeat_ms=0)
        clear.tapped.connect(self.cleared.emit)
        self.toggle = BigButton("", "staff_chip") if toggle else None
        if words:
            # The rows end where their letters do: three symbols after z-m, the words below.
            grid.addWidget(clear, len(ROWS), 3, 1, 2)
            for c, char in enumerate(symbols[:3]):
                grid.addWidget(self._key(char), 3, 7 + c)
            column = 5
            for word in words:
                grid.addWidget(self._key(word), len(ROWS), column, 1, len(word))
                column += len(word)
            if self.toggle is not None:
                grid.addWidget(self.toggle, 2, 9)
        else:
            grid.addWidget(clear, len(ROWS), 3, 1, 3)
            for c, char in enumerate(symbols[:4]):
                grid.addWidget(self._key(char), len(ROWS), 6 + c)
        # No wider than its keys need (≥ 16 mm each): the space left goes to what they fill in.
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Preferred)

        self.buttons = self.findChildren(BigButton)

    def sizeHint(self):  # noqa: N802 (Qt naming)
        return self.minimumSizeHint()

    def _key(self, char: str) -> BigButton:
        button = BigButton(char, "staff_key", repeat_ms=0)  # "1100", "ll": every tap types
        button.tapped.connect(lambda: self.key.emit(char))
        return button


def pager_row(t, gap: int, on_move) -> tuple[QHBoxLayout, BigButton, BigButton, QWidget]:
    row = QHBoxLayout()
    row.setSpacing(gap)
    previous = BigButton(t("staff.page.previous"), "nav")
    following = BigButton(t("staff.page.next"), "nav")
    where = centred(label("", wrap=False))
    previous.tapped.connect(lambda: on_move(-1))
    following.tapped.connect(lambda: on_move(1))
    row.addWidget(previous)
    row.addWidget(where, 1)
    row.addWidget(following)
    return row, previous, following, where


def block_height(block: QWidget, width: int) -> int:
    """The height a block needs at `width` (wrapped text grows), from fresh size hints."""
    layout = block.layout()
    if layout is not None:
        layout.invalidate()
        layout.activate()  # drops the cached hints of nested layouts too
    wraps = block.hasHeightForWidth()
    height = block.heightForWidth(width) if wraps else block.sizeHint().height()
    return max(height, block.minimumSizeHint().height())


class FitPages(QWidget):
    """A column of blocks shown a page at a time: as many as fit the room the screen leaves
    it, with big 上一页 / 下一页 under them when they do not all fit, never a scroll bar and
    never a squeezed block. The screen calls `fit()` when its text size, size or other
    content changed; `show_blocks` / `show_texts` / `show_rows` when the blocks themselves did."""

    def __init__(self, screen, gap: int) -> None:
        super().__init__()
        self.screen_widget = screen
        self.gap = gap
        self.column = QVBoxLayout(self)  # the blocks, then a stretch, then the pager
        self.column.setContentsMargins(0, 0, 0, 0)
        self.column.setSpacing(gap)
        self.column.addStretch(1)
        self.pager = QWidget()
        row, self.previous, self.following, self.where = pager_row(screen.t, gap, self.turn)
        row.setContentsMargins(0, 0, 0, 0)
        self.pager.setLayout(row)
        self.column.addWidget(self.pager)
        self.added: list[QWidget] = []
        self.blocks: list[QWidget] = []  # the ones paged through, in order
        self.labels: list[QLabel] = []  # a pool for show_texts
        self.starts = [0]  # index of each page's first block
        self.page = 0
        self.prepare = None  # called with the width before the blocks are measured
        self.rows: list[QWidget] = []  # show_rows' rows: as many as its longest page so far
        self._items = None  # (count, make, fill) while show_rows pages items

    def hasHeightForWidth(self) -> bool:  # noqa: N802 (Qt naming)
        # Whatever the width, the blocks are paged into the height there is: the window must
        # not grow taller for wrapped lines at some narrower width.
        return False

    def add(self, block: QWidget) -> QWidget:
        self.column.insertWidget(len(self.added), block)
        self.added.append(block)
        block.hide()
        return block

    def show_blocks(self, blocks: list[QWidget], keep_page: bool = False) -> None:
        """Page through `blocks` from the first page; with `keep_page`, stay on the page
        with the block shown first now, unless a new block came first (a message)."""
        old, start = self.blocks, self.starts[self.page] if self.blocks else 0
        self._items = None
        self.blocks = list(blocks)
        first = 0
        if keep_page and self.blocks and self.blocks[0] in old:
            kept = [b for b in old[start:] if b in self.blocks]
            first = self.blocks.index(kept[0]) if kept else 0
        self._paginate(first)

    def show_rows(self, count: int, make, fill, keep_page: bool = False) -> None:
        """Page through `count` items shown as rows alike in height (a list of results): only
        the rows of one page are widgets, made by `make()` as a longer page needs more and
        filled by `fill(row, index)` with the item each shows as the page turns. With
        `keep_page`, stay on the page with the item shown first now."""
        first = self.first_shown if keep_page and self._items is not None else 0
        self._items = (count, make, fill)
        self.blocks = []
        self._paginate(min(first, max(count - 1, 0)))

    @property
    def first_shown(self) -> int:
        """The index of the block or item shown first on this page."""
        return self.starts[self.page]

    def show_texts(self, texts: list[str], keep_page: bool = False, before=()) -> None:
        """Lines of text (each wrapped to the width), after the blocks `before`."""
        while len(self.labels) < len(texts):
            self.labels.append(self.add(label("")))
        for line, text in zip(self.labels, texts, strict=False):
            line.setText(text)
        self.show_blocks([*before, *self.labels[:len(texts)]], keep_page)

    @property
    def pages(self) -> int:
        return len(self.starts)

    def fit(self) -> None:
        """Pages again for the room there is now (another text size, a message shown)."""
        if self._items is not None:
            self.show_rows(*self._items, keep_page=True)
        else:
            self.show_blocks(self.blocks, keep_page=True)

    def _count(self) -> int:
        return len(self.blocks) if self._items is None else self._items[0]

    def _heights(self, width: int) -> list[int]:
        if self._items is None:
            return [block_height(block, width) for block in self.blocks]
        count, _make, fill = self._items
        if not count:
            return []
        first = self._row(0)
        fill(first, 0)  # measured with what it shows: every row is alike
        return [block_height(first, width)] * count

    def _row(self, position: int) -> QWidget:
        """The `position`th row of show_rows, made when first needed."""
        while len(self.rows) <= position:
            self.rows.append(self.add(self._items[1]()))
        return self.rows[position]

    def _paginate(self, first: int) -> None:
        for block in self.added:
            block.hide()
        self.pager.hide()
        self._lay_out()
        width, room = self.width(), self.height()
        if self.prepare is not None:
            self.prepare(width)  # e.g. chips to a row, a field's name beside or above it
        heights = self._heights(width)
        self.starts = [0]
        if sum(heights) + self.gap * (len(heights) - 1) > room:
            room -= block_height(self.pager, width) + self.gap
            used = 0
            for index, height in enumerate(heights):
                if used and used + height > room:
                    self.starts.append(index)
                    used = 0
                used += height + self.gap
        self.page = max(i for i, start in enumerate(self.starts) if start <= first)
        self._show()

    def turn(self, step: int) -> None:
        self.page = min(max(0, self.page + step), self.pages - 1)
        self._show()

    def _show(self) -> None:
        for block in self.added:
            block.hide()
        start = self.starts[self.page]
        end = self.starts[self.page + 1] if self.page + 1 < self.pages else self._count()
        if self._items is None:
            shown = self.blocks[start:end]
        else:
            shown = [self._row(position) for position in range(end - start)]
            for position, row in enumerate(shown):
                self._items[2](row, start + position)
        for block in shown:
            block.show()
        self.pager.setVisible(self.pages > 1)
        self.previous.setEnabled(self.page > 0)
        self.following.setEnabled(self.page < self.pages - 1)
        self.where.setText(self.screen_widget.t("staff.page.of", page=self.page + 1,
                                                pages=self.pages))
        needed = sum(w.sizeHint().width() for w in (self.previous, self.where, self.following))
        self.where.setVisible(needed + 2 * self.gap <= self.width())  # else the buttons say it
        self._lay_out()

    def _lay_out(self) -> None:
        """Lay the screen out now, at the window's size, so the room left here is known."""
        screen = self.screen_widget
        size = screen.shell.stack.size()
        if screen.size() != size:
            screen.resize(size)
        for layout in (self.column, screen.layout()):
            layout.invalidate()
            layout.activate()


QWIDGETSIZE_MAX = 16777215


class FieldRow(QWidget):
    """A text field with its name beside it, or above it where both do not fit in a row."""

    def __init__(self, name: str, min_height: int, gap: int) -> None:
        super().__init__()
        self.name = label(name, wrap=False)
        self.edit = line_edit(name, min_height)
        self.box = QBoxLayout(QBoxLayout.Direction.LeftToRight, self)
        self.box.setContentsMargins(0, 0, 0, 0)
        self.box.setSpacing(gap)
        self.box.addWidget(self.name)
        self.box.addWidget(self.edit, 1)

    def arrange(self, width: int, name_width: int) -> None:
        """Beside when an 11-digit phone number still shows whole in the field."""
        metrics = self.edit.fontMetrics()
        room = metrics.horizontalAdvance("0" * 12) + metrics.height()
        beside = width >= name_width + self.box.spacing() + room
        self.box.setDirection(QBoxLayout.Direction.LeftToRight if beside
                              else QBoxLayout.Direction.TopToBottom)
        if beside:  # every name as wide as the widest, so the fields line up
            self.name.setFixedWidth(name_width)
        else:
            self.name.setMinimumWidth(0)
            self.name.setMaximumWidth(QWIDGETSIZE_MAX)


def arrange_fields(rows: list[FieldRow], width: int) -> None:
    names = max(row.name.sizeHint().width() for row in rows)
    for row in rows:
        row.arrange(width, names)


def breakable(path) -> str:
    """A file path that may wrap after any separator (a zero-width space after each)."""
    return re.sub(r"([/\\])", "\\1\u200b", str(path))


def line_edit(name: str, min_height: int) -> QLineEdit:
    """Typed by the on-screen keyboard, or in Chinese through the system input method."""
    edit = QLineEdit()
    edit.setAccessibleName(name)
    edit.setMinimumHeight(min_height)
    edit.setAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled, True)
    return edit
