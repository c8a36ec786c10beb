"""The welcome screen: a card number on the big keypad, or a card held to the scanner."""
from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QHBoxLayout, QSizePolicy, QVBoxLayout

from kiosk.cards import MAX_INPUT
from ui.screens.base import Screen, set_message_role
from ui.theme import TEXT_SIZES
from ui.widgets import BigButton, Keypad, centred, label, restyle

MAX_TYPED_DIGITS = 18
NOTICE_S = 30  # how long the home screen says why it signed someone out


class HomeScreen(Screen):
    name = "home"
    navigation = False

    def build(self) -> None:
        t = self.t
        # No header title here: the welcome below says it, and 求助 keeps its place top right.
        self.set_title("")
        row = QHBoxLayout()
        row.setSpacing(self.metrics.gap * 4)
        left = QVBoxLayout()
        left.setSpacing(self.metrics.gap * 2)
        # One greeting that says what to do: at 超大 beside the keypad every line counts.
        self.instruction = label(t("home.instruction"), "title")
        left.addWidget(self.instruction)
        self.display = centred(label("", "display", wrap=False))
        # its width comes from the column, never from the number typed into it
        self.display.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        left.addWidget(self.display)
        left.addWidget(self.message)
        left.addStretch(1)
        self.sync_line = label("", "note")
        self.sync_line.hide()
        left.addWidget(self.sync_line)
        right = QVBoxLayout()
        right.setSpacing(self.metrics.gap * 2)
        keypad = Keypad(t("home.key.clear"), t("home.key.delete"), self.metrics.gap)
        keypad.digit.connect(self._digit)
        keypad.cleared.connect(self._clear_digits)
        keypad.deleted.connect(self._delete_digit)
        right.addWidget(keypad, 1)
        self.ok = BigButton(t("home.key.ok"), "primary")
        self.ok.tapped.connect(self._submit)
        right.addWidget(self.ok)
        row.addLayout(left, 5)
        row.addLayout(right, 4)
        # Under both columns, the whole width: 普通话 / 粤语 / English, and apart from them 声音;
        # one gap (3 mm) above it, as at 超大 on a small screen the keypad needs the height.
        page = QVBoxLayout()
        page.setSpacing(self.metrics.gap)
        page.addLayout(row, 1)
        self.body.addLayout(page, 1)
        self.language_row = QHBoxLayout()
        self.language_row.setSpacing(self.metrics.gap * 2)
        self.language_row.addStretch(1)
        self.language_buttons: dict[str, BigButton] = {}
        self.voice_button = BigButton(self.t("voice.entry"), "nav")
        self.voice_button.setAccessibleName(self.t("voice.entry.name"))
        self.voice_button.tapped.connect(lambda: self.shell.answer("voice"))
        self.voice_button.hide()
        self.language_row.addWidget(self.voice_button)
        page.addLayout(self.language_row)
        self._add_text_size_buttons()
        # Staff mode's entry: discreet, in the corner, still a 16 mm target.
        staff = BigButton(t("staff.entry"), "corner")
        staff.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        staff.tapped.connect(lambda: self.shell.answer("staff"))
        self.header.layout().addWidget(staff)
        self._digits = ""
        self._show_digits()
        self.notice = ""  # set by the window before it comes home: why it signed out
        self.notice_timer = QTimer(self)
        self.notice_timer.setSingleShot(True)
        self.notice_timer.setInterval(NOTICE_S * 1000)
        self.notice_timer.timeout.connect(self.hide_message)

    def _add_text_size_buttons(self) -> None:
        """大 / 特大 / 超大 in one tap, where the back button sits on other screens."""
        self.size_buttons: dict[str, BigButton] = {}
        for index, size in enumerate(TEXT_SIZES):
            chosen = size == self.metrics.text_size
            button = BigButton(self.t(f"text_size.{size}"), "nav_selected" if chosen else "nav")
            button.setAccessibleName(self.t("text_size.name", size=self.t(f"text_size.{size}")))
            button.setCheckable(True)  # one of a group: a screen reader says which is chosen
            button.setChecked(chosen)
            button.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
            button.tapped.connect(lambda s=size: self.shell.set_text_size(s))
            self.header.layout().insertWidget(index, button)
            self.size_buttons[size] = button

    def show_languages(self, languages, chosen: str) -> None:
        """普通话 / 粤语 / English, each written in itself; none when there is no choice."""
        if len(languages) < 2:
            languages = ()
        if [language.key for language in languages] != list(self.language_buttons):
            for button in self.language_buttons.values():
                self.language_row.removeWidget(button)
                button.hide()
                button.deleteLater()
            self.language_buttons = {}
            for language in languages:
                # built in its role: re-styling it later would cost the first frame 5 ms
                button = BigButton(language.name,
                                   "nav_selected" if language.key == chosen else "nav")
                button.setAccessibleName(self.t("language.button", name=language.name))
                button.setCheckable(True)
                button.setChecked(language.key == chosen)
                button.tapped.connect(lambda key=language.key: self.shell.set_language(key))
                self.language_row.insertWidget(len(self.language_buttons), button)
                button.show()  # added to a screen that may already be on show
                self.language_buttons[language.key] = button
        for key, button in self.language_buttons.items():
            button.set_chosen(key == chosen, "nav_selected", "nav")

    def show_voice_entry(self, visible: bool) -> None:
        """声音 (how loud, how fast): only where there is a voice to change."""
        self.voice_button.setVisible(visible)

    def show_text_size(self, chosen: str) -> None:
        for size, button in self.size_buttons.items():
            button.set_chosen(size == chosen, "nav_selected", "nav")

    def enter(self) -> None:
        self._clear_digits()
        if self.notice:  # e.g. 已经退出 after the idle sign-out, said before the prompt
            self.show_message(self.notice, "status_wait", spoken=False)
            self.notice_timer.start()

    def prompt(self) -> str:
        return " ".join(part for part in (self.notice, self.t("home.prompt")) if part)

    def forget_typed(self) -> None:
        """Nobody has tapped for a while: half a card number and old messages go."""
        self._clear_digits()
        self.hide_message()

    def clear(self) -> None:
        super().clear()
        self._clear_digits()

    def show_message(self, text: str, role: str = "message", spoken: bool = True) -> None:
        # The message says what to do now, in the instruction's place: at 超大 on a small
        # screen there is no room for both beside the keypad.
        self.instruction.hide()
        if spoken:
            super().show_message(text, role)
            return
        set_message_role(self.message, role)  # said with the prompt instead
        self.message.setText(text)
        self.message.setAccessibleName(text)
        self.message.show()

    def hide_message(self) -> None:
        super().hide_message()
        self.instruction.show()
        self.notice = ""
        self.notice_timer.stop()

    def show_sync_line(self, text: str) -> None:
        self.sync_line.setText(text)
        self.sync_line.setAccessibleName(text)
        self.sync_line.setVisible(bool(text))

    def show_identification_error(self, message_key: str) -> None:
        self._clear_digits()
        self.show_message(f"{self.t(message_key)}\n{self.t('error.ask_staff')}")

    def _digit(self, digit: str) -> None:
        self.hide_message()
        if len(self._digits) < min(MAX_TYPED_DIGITS, MAX_INPUT):
            self._digits += digit
        self._show_digits()

    def _delete_digit(self) -> None:
        self._digits = self._digits[:-1]
        self._show_digits()

    def _clear_digits(self) -> None:
        self._digits = ""
        self._show_digits()

    def _show_digits(self) -> None:
        shown = self._digits or self.t("home.card_empty")
        self.display.setText(shown)
        # A long number steps down to body text (still the chosen size) rather than clip.
        role = "display"
        if self._digits:
            from PySide6.QtGui import QFont, QFontMetrics  # not before the first frame

            font = QFont(self.display.font())
            font.setPixelSize(self.shell.metrics.huge_font)  # the text size chosen now
            room = self.display.contentsRect().width() - 2 * self.metrics.gap
            if QFontMetrics(font).horizontalAdvance(shown) > room:
                role = "display_long"
        if self.display.property("role") != role:
            restyle(self.display, role)
        self.display.setAccessibleName(f"{self.t('home.card_label')} {shown}")

    def _submit(self) -> None:
        if not self._digits:
            self.show_message(self.t("home.instruction"))
            return
        self.shell.identify(self._digits)
