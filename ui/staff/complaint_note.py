"""意见/投诉 with staff beside her: a short note written on her behalf, in pinyin or letters on
the staff keyboard (or a physical one); then the confirm screen reads it back."""
from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout

from kiosk.complaints import NOTE_MAX, clean_note
from ui.staff.base import KeyboardTarget, StaffScreen
from ui.staff.pinyin import CandidateBar, PinyinInput
from ui.staff.widgets import FieldRow, StaffKeyboard
from ui.widgets import BigButton, label


class StaffComplaintNoteScreen(StaffScreen):
    name = "complaint_note"

    def build(self) -> None:
        gap = self.metrics.gap
        self.set_title(self.t("complaint.note.title"))
        row = QHBoxLayout()
        row.setSpacing(gap * 2)
        left = QVBoxLayout()
        left.setSpacing(gap)
        self.field = FieldRow(self.t("complaint.note.field"), self.metrics.target, gap)
        self.field.box.setDirection(self.field.box.Direction.TopToBottom)
        self.edit = self.field.edit
        left.addWidget(self.field)
        left.addWidget(label(self.t("complaint.note.hint"), "note"))
        left.addWidget(self.message)
        left.addStretch(1)
        self.save = BigButton(self.t("complaint.note.save"), "primary")
        self.save.tapped.connect(self._save)
        left.addWidget(self.save)
        row.addLayout(left, 1)
        keyboard = StaffKeyboard(self.t, gap, "，。", toggle=False)
        self.target = KeyboardTarget([self.edit])
        self.candidates = CandidateBar(self.t, gap)
        self.pinyin = PinyinInput(self.t, self.target, [self.edit], self.candidates)
        keyboard.key.connect(self.pinyin.key)
        keyboard.deleted.connect(self.pinyin.delete)
        keyboard.cleared.connect(self.pinyin.clear)
        keys = QVBoxLayout()
        keys.setSpacing(gap)
        keys.addWidget(self.candidates)
        keys.addWidget(keyboard, 1)
        row.addLayout(keys)
        self.body.addLayout(row, 1)

    def enter(self) -> None:
        self.hide_message()
        self.pinyin.reset()
        self.edit.setText(self.core.session.complaint.note)
        self.target.current = self.edit
        self.edit.setFocus()

    def clear(self) -> None:
        super().clear()
        self.pinyin.reset()
        self.edit.clear()

    def _save(self) -> None:
        self.pinyin.settle()
        note = clean_note(self.edit.text())
        if len(note) > NOTE_MAX:
            self.show_message(self.t("complaint.invalid.note"))  # the words stay to shorten
            return
        self.core.session.complaint.note = note
        self.shell.answer("saved")
