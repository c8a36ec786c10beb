"""求助: one tap on any screen, one confirm, and staff are told at once (spoken and shown), in
words that say who: the staff here (demo data, or no platform to reach), the duty social
worker on the platform's console once the call reached it (or that it will as soon as the
network is back); while it shows the call, it says when staff have it and are coming, and
when it was dealt with."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QHBoxLayout

from kiosk.errors import KnownError
from kiosk.paths import ASSETS
from ui.screens.base import Screen
from ui.screens.paged import keep_place
from ui.widgets import BigButton, label

ANSWERS = {"acknowledged": "help.acknowledged", "resolved": "help.resolved"}
ON_ITS_WAY = ("help.sent.sending", "help.sent.offline")  # until the platform has the call


class HelpScreen(Screen):
    name = "help"
    offers_help = False
    skip_on_back = True

    def build(self) -> None:
        self.set_title(self.t("help.title"))
        self.question = label(self.t("help.question"), "big")
        # once sent: a big tick beside big words, so it reads from a step away
        self.done_icon = label("", wrap=False)
        icon_px = self.metrics.mm(20)
        self.done_icon.setPixmap(QIcon(str(ASSETS / "icons" / "status-ok.svg")).pixmap(icon_px))
        self.done_icon.setFixedSize(icon_px, icon_px)
        self.done_icon.setAccessibleName(self.t("help.sent_icon"))
        self.done_icon.hide()
        top = QHBoxLayout()
        top.setSpacing(self.metrics.gap * 2)
        top.addWidget(self.done_icon, 0, Qt.AlignmentFlag.AlignTop)
        top.addWidget(self.question, 1)
        self.body.addLayout(top)
        self.body.addWidget(self.message)
        self.body.addStretch(1)
        row = QHBoxLayout()
        row.setSpacing(self.metrics.gap * 6)
        self.cancel = BigButton(self.t("help.no"), "choice")
        self.cancel.setMinimumHeight(self.metrics.primary)
        self.cancel.tapped.connect(self.shell.back)
        self.ok = BigButton(self.t("help.yes"), "primary")
        self.ok.tapped.connect(self._ask)
        keep_place(self.ok)  # once hidden, 返回 must not slide under the finger
        row.addWidget(self.cancel, 1)
        row.addWidget(self.ok, 1)
        self.body.addLayout(row)
        self.sent = False
        self.request = None  # the kiosk.help.HelpRequest this screen shows, once sent
        self.words = ""  # the message key said about it now

    def enter(self) -> None:
        self.hide_message()
        self.sent = False
        self.request = None
        self.words = ""
        self.question.setText(self.t("help.question"))
        self.done_icon.hide()
        self.ok.show()
        self.cancel.setText(self.t("help.no"))

    def prompt(self) -> str:
        return self.question.text()

    def _ask(self) -> None:
        if self.sent:
            return
        core = self.core
        elder = core.session.elder
        try:
            self.request = core.help.ask(elder.id if elder else None,
                                         staff_id=core.session.staff_id)
        except KnownError as error:
            self.show_message(f"{self.t(error.message_key)}\n{self.t('error.ask_staff')}")
            return
        self.sent = True
        self.words = self._sent_words()  # before sync is nudged: as things stand at the tap
        self.shell.action_done()
        self.question.setText(self.t(self.words))
        self.done_icon.show()
        self.ok.hide()
        self.cancel.setText(self.t("help.back"))
        self.shell.speak(self.t(self.words))

    def _sent_words(self) -> str:
        """Who has been told: on demo data (or a kiosk its platform stopped) only the staff
        here; with a platform, its duty social workers too, now or once the network is back."""
        core = self.core
        if core.demo:
            return "help.sent.here"
        status = core.sync_status()
        if status.stopped:
            return "help.sent.here"
        return "help.sent.sending" if status.online else "help.sent.offline"

    def hear(self, news) -> None:
        if news.kind == "help.answered":
            self.answered(news.payload)
        elif news.kind == "sync.finished":
            self.delivered()

    def delivered(self) -> None:
        """After a sync cycle: the call now on the platform's console says so, once (unless
        staff have answered it already)."""
        if self.request is None or self.words not in ON_ITS_WAY:
            return
        if self.core.help.delivered(self.request.id):
            self.words = "help.sent.duty"
            self.question.setText(self.t(self.words))
            self.shell.speak(self.t(self.words))

    def answered(self, request) -> None:
        """The call shown here was acknowledged or resolved (kiosk.help.HelpDesk.look_again):
        new words, said once."""
        if self.request is None or request.id != self.request.id:
            return
        self.request = request
        self.words = ANSWERS[request.state]
        words = self.t(self.words)
        self.question.setText(words)
        self.shell.speak(words)
