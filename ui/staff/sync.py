"""The sync panel: last successful sync, what waits, errors in plain words, clock skew, why
speech is silent, and 立即同步."""
from __future__ import annotations

from kiosk import audit
from kiosk.speech_problems import problem_key
from ui.staff.base import StaffScreen
from ui.staff.widgets import FitPages
from ui.widgets import BigButton

LINES = 6


def speech_lines(t, speaker) -> list[str]:
    """Why the kiosk is silent, when it is (for staff; elders just see the screens)."""
    if not speaker.available and not speaker.unavailable_reason:  # ui.speaker.SilentSpeaker
        return [t("staff.sync.speech_none")]
    lines = []
    if not speaker.available:
        lines.append(t("staff.sync.speech_unavailable",
                       reason=t(problem_key(speaker.unavailable_reason))))
    if speaker.output_problem:
        lines.append(t("staff.sync.speech_output", problem=t(problem_key(speaker.output_problem))))
    return lines or [t("staff.sync.speech_ok")]


class StaffSyncScreen(StaffScreen):
    name = "staff_sync"

    def build(self) -> None:
        self.set_title(self.t("staff.menu.sync"))
        # The lines, after the message of 立即同步, paged to fit at big text.
        self.pages = FitPages(self, self.metrics.gap)
        self.pages.add(self.message)
        self.body.addWidget(self.pages, 1)
        self.texts: list[str] = []
        self.now = BigButton(self.t("staff.sync.now"), "primary")
        self.now.tapped.connect(self._sync_now)
        self.body.addWidget(self.now)

    def enter(self) -> None:
        self.hide_message()
        self._refresh()

    def hear(self, news) -> None:
        if news.kind == "sync.finished":
            self._refresh()

    def _refresh(self) -> None:
        core = self.core
        texts = core.staff_sync_lines()
        if not core.sync_status().configured:
            texts = [core.text("sync.demo_mode"), *texts]
        self.texts = [text for text in (texts + speech_lines(self.t, self.shell.speaker))
                      if text][:LINES]
        self.fit()

    def fit(self) -> None:
        message = [self.message] if self.message.text() else []
        self.pages.show_texts(self.texts, keep_page=True, before=message)

    def _sync_now(self) -> None:
        audit.log(self.core.store, self.core.clock, self.staff_id, "sync.now", "")
        if not self.shell.sync.active:
            self.show_message(self.t("staff.sync.not_configured"))
            return
        self.shell.sync.nudge()
        self.show_message(self.t("staff.sync.started"), "status_wait")
