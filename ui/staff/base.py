"""What staff screens share: the signed-in staff member, and the keyboard feeding a field."""
from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QLineEdit

from ui.screens.base import Screen


class StaffScreen(Screen):
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
