"""A real kiosk window (offscreen) on a real store, tapped by visible text."""
from __future__ import annotations

from contextlib import contextmanager

import pytest
from PySide6.QtCore import QEvent, QPoint, Qt
from PySide6.QtWidgets import QApplication, QLabel

from kiosk.config import load_settings
from kiosk.core import Kiosk
from kiosk.i18n import DEFAULT_LANGUAGE
from ui.main_window import KioskWindow
from ui.speaker import SilentSpeaker
from ui.theme import Metrics, stylesheet
from ui.widgets import BigButton

WINDOW = (1280, 800)
LANGUAGES = (DEFAULT_LANGUAGE, "en")  # English words are much wider than Chinese ones


class RecordingSpeaker(SilentSpeaker):
    def __init__(self) -> None:
        self.said: list[str] = []

    def say(self, text: str) -> None:
        self.said.append(text)


class VoiceStandIn(RecordingSpeaker):
    """What the window sees of a ready speech engine with Mandarin, Cantonese and English
    voices (kiosk.speech.SpeechService's public surface), recording what it is asked to say.
    The real service is tested on its own and with the window in test_sound_choice.py."""

    languages = ("zh_CN", "yue", "en")
    available = True

    def __init__(self) -> None:
        super().__init__()
        self.voice = "zh_CN"
        self.reset_session()

    def set_language(self, voice: str) -> None:
        self.voice = voice

    def set_volume(self, volume: float) -> None:
        self.volume = volume

    def set_rate(self, rate: int) -> None:
        self.rate = rate

    def set_muted(self, muted: bool) -> None:
        self.muted = muted

    @property
    def changed_this_session(self) -> bool:
        return self.muted or (self.volume, self.rate) != (1.0, 150)

    def reset_session(self) -> None:
        self.volume, self.rate, self.muted = 1.0, 150, False


@pytest.fixture
def language() -> str:
    """The kiosk's default language: Chinese unless a test parametrizes `language`."""
    return DEFAULT_LANGUAGE


@pytest.fixture
def gui_settings(tmp_path, language):
    return load_settings(tmp_path / "none.toml", data_dir=tmp_path / "data",
                         receipt_timeout_s=2, screen_diagonal_inch=15.6, language=language)


@pytest.fixture
def speaker():
    return RecordingSpeaker()


@contextmanager
def shown_window(qtbot, core: Kiosk, speaker):
    """The window on `core` at the reference size, shown; afterwards its filters removed, the
    window deleted and the core closed."""
    metrics = Metrics.for_screen(*WINDOW, core.settings.screen_diagonal_inch)
    QApplication.instance().setStyleSheet(stylesheet(metrics))
    win = KioskWindow(core, metrics, speaker)
    qtbot.addWidget(win)
    win.resize(*WINDOW)
    win.show()
    qtbot.waitExposed(win)
    try:
        yield win
    finally:
        win.sync.stop()  # a worker a test started, or staff enrolment did
        win.stop_listening()
        discard(win)
        core.close()


@pytest.fixture
def window(qtbot, gui_settings, clock, speaker):
    core = Kiosk(gui_settings, clock=clock)
    core.seed_demo_if_empty()
    with shown_window(qtbot, core, speaker) as win:
        yield win


def sync_cycle(check=lambda result: True):
    """For qtbot.waitSignal(win.post.arrived, check_params_cb=...): the news that a sync cycle
    ended, with a result (kiosk.sync.engine.SyncResult) that passes `check`."""
    return lambda news: news.kind == "sync.finished" and check(news.payload.result)


def cycle_ended(win, result=None) -> None:
    """The sync worker's news that a cycle ended, as it reaches the window (at once: posted
    on the GUI thread)."""
    from kiosk.events import News
    from kiosk.sync.worker import SyncEvent

    win.post.post(News("sync.finished", SyncEvent("finished", result)))


def discard(win) -> None:
    """Delete the window now: closed windows left alive are restyled by every later test's
    stylesheet change, and the suite slows down test after test."""
    win.close()
    win.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)


def visible_buttons(win) -> list[BigButton]:
    return [b for b in win.findChildren(BigButton) if b.isVisibleTo(win) and b.isVisible()]


def visible_texts(win) -> list[str]:
    widgets = win.findChildren(QLabel) + win.findChildren(BigButton)
    return [w.text() for w in widgets if w.isVisible() and w.text()]


def find_button(win, text: str) -> BigButton:
    """The one visible button whose whole text, first line, or (failing those) part says `text`."""
    buttons = visible_buttons(win)
    for match in (lambda b: b.text() == text,
                  lambda b: b.text().split("\n")[0] == text,
                  lambda b: text in b.text()):
        found = [b for b in buttons if match(b)]
        if found:
            assert len(found) == 1, f"{len(found)} buttons say {text!r}"
            return found[0]
    raise AssertionError(f"no visible button says {text!r}; there are "
                         f"{[b.text() for b in buttons]}")


def tap(qtbot, win, text: str) -> None:
    button = find_button(win, text)
    button._last_tap = -1e9  # taps in a test come faster than a tremor guard allows
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton, pos=QPoint(button.width() // 2,
                                                                   button.height() // 2))


def tap_key(qtbot, win, key: str, **params: object) -> None:
    """Tap the button that says message `key` in the window's own language (tap() by its text)."""
    tap(qtbot, win, win.core.text(key, **params))


def tap_service(qtbot, win, key: str) -> None:
    """Tap the tile of a service by its catalogue name in the window's own language, turning
    the services screen's pages to it."""
    from kiosk import catalogue

    text = win.core.text("service.my_bookings") if key == "my_bookings" else \
        catalogue.entry(win.core.store, key).name(win.core.text.language)
    for _ in range(3):  # the services screen pages its tiles (four a page at 超大)
        if any(b.text().split("\n")[0] == text for b in visible_buttons(win)):
            break
        tap_key(qtbot, win, "page.next")
    tap(qtbot, win, text)


def type_card(qtbot, win, digits: str) -> None:
    for digit in digits:
        tap(qtbot, win, digit)
    tap_key(qtbot, win, "home.key.ok")  # 确定


def screen_says(win, text: str) -> bool:
    return any(text in shown for shown in visible_texts(win))
