"""Staff home: find an elder (pinyin initials, name, card, phone's last 4) on the keyboard,
and the way to every staff task: the tasks stand where the results go until something is typed
(tap 清空 to see them again), so even 超大 text fits on a laptop's screen."""
from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget

from kiosk import attention
from kiosk.staff_search import search
from ui.staff.base import StaffScreen
from ui.staff.widgets import FitPages, StaffKeyboard
from ui.widgets import BigButton, label

MAX_QUERY = 18
MENU = (("register", "staff.menu.register"), ("day_lists", "staff.menu.day_lists"),
        ("attendance", "staff.menu.attendance"), ("attention", "staff.menu.attention"),
        ("sync", "staff.menu.sync"),
        ("settings", "staff.menu.settings"), ("audit", "staff.menu.audit"))


def elder_row_text(t, elder) -> str:
    """Name, masked phone and card on three short lines: narrow enough beside the keyboard."""
    state = "" if elder.active else t("staff.elder.inactive_mark")
    return "\n".join((elder.name + state, elder.masked_phone,
                      f"{t('elder.field.card')} {elder.card_no}"))


class StaffHomeScreen(StaffScreen):
    name = "staff_home"
    can_go_back = False

    def build(self) -> None:
        gap = self.metrics.gap
        sign_out = BigButton(self.t("staff.sign_out"), "nav")
        sign_out.tapped.connect(self.mode.sign_out)
        self.header.layout().addWidget(sign_out)
        top = QHBoxLayout()
        top.setSpacing(gap)
        self.display = label("", "field", wrap=False)
        top.addWidget(self.display, 1)
        self.hint = label("", "note", wrap=False)
        top.addWidget(self.hint)
        self.body.addLayout(top)
        middle = QHBoxLayout()
        middle.setSpacing(gap * 2)
        keyboard = StaffKeyboard(self.t, gap)
        keyboard.key.connect(lambda ch: self._set(self.query + ch))
        keyboard.deleted.connect(lambda: self._set(self.query[:-1]))
        keyboard.cleared.connect(self._cleared)
        middle.addWidget(keyboard)
        middle.addWidget(self._menu(gap), 1)
        middle.addWidget(self._results(gap), 1)
        self.body.addLayout(middle, 1)
        self.body.addWidget(self.message)
        self.query = ""
        self.found = []
        self.notes: list[str] = []

    def _menu(self, gap: int) -> QWidget:
        self.menu_box = QWidget()
        column = QVBoxLayout(self.menu_box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(gap)
        self.menu: dict[str, BigButton] = {}
        for answer, key in MENU:
            button = BigButton(self.t(key), "nav")
            button.tapped.connect(lambda a=answer: self._open(a))
            column.addWidget(button)
            self.menu[answer] = button
        column.addStretch(1)
        return self.menu_box

    def _open(self, answer: str) -> None:
        if answer == "register":  # a new elder's empty form, not one left half-edited
            self.mode.form = None
        self.shell.answer(answer)

    def _results(self, gap: int) -> QWidget:
        # As many rows as fit beside the keyboard at this text size, then 上一页 / 下一页.
        # A row for each result shown on the page, not for each found: refilled as it turns.
        self.results = FitPages(self, gap)
        return self.results

    def _row(self) -> BigButton:
        position = len(self.results.rows)  # its place on a page
        row = BigButton("", "staff_row")
        row.tapped.connect(lambda: self._picked(self.results.first_shown + position))
        return row

    def _fill(self, row: BigButton, index: int) -> None:
        row.setText(elder_row_text(self.t, self.found[index]))

    def enter(self) -> None:
        self.hide_message()
        member = self.mode.session.member
        self.set_title(self.t("staff.home.title", name=member.name if member else ""))
        count = len(attention.items(self.core.store))
        self.menu["attention"].setText(self.t("staff.menu.attention_count", count=count)
                                       if count else self.t("staff.menu.attention"))
        self._set(self.query)
        # Said once, where the tasks stand until she types or taps 清空 (the keyboard keeps
        # its room): the database was damaged, someone may have tried her PIN.
        self.notes = self.core.untold_recovery_lines()
        tries, self.mode.failed_tries = self.mode.failed_tries, 0
        if tries:
            self.notes.append(self.t("staff.signin.failed_tries", count=tries))
        if self.notes:
            self._set(self.query)
            self.shell.speak("\n".join(self.notes))

    def clear(self) -> None:
        super().clear()
        self.query = ""
        self.found = []
        self.notes = []
        for row in self.results.rows:
            row.setText("")
        self.results.show_blocks([])

    def fit(self) -> None:
        if self.results.isVisibleTo(self):
            self.results.fit()

    def _cleared(self) -> None:
        self.notes = []  # read: the tasks again
        self._set("")

    def _set(self, query: str) -> None:
        self.query = query[:MAX_QUERY]
        self.display.setText(self.query or self.t("staff.search.empty"))
        # what was typed, for a screen reader too (the label shows a hint while empty)
        self.display.setAccessibleName(self.t("staff.search.name", query=self.query)
                                       if self.query else self.t("staff.search.label"))
        self.found = search(self.core.store, self.query)
        if not self.query:
            self.hint.setText("")
        elif not self.found:
            self.hint.setText(self.t("staff.search.none"))
        else:
            self.hint.setText(self.t("staff.search.count", count=len(self.found)))
        self.hint.setVisible(bool(self.query))
        if self.query:
            self.notes = []
        self.menu_box.setVisible(not self.query and not self.notes)
        self.results.setVisible(bool(self.query or self.notes))
        if self.notes:
            self.results.show_texts(self.notes)
        else:
            self.results.show_rows(len(self.found), self._row, self._fill)

    def _picked(self, index: int) -> None:
        if index < len(self.found):
            self.mode.act_for(self.found[index])
            self.shell.answer("elder")
