"""意见/投诉, the last step: the whole complaint in one sentence, shown and said; 确认提交."""
from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout

from kiosk.complaints import CALL_BACK
from kiosk.errors import KnownError
from kiosk.session import ComplaintDraft
from ui.screens.base import Screen
from ui.widgets import BigButton, label


def sentence(t, draft) -> str:
    """您要对11月25日 星期三 上午 日常保洁提意见：来晚了、态度不好。工作人员会给您回电话。"""
    words = [t(f"rating.reason.{code}") for code in draft.reasons if code != CALL_BACK]
    reasons = t("list.separator").join(words) if words else t("complaint.confirm.no_reasons")
    text = t("complaint.confirm.sentence", what=draft.what, reasons=reasons)
    return text + (t("complaint.confirm.call_back") if CALL_BACK in draft.reasons else "")


class ComplaintConfirmScreen(Screen):
    name = "complaint_confirm"

    def build(self) -> None:
        self.set_title(self.t("complaint.confirm.title"))
        self.sentence = label("", "big")
        self.body.addWidget(self.sentence)
        self.note = label("")  # a staff member's note, read back to her
        self.body.addWidget(self.note)
        self.body.addStretch(1)
        self.body.addWidget(self.message)
        # 确认提交 bottom right: the 下一步 that led here sat bottom left.
        row = QHBoxLayout()
        row.setSpacing(self.metrics.gap * 6)
        row.addStretch(1)
        self.send = BigButton(self.t("complaint.confirm.ok"), "primary")
        self.send.tapped.connect(self._send)
        row.addWidget(self.send, 1)
        self.body.addLayout(row)

    def enter(self) -> None:
        self.hide_message()
        draft = self.core.session.complaint
        self.sentence.setText(sentence(self.t, draft))
        self.note.setText(self.t("complaint.note_shown", note=draft.note) if draft.note else "")
        self.note.setVisible(bool(draft.note))
        self.send.setEnabled(True)

    def prompt(self) -> str:
        # the staff note is not said aloud: it may name what others should not hear
        return self.t("complaint.confirm.prompt", sentence=self.sentence.text())

    def clear(self) -> None:
        super().clear()
        self.sentence.setText("")
        self.note.setText("")

    def _send(self) -> None:
        core = self.core
        draft = core.session.complaint
        try:
            core.complaints.file(
                core.session.elder.id, about=draft.about, booking_id=draft.booking_id,
                provider_id=draft.provider_id, reasons=tuple(draft.reasons),
                call_back=CALL_BACK in draft.reasons, note=draft.note,
                staff_id=core.session.staff_id)
        except KnownError as error:
            self.show_message(self.t(error.message_key))  # the draft stays as it is
            return
        self.send.setEnabled(False)
        self.shell.action_done()
        core.session.notice = "complaint.sent.call_back" if CALL_BACK in draft.reasons \
            else "complaint.sent"
        core.session.complaint = ComplaintDraft()
        self.shell.answer_done("sent")
