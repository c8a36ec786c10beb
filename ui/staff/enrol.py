"""Platform address and enrolment: the code is traded for a device token (kept in its 0600
file); only the address goes into the settings file."""
from __future__ import annotations

from PySide6.QtWidgets import QGridLayout, QHBoxLayout

from kiosk import audit
from kiosk.errors import KnownError
from kiosk.settings_file import config_path, validated, write_settings
from kiosk.sync.enrolment import enrol, parse_code
from ui.staff.base import KeyboardTarget, StaffScreen
from ui.staff.widgets import StaffKeyboard, line_edit
from ui.widgets import BigButton, label


class StaffEnrolScreen(StaffScreen):
    name = "staff_enrol"

    def build(self) -> None:
        gap = self.metrics.gap
        self.set_title(self.t("staff.settings.platform"))
        grid = QGridLayout()
        grid.setSpacing(gap)
        self.url = line_edit(self.t("settings.platform_url"), self.metrics.target)
        self.code = line_edit(self.t("settings.enrolment_code"), self.metrics.target)
        for row, (key, edit) in enumerate((("settings.platform_url", self.url),
                                           ("settings.enrolment_code", self.code))):
            grid.addWidget(label(self.t(key), wrap=False), row, 0)
            grid.addWidget(edit, row, 1)
        self.body.addLayout(grid)
        keyboard = StaffKeyboard(self.t, gap, symbols=":/.-")
        self.target = KeyboardTarget([self.url, self.code])
        keyboard.key.connect(self.target.key)
        keyboard.deleted.connect(self.target.delete)
        keyboard.cleared.connect(self.target.clear)
        self.body.addWidget(keyboard, 1)
        self.body.addWidget(self.message)
        row = QHBoxLayout()
        self.go = BigButton(self.t("staff.settings.enrol"), "primary")
        self.go.tapped.connect(self._enrol)
        row.addWidget(self.go)
        self.body.addLayout(row)
        self.enrol = enrol  # tests replace it with a fake platform

    def enter(self) -> None:
        self.hide_message()
        self.url.setText(self.core.settings.platform_url or self.core.store.get_state(
            "platform_url"))
        self.code.clear()
        self.target.current = self.url

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
