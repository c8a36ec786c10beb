"""After a quiet spell, "还在吗？" with a countdown, then sign-out that clears the screen."""
from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QFrame, QVBoxLayout, QWidget

from ui.widgets import BigButton, centred, label

ACTIVITY = {
    QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonRelease, QEvent.Type.TouchBegin,
    QEvent.Type.TouchEnd, QEvent.Type.KeyPress,
}


class IdleWarning(QFrame):
    """The one pop-up an elder may see unasked: covers the window, one big 继续. What it
    covers is hidden while it shows, so a screen reader does not offer the controls under it."""

    def __init__(self, parent: QWidget, t, gap: int, covers: QWidget | None = None) -> None:
        super().__init__(parent)
        self.covers = covers
        self.setProperty("role", "card")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(gap * 6, gap * 6, gap * 6, gap * 6)
        layout.setSpacing(gap * 3)
        title = centred(label(t("idle.title"), "big"))
        self.countdown = centred(label(""))
        self.continue_button = BigButton(t("idle.continue"), "primary")
        layout.addStretch(1)
        layout.addWidget(title)
        layout.addWidget(self.countdown)
        layout.addWidget(self.continue_button)
        layout.addStretch(1)
        self.hide()

    def showEvent(self, event) -> None:  # noqa: N802 (Qt naming)
        super().showEvent(event)
        if self.covers is not None and not event.spontaneous():
            self.covers.hide()

    def hideEvent(self, event) -> None:  # noqa: N802 (Qt naming)
        super().hideEvent(event)
        if self.covers is not None and not event.spontaneous():
            self.covers.show()


class IdleWatch(QObject):
    """Watches for taps anywhere; drives the warning and the sign-out of the `shell`."""

    def __init__(self, shell, parent: QWidget) -> None:
        super().__init__(parent)
        self.shell = shell
        core = shell.core
        self.clock = core.clock
        self.timeout_s = core.settings.idle_timeout_s
        self.warning_s = core.settings.idle_warning_s
        self._parent = parent
        self._warning: IdleWarning | None = None
        self.last_activity = self.clock.monotonic()
        self.timer = QTimer(self)
        self.timer.setInterval(1000)
        self.timer.timeout.connect(self.tick)
        self.timer.start()

    @property
    def t(self):
        return self.shell.core.text  # the elder's language, which may change

    def forget_warning(self) -> None:
        """Build the warning again when next needed (the language changed)."""
        if self._warning is not None:
            self._warning.hide()  # what it covered shows again
            self._warning.deleteLater()
            self._warning = None

    @property
    def warning(self) -> IdleWarning:
        """Built the first time it is needed, not at start-up."""
        if self._warning is None:
            self._warning = IdleWarning(self._parent, self.t, self.shell.metrics.gap,
                                        self.shell.stack)
            self._warning.continue_button.tapped.connect(self.dismiss)
        return self._warning

    @property
    def warning_shown(self) -> bool:
        return self._warning is not None and self._warning.isVisible()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt naming)
        if event.type() in ACTIVITY and not self.warning_shown:
            self.last_activity = self.clock.monotonic()
        return False

    def tick(self) -> None:
        if not self.shell.core.session.signed_in:
            if self.warning_shown:
                self.warning.hide()
            self._reset_when_nobody_is_here()
            return
        idle = self.clock.monotonic() - self.last_activity
        if idle < self.timeout_s:
            return
        left = int(self.timeout_s + self.warning_s - idle)
        if left <= 0:
            self.warning.hide()
            self.shell.go_home(notice="idle.signed_out")
            return
        self.warning.countdown.setText(self.t("idle.countdown", seconds=left))
        if not self.warning.isVisible():
            self.warning.setGeometry(self.warning.parentWidget().rect())
            self.warning.raise_()
            self.warning.show()
            self.shell.speak(self.t("idle.prompt"))

    def restart(self) -> None:
        """An elder has just signed in: their quiet time counts from now."""
        self.last_activity = self.clock.monotonic()

    def _reset_when_nobody_is_here(self) -> None:
        """A text size or language chosen by someone who then left without signing in goes
        back to the default, so the next elder finds the kiosk as usual."""
        if self.clock.monotonic() - self.last_activity < self.timeout_s:
            return
        self.last_activity = self.clock.monotonic()
        if self.shell.staff_mode.staff_id is not None:
            return
        if self.shell.reset_choices():
            self.shell.go_home()
        self.shell.screen("home").forget_typed()  # half a card number, an old message

    def dismiss(self) -> None:
        self.warning.hide()
        self.last_activity = self.clock.monotonic()
        self.shell.repeat_prompt()
