"""服务评价: after a service is done, the next sign-in asks once — three big faces."""
from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QHBoxLayout

from kiosk.my_bookings import describe
from kiosk.paths import ASSETS
from kiosk.ratings import SCORES
from kiosk.session import Feedback
from ui.screens.base import Screen
from ui.widgets import BigButton, label


def face_row(t, metrics, on_chosen) -> tuple[QHBoxLayout, dict[str, BigButton]]:
    """Three big faces, 满意 一般 不满意, each with its pictogram; a tap gives its score."""
    row = QHBoxLayout()
    row.setSpacing(metrics.gap * 3)
    icon_px = metrics.mm(24)
    faces: dict[str, BigButton] = {}
    for score in SCORES:
        face = BigButton(t("rating." + score), "face")
        face.setIcon(QIcon(str(ASSETS / "icons" / f"face-{score}.svg")))
        face.setIconSize(QSize(icon_px, icon_px))
        face.tapped.connect(lambda s=score: on_chosen(s))
        row.addWidget(face)
        faces[score] = face
    return row, faces


class RatingScreen(Screen):
    name = "rating"
    can_go_back = False  # back would sign out; 以后再说 is the way past
    skip_on_back = True

    def build(self) -> None:
        self.set_title(self.t("rating.title"))
        self.question = label("", "big")
        self.body.addWidget(self.question)
        row, self.faces = face_row(self.t, self.metrics, self._chosen)
        self.body.addLayout(row, 1)
        self.body.addWidget(self.message)
        later = QHBoxLayout()
        self.later = BigButton(self.t("rating.later"), "choice")
        self.later.tapped.connect(lambda: self.shell.answer("later"))
        later.addStretch(1)
        later.addWidget(self.later, 1)
        self.body.addLayout(later)

    def enter(self) -> None:
        self.hide_message()
        core = self.core
        booking = core.session.feedback.booking
        card = core.my_bookings.card(booking.elder_id, booking.id) if booking else None
        self.question.setText(self.t("rating.question", what=describe(self.t, card))
                              if card else "")
        if booking is not None:
            core.ratings.mark_asked(booking.id)  # asked once, answered or not

    def prompt(self) -> str:
        return self.t("rating.prompt", question=self.question.text())

    def clear(self) -> None:
        super().clear()
        self.question.setText("")

    def _chosen(self, score: str) -> None:
        feedback = self.core.session.feedback
        self.core.session.feedback = Feedback(feedback.booking, score)
        self.shell.answer("chosen")
