"""Register or edit an elder, page 1: name, card (typed or scanned), phone, address,
emergency contact and whether the family may be told of an escalated help call. Names and
the address in Chinese by pinyin (ui/staff/pinyin.py), on screen or on a keyboard."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QBoxLayout, QHBoxLayout, QSizePolicy, QVBoxLayout, QWidget

from kiosk.cards import parse_card_input
from kiosk.elder_registry import ElderForm, has_contact
from kiosk.errors import KnownError
from ui.staff.base import KeyboardTarget, StaffScreen
from ui.staff.elder_needs import chip_text, chip_width
from ui.staff.pinyin import CandidateBar, PinyinInput
from ui.staff.widgets import FieldRow, FitPages, StaffKeyboard, arrange_fields
from ui.widgets import BigButton, label

FIELDS = (("name", "elder.field.name"), ("card_no", "elder.field.card"),
          ("phone", "elder.field.phone"), ("address", "elder.field.address"),
          ("emergency_name", "elder.field.emergency_name"),
          ("emergency_phone", "elder.field.emergency_phone"))
CHINESE_FIELDS = ("name", "address", "emergency_name")  # typed in pinyin
ADDRESS_SYMBOLS = "-#，"


class StaffElderFormScreen(StaffScreen):
    name = "staff_elder_form"

    def build(self) -> None:
        gap = self.metrics.gap
        row = QHBoxLayout()
        row.setSpacing(gap * 2)
        # The fields beside the keyboard, paged when they do not all fit (big text, small
        # screen); a card-reader message goes first.
        self.pages = FitPages(self, gap)
        self.pages.add(self.message)
        self.fields: list[FieldRow] = []
        self.edits = {}
        for field, key in FIELDS:
            row_widget = FieldRow(self.t(key), self.metrics.target, gap)
            self.pages.add(row_widget)
            self.fields.append(row_widget)
            self.edits[field] = row_widget.edit
        self.pages.add(self._notify_row())
        self.pages.prepare = self._arrange
        for button in (self.pages.previous, self.pages.following):
            button.tapped.connect(self._focus_page)
        # 下一步 under the fields: beside it, the keyboard has room for its row of candidates.
        left = QVBoxLayout()
        left.setSpacing(gap)
        left.addWidget(self.pages, 1)
        self.next = BigButton(self.t("staff.form.next"), "primary")
        self.next.tapped.connect(self._next)
        left.addWidget(self.next)
        row.addLayout(left, 1)
        row.addLayout(self._keyboard(gap))
        self.body.addLayout(row, 1)

    def _keyboard(self, gap: int) -> QVBoxLayout:
        """The candidates over the keys; the keys type into the field last touched."""
        words = tuple(self.t("staff.key.address_words").split())
        keyboard = StaffKeyboard(self.t, gap, ADDRESS_SYMBOLS, words, toggle=True)
        self.target = KeyboardTarget(list(self.edits.values()))
        self.candidates = CandidateBar(self.t, gap)
        self.pinyin = PinyinInput(self.t, self.target, [self.edits[f] for f in CHINESE_FIELDS],
                                  self.candidates, keyboard.toggle)
        keyboard.key.connect(self.pinyin.key)
        keyboard.deleted.connect(self.pinyin.delete)
        keyboard.cleared.connect(self.pinyin.clear)
        column = QVBoxLayout()
        column.setSpacing(gap)
        column.addWidget(self.candidates)
        column.addWidget(keyboard, 1)
        return column

    def _notify_row(self) -> QWidget:
        """The family-consent toggle under the emergency contact: what it means beside it."""
        self.notify_row = QWidget()
        row = self.notify_box = QBoxLayout(QBoxLayout.Direction.LeftToRight, self.notify_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(self.metrics.gap)
        self.notify_meaning = label(self.t("elder.field.notify_family"))
        row.addWidget(self.notify_meaning, 1)
        self.notify = BigButton("", "staff_chip")
        self.notify.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.notify.tapped.connect(self._toggle_notify)
        row.addWidget(self.notify, 0, Qt.AlignmentFlag.AlignLeft)
        for field in ("emergency_name", "emergency_phone"):
            self.edits[field].textChanged.connect(self._show_notify)
        return self.notify_row

    def _arrange(self, width: int) -> None:
        arrange_fields(self.fields, width)
        # The consent's words beside the toggle, or above it where that takes less height;
        # at least as wide as they are laid out (narrower, wrapped Chinese would be measured
        # a character to a line).
        meaning, gap = self.notify_meaning, self.metrics.gap
        meaning.setMinimumWidth(0)  # a label measures no narrower than its minimum
        button = self.notify.sizeHint().height()
        room = width - self.notify.minimumWidth() - gap
        beside = room > 0 and max(meaning.heightForWidth(room), button) \
            <= meaning.heightForWidth(width) + gap + button
        self.notify_box.setDirection(QBoxLayout.Direction.LeftToRight if beside
                                     else QBoxLayout.Direction.TopToBottom)
        meaning.setMinimumWidth(min(meaning.sizeHint().width(), room if beside else width))

    def _contact_given(self) -> bool:
        return has_contact(self.edits["emergency_name"].text(),
                           self.edits["emergency_phone"].text())

    def _toggle_notify(self) -> None:
        if self.mode.form is not None and self._contact_given():
            self.mode.form.notify_family = not self.mode.form.notify_family
            self._show_notify()

    def _show_notify(self) -> None:
        """Only with an emergency contact: without one it shows off and cannot be tapped."""
        given = self._contact_given()
        on = given and self.mode.form is not None and self.mode.form.notify_family
        self.notify.setEnabled(given)
        agree = self.t("elder.notify_family.agree")
        self.notify.setText(chip_text(self.t, agree, on))
        self.notify.setAccessibleName(f"{self.t('elder.field.notify_family')}: {agree}")
        self.notify.set_chosen(on, "staff_chip_on", "staff_chip")  # on: checked
        self.notify.setMinimumWidth(chip_width(self.t, self.notify, agree))

    def fit(self, first: int | None = None) -> None:
        self._show_notify()  # its width for the text size now
        message = [self.message] if self.message.text() else []
        typing_in = self.target.current
        self.pages.show_blocks([*message, *self.fields, self.notify_row],
                               keep_page=first is None)
        if typing_in is not None and first is None:
            self._keep_typing(typing_in)

    def _keep_typing(self, edit) -> None:
        """Paging hides every block for a moment, and Qt hands the focus on to any field:
        the keys type on where they did, on its page, unless a message is to be read first;
        then into the first field shown, never into one out of sight."""
        row = next(row for row in self.fields if row.edit is edit)
        if not row.isVisible() and not self.message.isVisible():
            index = self.pages.blocks.index(row)
            self.pages.turn(max(i for i, s in enumerate(self.pages.starts) if s <= index)
                            - self.pages.page)
        if row.isVisible():
            self.target.current = edit
            edit.setFocus()
        else:
            self._focus_page()

    def _focus_page(self) -> None:
        """The keyboard types into the first field of the page just turned to."""
        shown = [row for row in self.fields if row.isVisible()]
        if shown:
            self.pinyin.settle()  # the pinyin still waiting goes where it was typed
            self.target.current = shown[0].edit
            shown[0].edit.setFocus()

    def enter(self) -> None:
        self.hide_message()
        if self.mode.form is None:
            self.mode.form = ElderForm()
        form = self.mode.form
        self.set_title(self.t("staff.form.edit_title", name=form.name) if form.id
                       else self.t("staff.form.new_title"))
        for field, edit in self.edits.items():
            edit.setText(getattr(form, field))
        self._show_notify()
        self.pinyin.reset()
        self.fit(first=0)
        self.target.current = self.edits["name"]
        self.edits["name"].setFocus()

    def clear(self) -> None:
        super().clear()
        self.pinyin.reset()
        for edit in self.edits.values():
            edit.clear()

    def card_scanned(self, text: str) -> bool:
        """A card held to the scanner while registering: its number goes into the form."""
        try:
            self.edits["card_no"].setText(parse_card_input(text))
        except KnownError as error:
            self.show_message(self.t(error.message_key))
        return True

    def keep(self) -> None:
        for field, edit in self.edits.items():
            setattr(self.mode.form, field, edit.text())

    def _next(self) -> None:
        self.pinyin.settle()
        self.keep()
        self.shell.answer("next")
