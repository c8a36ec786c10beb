"""After sign-in, once: the answer to her complaint (您12月3日的意见已处理：…), shown large and
said, then three faces for how it was handled, or 跳过. An answer too long for the room there
is shows in a smaller size, then a page at a time with 上一页 / 下一页; all of it is said."""
from __future__ import annotations

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QHBoxLayout, QSizePolicy

from kiosk.errors import KnownError
from kiosk.greeting import answer_sentence
from ui.screens.base import Screen
from ui.screens.paged import keep_place
from ui.screens.rating import face_row
from ui.widgets import BigButton, label, restyle


class ComplaintAnswerScreen(Screen):
    name = "complaint_answer"
    can_go_back = False  # back would sign out; 跳过 is the way past
    skip_on_back = True

    def build(self) -> None:
        self.set_title(self.t("complaint.answer.title"))
        self.sentence = label("", "big")
        self.sentence.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        # Its room is what the faces leave; a long answer never makes the window grow.
        self.sentence.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self.body.addWidget(self.sentence, 1)
        pages = QHBoxLayout()
        pages.setSpacing(self.metrics.gap * 6)
        self.previous_page = BigButton(self.t("page.previous"), "page")
        self.previous_page.tapped.connect(lambda: self.turn(-1))
        self.next_page = BigButton(self.t("page.next"), "page")
        self.next_page.tapped.connect(lambda: self.turn(1))
        for button in (self.previous_page, self.next_page):
            pages.addWidget(button)
            button.hide()
        self.body.addLayout(pages)
        self.question = label(self.t("complaint.answer.question"))
        self.body.addWidget(self.question)
        row, self.faces = face_row(self.t, self.metrics, self._chosen)
        self.body.addLayout(row)
        self.body.addWidget(self.message)
        skip = QHBoxLayout()
        self.skip = BigButton(self.t("complaint.answer.skip"), "choice")
        self.skip.tapped.connect(self._skip)
        skip.addStretch(1)
        skip.addWidget(self.skip, 1)
        self.body.addLayout(skip)
        self.text = ""
        self.chunks = [""]
        self.page = 0

    def enter(self) -> None:
        self.hide_message()
        resolved = self.core.session.answer_back
        self.text = answer_sentence(self.t, resolved) if resolved else ""
        self.refit()
        if resolved is not None:
            self.core.complaints.mark_shown(resolved.id)  # shown once, answered or not

    def refit(self) -> None:
        """Big if it fits; else the body's size, a page at a time."""
        for role in ("big", ""):
            self._lay_out(role, several=role == "")
            self.chunks = self._pages(self.text)
            if len(self.chunks) == 1:
                self._lay_out(role, several=False)
                break
        self.page = min(self.page, len(self.chunks) - 1) if self.page else 0
        self._show()

    def _lay_out(self, role: str, several: bool) -> None:
        if self.sentence.property("role") != role:
            restyle(self.sentence, role)
        for button in (self.previous_page, self.next_page):
            keep_place(button, several)
        size = self.shell.stack.size()
        if self.size() != size:
            self.resize(size)
        self.layout().invalidate()
        self.layout().activate()

    def _pages(self, text: str) -> list[str]:
        """The text cut where the label's room ends, page by page."""
        room = self.sentence.contentsRect()
        metrics = QFontMetrics(self.sentence.font())
        flags = int(Qt.TextFlag.TextWordWrap)

        def fits(part: str) -> bool:
            box = metrics.boundingRect(QRect(0, 0, room.width(), 1 << 20), flags, part)
            return box.height() <= room.height()

        chunks, rest = [], text
        while rest and room.width() > 0:
            low, high = 1, len(rest)
            while low < high:  # the longest start of the rest that fits
                middle = (low + high + 1) // 2
                low, high = (middle, high) if fits(rest[:middle]) else (low, middle - 1)
            chunks.append(rest[:low])
            rest = rest[low:]
        return chunks or [text]

    def _show(self) -> None:
        self.sentence.setText(self.chunks[self.page])
        several = len(self.chunks) > 1
        self.previous_page.setVisible(several and self.page > 0)
        self.next_page.setVisible(several and self.page < len(self.chunks) - 1)

    def turn(self, step: int) -> None:
        self.page = min(max(0, self.page + step), len(self.chunks) - 1)
        self._show()
        self.shell.speak(self.t("page.now", page=self.page + 1, pages=len(self.chunks)))

    def prompt(self) -> str:
        text = self.text.rstrip("。. ")
        return self.t("complaint.answer.prompt", sentence=text) if text else ""

    def clear(self) -> None:
        super().clear()
        self.text, self.chunks, self.page = "", [""], 0
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
