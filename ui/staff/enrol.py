"""Platform address and enrolment: the code is traded for a device token (kept in its 0600
file); only the address goes into the settings file."""
from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout

from kiosk import audit
from kiosk.errors import KnownError
from kiosk.settings_file import config_path, validated, write_settings
from kiosk.sync.enrolment import enrol, parse_code
from ui.staff.base import KeyboardTarget, StaffScreen
from ui.staff.widgets import FieldRow, FitPages, StaffKeyboard, arrange_fields
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
        self.enrol = enrol  # tests replace it with a fake platform

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

    def clear(self) -> None:
        super().clear()
        self.code.clear()

    def _enrol(self) -> None:
        core = self.core
        url = self.url.text().strip()
        try:
            validated(core.settings, {"platform_url": url})
            parse_code(self.code.text())
            done = self.enrol(core.store, core.settings.token_path, self.code.text(), url,
                              core.settings.device_name)
            path = getattr(self.shell, "config_path", None) or config_path()
            core.settings = write_settings(path, core.settings, {"platform_url": url})
        except ValueError as error:
            self.show_message(self.t("staff.settings.invalid", problem=str(error)))
            return
        except KnownError as error:
            self.show_message(self.t(error.message_key, **error.params))
            return
        self.code.clear()
        audit.log(core.store, core.clock, self.staff_id, "kiosk.enrol", done.kiosk_id)
        self.shell.action_done()
        self.show_message(self.t("staff.settings.enrolled", community=done.community_name))
