"""Pinyin on the staff keyboard: the letters typed into a Chinese field (a name, an address)
wait in a row of candidates, most used first, until one is tapped; a physical keyboard typing
into those fields gets the same row. The dictionary is an index file read a few pages a tap
(kiosk.pinyin_index); where there is none yet, another process builds it while the letters
wait, offered as they are."""
from __future__ import annotations

import logging

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLineEdit, QSizePolicy, QWidget

from kiosk import pinyin_index
from kiosk.pinyin_input import Candidate, Composition, PinyinDictionary
from ui.background import BackgroundJob
from ui.widgets import BigButton, label

log = logging.getLogger(__name__)

LETTERS = frozenset("abcdefghijklmnopqrstuvwxyz")
PICK_KEYS = {getattr(Qt.Key, f"Key_{n}"): n - 1 for n in range(1, 10)}  # 1-9: the nth shown


class CandidateBar(QWidget):
    """The pinyin typed so far, then as many candidates as fit its width, with ◀ ▶ for more."""

    picked = Signal(object)  # the Candidate tapped

    def __init__(self, t, gap: int) -> None:
        super().__init__()
        self.t = t
        self.row = QHBoxLayout(self)
        self.row.setContentsMargins(0, 0, 0, 0)
        self.row.setSpacing(gap)
        self.letters = label("", wrap=False)
        self.row.addWidget(self.letters)
        self.buttons: list[BigButton] = []
        self.row.addStretch(1)
        self.previous = self._arrow("staff.ime.previous", -1)
        self.following = self._arrow("staff.ime.next", 1)
        # Never wider than the keyboard under it: candidates are paged to the width there is.
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.candidates: list[Candidate] = []
        self.starts = [0]
        self.page = 0

    def _arrow(self, key: str, step: int) -> BigButton:
        button = BigButton(self.t(key), "nav", repeat_ms=0)
        button.setAccessibleName(self.t(f"{key}_name"))
        policy = QSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        policy.setRetainSizeWhenHidden(True)  # hidden where there is no page that way: in place
        button.setSizePolicy(policy)
        button.tapped.connect(lambda: self.turn(step))
        self.row.addWidget(button)
        return button

    def sizeHint(self):  # noqa: N802 (Qt naming)
        hint = super().sizeHint()
        hint.setHeight(self.previous.sizeHint().height())
        return hint

    def show_typed(self, letters: str, candidates: list[Candidate], note: str = "") -> None:
        self.letters.setText(note or letters)
        self.letters.setAccessibleName(note or self.t("staff.ime.pinyin", letters=letters))
        self.candidates = candidates
        self.page = 0
        self._paginate()

    def shown(self) -> list[Candidate]:
        end = self.starts[self.page + 1] if self.page + 1 < len(self.starts) \
            else len(self.candidates)
        return self.candidates[self.starts[self.page]:end]

    def turn(self, step: int) -> None:
        self.page = min(max(0, self.page + step), len(self.starts) - 1)
        self._show()

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt naming)
        super().resizeEvent(event)
        first = self.starts[self.page] if self.candidates else 0
        self._paginate(first)

    def _paginate(self, first: int = 0) -> None:
        """As many candidates to a page as fit beside the letters and the arrows."""
        gap = self.row.spacing()
        room = self.width() - self.letters.sizeHint().width() - gap \
            - 2 * (self.previous.sizeHint().width() + gap)
        self.starts, used = [0], 0
        for index, candidate in enumerate(self.candidates):
            width = self._button(index, candidate).sizeHint().width() + gap
            if used and used + width > room:
                self.starts.append(index)
                used = 0
            used += width
        self.page = max(i for i, start in enumerate(self.starts) if start <= first)
        self._show()

    def _button(self, index: int, candidate: Candidate) -> BigButton:
        while len(self.buttons) <= index:
            made = len(self.buttons)  # button i shows candidate i, on whichever page
            button = BigButton("", "nav", repeat_ms=0)  # 哈哈, 王王: the same word twice
            button.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
            button.tapped.connect(lambda i=made: self._tapped(i))
            self.row.insertWidget(1 + made, button)
            button.hide()
            self.buttons.append(button)
        button = self.buttons[index]
        button.setText(candidate.text)
        button.setAccessibleName(self.t("staff.ime.candidate", text=candidate.text))
        button.ensurePolished()
        return button

    def _show(self) -> None:
        start = self.starts[self.page]
        end = start + len(self.shown())
        for index, button in enumerate(self.buttons):
            button.setVisible(start <= index < end)
        self.previous.setVisible(self.page > 0)
        self.following.setVisible(self.page < len(self.starts) - 1)

    def _tapped(self, index: int) -> None:
        if index < len(self.candidates):
            self.picked.emit(self.candidates[index])


class PinyinInput(QObject):
    """Between the keyboard (on screen or physical) and the fields: letters typed into a
    Chinese field gather in the candidate bar; a candidate tapped goes into the field; a digit,
    a symbol or leaving the field first puts the first candidates in."""

    def __init__(self, t, target, chinese: list[QLineEdit], bar: CandidateBar,
                 toggle: BigButton | None = None) -> None:
        super().__init__(bar)
        self.t = t
        self.target = target  # ui.staff.base.KeyboardTarget: the field being typed into
        self.chinese = chinese
        self.bar = bar
        self.toggle = toggle
        self.on = True
        self.composition = Composition()
        self.unavailable = False
        self.build = BackgroundJob("pinyin-index", self)  # it only waits for the build process
        self.build.succeeded.connect(lambda _built: self.refresh())
        self.build.failed.connect(self._not_built)
        bar.picked.connect(self.pick)
        for edit in chinese:
            edit.installEventFilter(self)
        if toggle is not None:
            toggle.tapped.connect(self.switch)
        self._show_toggle()

    @property
    def composing(self) -> bool:
        return bool(self.composition.letters)

    def active(self) -> bool:
        return self.on and not self.unavailable and self.target.current in self.chinese

    # --- the on-screen keyboard ------------------------------------------------------
    def key(self, char: str) -> None:
        if char in LETTERS and self.active():
            self.composition.type(char)
            self.refresh()
            return
        self.settle()
        self.target.key(char)

    def delete(self) -> None:
        if self.composing:
            self.composition.backspace()
            self.refresh()
        else:
            self.target.delete()

    def clear(self) -> None:
        self.composition.clear()
        self.refresh()
        self.target.clear()

    def switch(self) -> None:
        """中 / 英: pinyin, or the letters themselves (a block's letter, a foreign name)."""
        self.settle()
        self.on = not self.on
        self._show_toggle()

    def _show_toggle(self) -> None:
        if self.toggle is None:
            return
        self.toggle.setText(self.t("staff.ime.chinese" if self.on else "staff.ime.latin"))
        self.toggle.setAccessibleName(self.t("staff.ime.name",
                                             state=self.t("staff.on" if self.on else "staff.off")))
        self.toggle.set_role("staff_chip_on" if self.on else "staff_chip")

    # --- candidates ------------------------------------------------------------------
    def pick(self, candidate: Candidate) -> None:
        edit = self.target.current
        if edit is not None and self.composing:
            edit.insert(self.composition.pick(candidate))
        self.refresh()

    def settle(self, edit: QLineEdit | None = None) -> None:
        """Whatever pinyin waits goes in as its first candidates."""
        edit = edit or self.target.current
        if self.composing and edit is not None:
            edit.insert(self.composition.settle(PinyinDictionary.shared()))
        self.composition.clear()
        self.refresh()

    def reset(self) -> None:
        self.composition.clear()
        self.on = True
        self._show_toggle()
        self.refresh()

    def refresh(self) -> None:
        letters = self.composition.letters
        if not letters:
            self.bar.show_typed("", [])
            return
        try:
            dictionary = self._dictionary()
            if dictionary is None:  # being built: meanwhile the letters as they are
                self.bar.show_typed(letters, [Candidate(letters, "")],
                                    self.t("staff.ime.loading"))
                return
            candidates = self.composition.candidates(dictionary)
        except Exception:  # a broken install: letters still type, as they did before
            log.exception("pinyin dictionary could not be read")
            self._letters_only()
            return
        self.bar.show_typed(letters, candidates)

    def _dictionary(self) -> PinyinDictionary | None:
        """The index, or None while another process builds it (started here, once)."""
        found = PinyinDictionary.shared()
        if found is None:
            self.build.start(pinyin_index.build_apart)  # nothing new while it runs
        return found

    def _not_built(self, error: Exception) -> None:
        log.error("pinyin index not built: %s", getattr(error, "stderr", None) or error)
        self._letters_only()

    def _letters_only(self) -> None:
        self.unavailable = True
        if self.composing:
            self.target.key(self.composition.letters)
        self.composition.clear()
        self.bar.show_typed("", [], self.t("staff.ime.unavailable"))

    # --- a physical keyboard -----------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt naming)
        kind = event.type()
        if kind == QEvent.Type.FocusOut and self.composing and watched is self.target.current:
            self.settle(watched)
        elif kind == QEvent.Type.KeyPress and watched is self.target.current:
            return self._typed(event)
        return False

    def _typed(self, event) -> bool:
        """Letters gather as pinyin; while some wait, Space takes the first candidate, 1-9
        the one with that place in the row, Enter the letters as they are, Esc drops them."""
        if event.modifiers() & ~(Qt.KeyboardModifier.KeypadModifier
                                 | Qt.KeyboardModifier.ShiftModifier):
            return False  # shortcuts: Ctrl+A, Ctrl+V …
        text, key = event.text(), event.key()
        if text in LETTERS and self.active():
            self.key(text)
            return True
        if not self.composing:
            return False
        if key == Qt.Key.Key_Backspace:
            self.delete()
        elif key == Qt.Key.Key_Escape:
            self.composition.clear()
            self.refresh()
        elif key == Qt.Key.Key_Space:
            shown = self.bar.shown()
            if shown:
                self.pick(shown[0])
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.target.current.insert(self.composition.letters)
            self.composition.clear()
            self.refresh()
        elif key in PICK_KEYS:
            shown = self.bar.shown()
            if PICK_KEYS[key] < len(shown):
                self.pick(shown[PICK_KEYS[key]])
        else:
            self.settle()  # a comma, a digit 0 …: the pinyin first, then the key itself
            return False
        return True
