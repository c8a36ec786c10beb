"""Register or edit an elder, page 1: name, card (typed or scanned), phone, address,
emergency contact. Chinese through the system input method; letters and digits on screen."""
from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout

from kiosk.cards import parse_card_input
from kiosk.elder_registry import ElderForm
from kiosk.errors import KnownError
from ui.staff.base import KeyboardTarget, StaffScreen
from ui.staff.widgets import FieldRow, FitPages, StaffKeyboard, arrange_fields
from ui.widgets import BigButton

FIELDS = (("name", "elder.field.name"), ("card_no", "elder.field.card"),
          ("phone", "elder.field.phone"), ("address", "elder.field.address"),
          ("emergency_name", "elder.field.emergency_name"),
          ("emergency_phone", "elder.field.emergency_phone"))


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
        self.pages.prepare = lambda width: arrange_fields(self.fields, width)
        for button in (self.pages.previous, self.pages.following):
            button.tapped.connect(self._focus_page)
        row.addWidget(self.pages, 1)
        keyboard = StaffKeyboard(self.t, gap, symbols="-#()")
        self.target = KeyboardTarget(list(self.edits.values()))
        keyboard.key.connect(self.target.key)
        keyboard.deleted.connect(self.target.delete)
        keyboard.cleared.connect(self.target.clear)
        row.addWidget(keyboard)
        self.body.addLayout(row, 1)
        self.next = BigButton(self.t("staff.form.next"), "primary")
        self.next.tapped.connect(self._next)
        self.body.addWidget(self.next)

    def fit(self, first: int | None = None) -> None:
        message = [self.message] if self.message.text() else []
        self.pages.show_blocks([*message, *self.fields], keep_page=first is None)

    def _focus_page(self) -> None:
        """The keyboard types into the first field of the page just turned to."""
        shown = [row for row in self.fields if row.isVisible()]
        if shown:
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
        self.fit(first=0)
        self.target.current = self.edits["name"]
        self.edits["name"].setFocus()

    def clear(self) -> None:
        super().clear()
        for edit in self.edits.values():
            edit.clear()

    def card_scanned(self, text: str) -> None:
        """A card held to the scanner while registering: its number goes into the form."""
        try:
            self.edits["card_no"].setText(parse_card_input(text))
        except KnownError as error:
            self.show_message(self.t(error.message_key))

    def keep(self) -> None:
        for field, edit in self.edits.items():
            setattr(self.mode.form, field, edit.text())

    def _next(self) -> None:
        self.keep()
        self.shell.answer("next")
