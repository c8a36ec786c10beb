"""Staff sign-in, step 2: the PIN on the keypad; 5 wrong tries lock that name for 5 minutes."""
from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout

from kiosk import audit
from kiosk.errors import KnownError
from kiosk.staff import StaffLocked, locked_for_s, verify_pin
from ui.staff.base import StaffScreen
from ui.widgets import BigButton, Keypad, centred, label

MAX_PIN = 8


class StaffPinScreen(StaffScreen):
    name = "staff_pin"

    def build(self) -> None:
        row = QHBoxLayout()
        row.setSpacing(self.metrics.gap * 4)
        left = QVBoxLayout()
        left.setSpacing(self.metrics.gap * 2)
        left.addWidget(label(self.t("staff.pin.instruction")))
        self.display = centred(label("", "display", wrap=False))
        left.addWidget(self.display)
        left.addWidget(self.message)
        left.addStretch(1)
        right = QVBoxLayout()
        right.setSpacing(self.metrics.gap * 2)
        self.keypad = keypad = Keypad(self.t("home.key.clear"), self.t("home.key.delete"),
                                      self.metrics.gap)
        keypad.digit.connect(self._digit)
        keypad.cleared.connect(self._clear)
        keypad.deleted.connect(lambda: self._set(self._pin[:-1]))
        right.addWidget(keypad, 1)
        self.ok = BigButton(self.t("home.key.ok"), "primary")
        self.ok.tapped.connect(self._submit)
        right.addWidget(self.ok)
        row.addLayout(left, 5)
        row.addLayout(right, 4)
        self.body.addLayout(row, 1)
        self._pin = ""
        self._set("")
        # While her name is locked: no keys, and the lock's words; looked at again each second.
        self.lock_timer = QTimer(self)
        self.lock_timer.setInterval(1000)
        self.lock_timer.timeout.connect(self.show_lock)

    def show_lock(self) -> bool:
        """Keypad and 确定 off, with the lock's words, while the chosen name is locked; True
        if it is. When the lock is over, they come back on and the words go."""
        member, core = self.mode.chosen, self.core
        left = locked_for_s(core.store, core.clock, member.id) if member else 0
        was_locked = not self.ok.isEnabled()
        self.keypad.setEnabled(not left)
        self.ok.setEnabled(not left)
        if left:
            error = StaffLocked(left)
            self.show_message(self.t(error.message_key, **error.params))
            self.lock_timer.start()
        else:
            self.lock_timer.stop()
            if was_locked:
                self.hide_message()
        return bool(left)

    def leave(self) -> None:
        self.lock_timer.stop()

    def enter(self) -> None:
        member = self.mode.chosen
        if member is None:
            raise KnownError()
        self.set_title(self.t("staff.pin.title", name=member.name))
        self.hide_message()
        self._clear()
        self.show_lock()  # locked a moment ago: still says so, keys still off

    def clear(self) -> None:
        super().clear()
        self._clear()
        self.lock_timer.stop()

    def _digit(self, digit: str) -> None:
        self.hide_message()
        if len(self._pin) < MAX_PIN:
            self._set(self._pin + digit)

    def _clear(self) -> None:
        self._set("")

    def _set(self, pin: str) -> None:
        self._pin = pin
        shown = "●" * len(pin) or self.t("staff.pin.empty")
        self.display.setText(shown)
        self.display.setAccessibleName(self.t("staff.pin.label", count=len(pin)))

    def _submit(self) -> None:
        member, core = self.mode.chosen, self.core
        pin, self._pin = self._pin, ""
        self._set("")
        try:
            signed_in = verify_pin(core.store, core.clock, member.id, pin)
        except StaffLocked as error:
            audit.log(core.store, core.clock, member.id, "staff.locked", member.id)
            self.show_message(self.t(error.message_key, **error.params))
            self.show_lock()
            return
        except KnownError as error:
            self.show_message(self.t(error.message_key, **error.params))
            return
        self.mode.sign_in(signed_in)
        self.shell.answer("signed_in")
