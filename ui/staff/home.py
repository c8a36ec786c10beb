"""Staff home: find an elder (pinyin initials, name, card, phone's last 4) on the keyboard,
and the way to every staff task."""
from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout

from kiosk import attention
from kiosk.staff_search import search
from ui.staff.base import StaffScreen
from ui.staff.widgets import Pager, StaffKeyboard, pager_row, show_page
from ui.widgets import BigButton, label

ROWS = 3
MAX_QUERY = 18
MENU = (("register", "staff.menu.register"), ("day_lists", "staff.menu.day_lists"),
        ("attention", "staff.menu.attention"), ("sync", "staff.menu.sync"),
        ("settings", "staff.menu.settings"), ("audit", "staff.menu.audit"))


def elder_row_text(t, elder) -> str:
    state = "" if elder.active else t("staff.elder.inactive_mark")
    return t("staff.search.row", name=elder.name, phone=elder.masked_phone,
             card=elder.card_no, state=state)


class StaffHomeScreen(StaffScreen):
    name = "staff_home"
    can_go_back = False

    def build(self) -> None:
        gap = self.metrics.gap
        top = QHBoxLayout()
        top.setSpacing(gap * 2)
        self.display = label("", "display", wrap=False)
        top.addWidget(self.display, 1)
        sign_out = BigButton(self.t("staff.sign_out"), "nav")
        sign_out.tapped.connect(self.mode.sign_out)
        top.addWidget(sign_out)
        self.body.addLayout(top)
        middle = QHBoxLayout()
        middle.setSpacing(gap * 2)
        keyboard = StaffKeyboard(self.t, gap)
        keyboard.key.connect(lambda ch: self._set(self.query + ch))
        keyboard.deleted.connect(lambda: self._set(self.query[:-1]))
        keyboard.cleared.connect(lambda: self._set(""))
        middle.addWidget(keyboard)
        results = QVBoxLayout()
        results.setSpacing(gap)
        self.rows: list[BigButton] = []
        for index in range(ROWS):
            row = BigButton("", "staff_row")
            row.setMinimumHeight(self.metrics.font * 3)
            row.tapped.connect(lambda i=index: self._picked(i))
            results.addWidget(row)
            self.rows.append(row)
        self.hint = label("", "note")
        results.addWidget(self.hint)
        results.addStretch(1)
        pager, self.previous, self.following, self.where = pager_row(self.t, gap, self._move)
        self.where.hide()  # the column is narrow: the count above says enough
        results.addLayout(pager)
        middle.addLayout(results, 1)
        self.body.addLayout(middle, 1)
        self.body.addWidget(self.message)
        menu = QHBoxLayout()
        menu.setSpacing(gap)
        self.menu: dict[str, BigButton] = {}
        for answer, key in MENU:
            button = BigButton(self.t(key), "nav")
            button.tapped.connect(lambda a=answer: self.shell.answer(a))
            menu.addWidget(button)
            self.menu[answer] = button
        self.body.addLayout(menu)
        self.pager = Pager(ROWS)
        self.query = ""

    def enter(self) -> None:
        self.hide_message()
        member = self.mode.session.member
        self.set_title(self.t("staff.home.title", name=member.name if member else ""))
        count = len(attention.items(self.core.store))
        self.menu["attention"].setText(self.t("staff.menu.attention_count", count=count)
                                       if count else self.t("staff.menu.attention"))
        self._set(self.query)

    def clear(self) -> None:
        super().clear()
        self.query = ""
        self.pager.set([])
        for row in self.rows:
            row.setText("")
            row.hide()

    def _set(self, query: str) -> None:
        self.query = query[:MAX_QUERY]
        self.display.setText(self.query or self.t("staff.search.empty"))
        self.display.setAccessibleName(self.t("staff.search.label"))
        self.pager.set(search(self.core.store, self.query))
        self._show()

    def _move(self, step: int) -> None:
        self.pager.move(step)
        self._show()

    def _show(self) -> None:
        shown = self.pager.visible()
        for index, row in enumerate(self.rows):
            elder = shown[index] if index < len(shown) else None
            row.setText(elder_row_text(self.t, elder) if elder else "")
            row.setVisible(elder is not None)
        if not self.query:
            self.hint.setText(self.t("staff.search.hint"))
        elif not self.pager.items:
            self.hint.setText(self.t("staff.search.none"))
        else:
            self.hint.setText(self.t("staff.search.count", count=len(self.pager.items)))
        show_page(self.pager, self.t, self.previous, self.following, self.where)

    def _picked(self, index: int) -> None:
        shown = self.pager.visible()
        if index < len(shown):
            self.mode.act_for(shown[index])
            self.shell.answer("elder")
