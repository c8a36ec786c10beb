"""After sign-in, once: the answer to her complaint (您12月3日的意见已处理：…), shown large and
said, then three faces for how it was handled, or 跳过."""
from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout

from kiosk.errors import KnownError
from kiosk.greeting import answer_sentence
from ui.screens.base import Screen
from ui.screens.rating import face_row
from ui.widgets import BigButton, label


class ComplaintAnswerScreen(Screen):
    name = "complaint_answer"
    can_go_back = False  # back would sign out; 跳过 is the way past
    skip_on_back = True

    def build(self) -> None:
        self.set_title(self.t("complaint.answer.title"))
        self.sentence = label("", "big")
        self.body.addWidget(self.sentence)
        self.question = label(self.t("complaint.answer.question"))
        self.body.addWidget(self.question)
        row, self.faces = face_row(self.t, self.metrics, self._chosen)
        self.body.addLayout(row, 1)
        self.body.addWidget(self.message)
        skip = QHBoxLayout()
        self.skip = BigButton(self.t("complaint.answer.skip"), "choice")
        self.skip.tapped.connect(self._skip)
        skip.addStretch(1)
        skip.addWidget(self.skip, 1)
        self.body.addLayout(skip)

    def enter(self) -> None:
        self.hide_message()
        resolved = self.core.session.answer_back
        self.sentence.setText(answer_sentence(self.t, resolved) if resolved else "")
        if resolved is not None:
            self.core.complaints.mark_shown(resolved.id)  # shown once, answered or not

    def prompt(self) -> str:
        text = self.sentence.text()
        return self.t("complaint.answer.prompt", sentence=text.rstrip("。. ")) if text else ""

    def clear(self) -> None:
        super().clear()
        self.sentence.setText("")

    def _chosen(self, score: str) -> None:
        core = self.core
        resolved = core.session.answer_back
        if resolved is None:
            self._next()
            return
        try:
            core.complaints.answer(core.session.elder.id, resolved.id, score,
                                   staff_id=core.session.staff_id)
        except KnownError as error:
            self.show_message(self.t(error.message_key))
            return
        self.shell.action_done()
        core.session.notice = "complaint.answer.thanks"
        self._next()

    def _skip(self) -> None:
        self._next()

    def _next(self) -> None:
        """The rating of a done service, if one waits (asked after this), else the services."""
        self.core.session.answer_back = None
        self.shell.answer("rate" if self.core.session.feedback.booking is not None else "done")
