"""The sync panel: last successful sync, what waits, errors in plain words, clock skew, why
speech is silent, and 立即同步."""
from __future__ import annotations

from kiosk import audit
from ui.staff.base import StaffScreen
from ui.widgets import BigButton, label

LINES = 6


def speech_lines(t, speaker) -> list[str]:
    """Why the kiosk is silent, when it is (for staff; elders just see the screens)."""
    if not hasattr(speaker, "available"):
        return [t("staff.sync.speech_none")]
    lines = []
    if not speaker.available:
        lines.append(t("staff.sync.speech_unavailable",
                       reason=getattr(speaker, "unavailable_reason", "") or "—"))
    problem = getattr(speaker, "output_problem", "")
    if problem:
        lines.append(t("staff.sync.speech_output", problem=problem))
    return lines or [t("staff.sync.speech_ok")]


class StaffSyncScreen(StaffScreen):
    name = "staff_sync"

    def build(self) -> None:
        self.set_title(self.t("staff.menu.sync"))
        self.lines = [label("") for _ in range(LINES)]
        for line in self.lines:
            self.body.addWidget(line)
        self.body.addStretch(1)
        self.body.addWidget(self.message)
        self.now = BigButton(self.t("staff.sync.now"), "primary")
        self.now.tapped.connect(self._sync_now)
        self.body.addWidget(self.now)
        self._connected = False

    def enter(self) -> None:
        self.hide_message()
        if self.shell.sync is not None and not self._connected:
            self.shell.sync.status_changed.connect(lambda _s: self._refresh())
            self._connected = True
        self._refresh()

    def _refresh(self) -> None:
        core = self.core
        texts = core.staff_sync_lines()
        if not core.sync_status().configured:
            texts = [core.text("sync.demo_mode"), *texts]
        texts = (texts + speech_lines(self.t, self.shell.speaker))[:LINES]
        for line, text in zip(self.lines, texts + [""] * LINES, strict=False):
            line.setText(text)
            line.setVisible(bool(text))

    def _sync_now(self) -> None:
        audit.log(self.core.store, self.core.clock, self.staff_id, "sync.now", "")
        if self.shell.sync is None:
            self.show_message(self.t("staff.sync.not_configured"))
            return
        self.shell.sync.nudge()
        self.show_message(self.t("staff.sync.started"))
