"""意见/投诉, step 3: what was wrong as big toggle chips, 请给我回电话 one of them; never typed.
Staff beside her may add a note (添加备注) on the staff keyboard."""
from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout

from kiosk.complaints import CALL_BACK, reason_chips
from ui.screens.base import Screen
from ui.screens.paged import ToggleChips, keep_place
from ui.widgets import BigButton, label

MAX_CHIPS = 6  # five reasons and 请给我回电话


class ComplaintReasonsScreen(Screen):
    name = "complaint_reasons"

    def build(self) -> None:
        self.set_title(self.t("complaint.reasons.title"))
        self.hint = label(self.t("rating.reasons.hint"))
        self.body.addWidget(self.hint)
        self.chips = ToggleChips(self.t, MAX_CHIPS, self.metrics.gap, self._word)
        self.body.addLayout(self.chips.grid, 1)
        self.body.addWidget(self.message)
        # 下一步 on the left: the confirm screen's 确认提交 sits bottom right, away from it.
        row = QHBoxLayout()
        row.setSpacing(self.metrics.gap * 6)
        self.next = BigButton(self.t("complaint.next"), "primary")
        self.next.tapped.connect(lambda: self.shell.answer("next"))
        row.addWidget(self.next, 1)
        self.note = BigButton(self.t("complaint.add_note"), "page")  # staff beside her only
        self.note.tapped.connect(lambda: self.shell.answer("note"))
        keep_place(self.note)
        row.addWidget(self.note, 1)
        self.body.addLayout(row)

    def _word(self, code: str) -> str:
        return self.t("complaint.call_back") if code == CALL_BACK \
            else self.t(f"rating.reason.{code}")

    def enter(self) -> None:
        self.hide_message()
        draft = self.core.session.complaint
        codes = reason_chips(draft.about, draft.service)[:MAX_CHIPS - 1] + (CALL_BACK,)
        self.chips.show(codes, draft.reasons)
        self.note.setVisible(self.core.session.staff_id is not None)

    def prompt(self) -> str:
        return self.t("complaint.reasons.prompt")

    def clear(self) -> None:
        super().clear()
        self.chips.clear()
