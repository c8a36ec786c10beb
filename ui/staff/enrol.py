"""Platform address and enrolment: the code is traded for a device token (kept in its 0600
file); only the address goes into the settings file. An address from a QR code is shown to
staff, and used only when they tap again."""
from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout

from kiosk import audit
from kiosk.config import same_address
from kiosk.errors import KnownError
from kiosk.settings_file import config_path, problem_text, validated, write_settings
from kiosk.sync.enrolment import Grant, keep_enrolment, parse_code, request_enrolment
from ui.background import BackgroundJob
from ui.staff.base import KeyboardTarget, StaffScreen
from ui.staff.widgets import FieldRow, FitPages, StaffKeyboard, arrange_fields, breakable
from ui.widgets import BigButton


class StaffEnrolScreen(StaffScreen):
    name = "staff_enrol"

    def build(self) -> None:
        gap = self.metrics.gap
        self.set_title(self.t("staff.settings.platform"))
        row = QHBoxLayout()
        row.setSpacing(gap * 2)
        left = QVBoxLayout()
        left.setSpacing(gap)
        # The two fields and a message beside the keyboard, paged if big text needs it.
        self.pages = FitPages(self, gap)
        self.pages.add(self.message)
        self.fields = [FieldRow(self.t(key), self.metrics.target, gap)
                       for key in ("settings.platform_url", "settings.enrolment_code")]
        for field in self.fields:
            self.pages.add(field)
        self.pages.prepare = lambda width: arrange_fields(self.fields, width)
        self.url, self.code = (field.edit for field in self.fields)
        left.addWidget(self.pages, 1)
        self.go = BigButton(self.t("staff.settings.enrol"), "primary")
        self.go.tapped.connect(self._enrol)
        left.addWidget(self.go)
        row.addLayout(left, 1)
        keyboard = StaffKeyboard(self.t, gap, symbols=":/.-")
        self.target = KeyboardTarget([self.url, self.code])
        keyboard.key.connect(self.target.key)
        keyboard.deleted.connect(self.target.delete)
        keyboard.cleared.connect(self.target.clear)
        row.addWidget(keyboard)
        self.body.addLayout(row, 1)
        # The platform may take many seconds to answer, or never: it is asked off the GUI
        # thread, and its answer is kept even if the staff went elsewhere meanwhile.
        self.job = BackgroundJob("kiosk-enrol", self)
        self.job.succeeded.connect(self._enrolled)
        self.job.failed.connect(self._refused)
        self.staff_asking: str | None = None

    def fit(self) -> None:
        message = [self.message] if self.message.text() else []
        self.pages.show_blocks([*message, *self.fields], keep_page=True)

    def enter(self) -> None:
        self.hide_message()
        self.url.setText(self.core.settings.platform_url or self.core.store.get_state(
            "platform_url"))
        self.code.clear()
        self.target.current = self.url
        self.pages.show_blocks(self.fields)
        if self.job.running:
            self.show_message(self.t("staff.settings.enrolling"))

    def clear(self) -> None:
        super().clear()
        self.code.clear()

    def _enrol(self) -> None:
        core = self.core
        url, code = self.url.text().strip(), self.code.text()
        try:
            named = parse_code(code).platform_url
            if named and not same_address(named, url):
                self._show_qr_address(named)
                return
            validated(core.settings, {"platform_url": url})
        except ValueError as error:
            self.show_message(self.t("staff.settings.invalid", problem=problem_text(self.t, error)))
            return
        except KnownError as error:
            self.show_message(self.t(error.message_key, **error.params))
            return
        settings = core.settings
        if not self.job.start(lambda: request_enrolment(
                code, url, settings.device_name, timeout_s=settings.sync_timeout_s,
                allow_insecure_http=settings.allow_insecure_http)):
            return
        self.staff_asking = self.staff_id
        self.go.setEnabled(False)
        self.show_message(self.t("staff.settings.enrolling"))

    def _show_qr_address(self, named: str) -> None:
        """A QR code names its platform: staff see the address in the field and in words, and
        enrol with it only by tapping again (a QR code may come from anyone)."""
        self.url.setText(named)
        self.show_message(self.t("staff.settings.qr_address", url=breakable(named),
                                 button=self.t("staff.settings.enrol")))

    def _enrolled(self, grant: Grant) -> None:
        """The platform said yes. Syncing with the old platform (or the demo one) stops first,
        so nothing of it lands after the store is handed over; then sync starts anew."""
        self.shell.sync.retire(lambda: self._keep(grant))

    def _keep(self, grant: Grant) -> None:
        """Kept here on the GUI thread, where the store is written."""
        core = self.core
        self.go.setEnabled(True)
        try:
            done = keep_enrolment(core.store, core.settings.token_path, grant)
        except KnownError as error:
            if core.settings.platform_url:  # the old platform still gets its records
                self.shell.sync.start_worker(core.settings)
            self._tell(self.t(error.message_key, **error.params))
            return
        audit.log(core.store, core.clock, self.staff_asking, "kiosk.enrol", done.kiosk_id)
        try:
            path = self.shell.config_path or config_path()
            core.settings = write_settings(path, core.settings,
                                           {"platform_url": done.platform_url})
        except ValueError as error:
            message = self.t("staff.settings.invalid", problem=problem_text(self.t, error))
        except OSError as error:  # e.g. a full disk: enrolled all the same, and said so
            message = "\n".join((
                self.t("staff.settings.enrolled", community=done.community_name),
                self.t("staff.settings.not_saved", problem=problem_text(self.t, error))))
        else:
            self.code.clear()
            message = self.t("staff.settings.enrolled", community=done.community_name)
        # with the new platform, whether or not the file was saved
        self.shell.sync.start_worker(core.settings._replace(platform_url=done.platform_url))
        self.shell.action_done()  # sync is told at once, as after any staff action
        self._tell(message)

    def _refused(self, error: Exception) -> None:
        self.go.setEnabled(True)
        if not isinstance(error, KnownError):
            raise error  # a bug: reported as one, not shown as a plain message
        self._tell(self.t(error.message_key, **error.params))

    def _tell(self, text: str) -> None:
        """Shown only if the staff are still here (a later visit starts afresh)."""
        if self.shell.current is self:
            self.show_message(text)
