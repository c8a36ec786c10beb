"""Staff mode in the window: who is signed in, the 2-minute idle sign-out, and the audit of
what they did for elders (which screens staff may see: kiosk/screens.py)."""
from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QTimer

from kiosk import flow
from kiosk.staff_session import StaffSession
from ui.idle import ACTIVITY


class StaffMode(QObject):
    def __init__(self, shell) -> None:
        super().__init__(shell)
        self.shell = shell
        self.core = shell.core
        self.session = StaffSession(self.core.clock)
        # the kiosk.staff.StaffMember picked on the login screen, PIN not yet given (the staff
        # register's module is not imported before the kiosk's first frame)
        self.chosen = None
        self.failed_tries = 0  # wrong PINs since her last sign-in, told on the staff home once
        self.form = None  # the elder record being edited (kiosk.elder_registry.ElderForm)
        self.timer = QTimer(self)
        self.timer.setInterval(1000)
        self.timer.timeout.connect(self.tick)
        self.timer.start()

    @property
    def signed_in(self) -> bool:
        return self.session.signed_in

    @property
    def staff_id(self) -> str | None:
        return self.session.staff_id

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt naming)
        if event.type() in ACTIVITY:
            self.session.touch()
        return False

    def sign_in(self, member) -> None:
        """`member`: a kiosk.staff.StaffMember whose PIN was right."""
        self.session.sign_in(member)
        self.chosen = None
        self.failed_tries = member.failed_tries
        self.shell.reset_choices()  # staff work in the kiosk's default language and size
        from kiosk import audit  # not imported before the kiosk's first frame

        audit.log(self.core.store, self.core.clock, member.id, "staff.sign_in", member.id)
        self.shell.action_done()

    def sign_out(self) -> None:
        """Back to the elders' home; nothing of the staff work stays on screen."""
        member = self.session.member
        if member is not None:
            from kiosk import audit

            audit.record_staff_work(self.core.store, self.core.clock)
            audit.log(self.core.store, self.core.clock, member.id, "staff.sign_out", member.id)
        self.session.sign_out()
        self.form = None
        self.shell.reset_choices()  # settings saved by staff apply from here
        self.shell.go_home()
        self.shell.action_done()

    def tick(self) -> None:
        if self.session.expired():
            self.sign_out()

    def home_screen(self) -> str:
        return flow.STAFF_HOME if self.signed_in else flow.HOME

    def take_scan(self, text: str) -> bool:
        """A card scanned while a staff form waits for one fills the form instead."""
        return self.signed_in and self.shell.current.card_scanned(text)

    def act_for(self, elder) -> None:
        """Staff acts for an elder in the elders' own screens; every action carries her id."""
        self.core.session.sign_in(elder)
        self.core.session.staff_id = self.staff_id

    def action_done(self) -> None:
        if self.signed_in:
            from kiosk import audit

            audit.record_staff_work(self.core.store, self.core.clock)
