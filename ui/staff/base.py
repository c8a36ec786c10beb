"""What staff screens share: the signed-in staff member, and the keyboard feeding a field."""
from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QLineEdit

from ui.screens.base import Screen, set_message_role


class StaffScreen(Screen):
    offers_repeat = False
    pages = None  # the paged screens' ui.staff.widgets.FitPages
    _fitting = True  # still building, or fitting now: no fitting (again) yet

    def __init__(self, shell) -> None:
        super().__init__(shell)
        # Staff screens are not spoken, so 再听一遍 would do nothing: its room goes to the
        # title. Rows 3 mm apart (not 6) leave room for 超大 text on a laptop's screen.
        self.header.repeat_button.hide()
        # Staff are not the ones in need: 求助 stays, as red, at the size of the other buttons.
        self.header.help_button.setProperty("compact", True)
        self.body.setSpacing(self.metrics.gap)
        self._fitting = False

    def fit(self) -> None:
        """Screens that page their content (ui.staff.widgets.FitPages) page it again here."""

    def refit(self) -> None:
        if self._fitting:
            return  # still building, or already fitting (fitting lays the screen out)
        self._fitting = True
        try:
            self.fit()
        finally:
            self._fitting = False

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt naming)
        super().resizeEvent(event)
        self.refit()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt naming)
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            # Another text size: every widget is restyled first, then the pages are made again.
            QTimer.singleShot(0, self, self.refit)

    def show_message(self, text: str, role: str = "message") -> None:
        if self.pages is None:
            super().show_message(text, role)
            return
        set_message_role(self.message, role)
        # Paged screens show it as their first block: shown here at once, it would make the
        # window grow for a moment (and windows do not shrink back).
        self.message.setText(text)
        self.message.setAccessibleName(text)
        self.shell.speak(text)
        self.refit()

    def hide_message(self) -> None:
        super().hide_message()
        self.refit()

    @property
    def mode(self):
        return self.shell.staff_mode

    @property
    def staff_id(self) -> str | None:
        return self.mode.staff_id

    def prompt(self) -> str:
        return ""  # staff screens are not spoken: staff read them, elders' privacy is kept


class KeyboardTarget:
    """Routes the on-screen keyboard to the last line edit that had focus."""

    def __init__(self, edits: list[QLineEdit]) -> None:
        self.edits = edits
        self.current = edits[0] if edits else None
        for edit in edits:
            edit.installEventFilter(_FocusTracker(self, edit))

    def key(self, char: str) -> None:
        if self.current is not None:
            self.current.insert(char)

    def delete(self) -> None:
        if self.current is not None:
            self.current.backspace()

    def clear(self) -> None:
        if self.current is not None:
            self.current.clear()


class _FocusTracker(QObject):
    def __init__(self, target: KeyboardTarget, edit: QLineEdit) -> None:
        super().__init__(edit)
        self.target = target
        self.edit = edit

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt naming)
        if event.type() == QEvent.Type.FocusIn:
            self.target.current = self.edit
        return False
