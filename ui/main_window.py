"""The kiosk window: shows one screen at a time and moves between them as kiosk/flow.py says;
hears background news (sync, speech, help) through one GuiPost."""
from __future__ import annotations

import importlib
import logging
from pathlib import Path

from PySide6.QtWidgets import QApplication, QMainWindow, QStackedWidget

from kiosk import flow
from kiosk.core import Kiosk
from kiosk.errors import KnownError
from kiosk.events import News
from kiosk.languages import offered
from kiosk.screens import SCREENS
from ui.gui_post import GuiPost
from ui.idle import IdleWatch
from ui.input_watch import InputWatch
from ui.screens.base import Screen
from ui.speaker import SilentSpeaker
from ui.staff.mode import StaffMode
from ui.theme import Metrics, add_kiosk_fonts, stylesheet

log = logging.getLogger(__name__)

# kiosk.speech_worker READY, RESTARTED, UNAVAILABLE (not imported before the first frame)
SPEECH_ENGINE_NEWS = {"speech.ready", "speech.restarted", "speech.unavailable"}


def screen_class(name: str) -> type[Screen]:
    """The class of a screen of kiosk/screens.py's table, its module imported on first use,
    so start-up only pays for the home screen."""
    module, _, cls = SCREENS[name].cls.partition(":")
    return getattr(importlib.import_module(module), cls)


class KioskWindow(QMainWindow):
    def __init__(self, core: Kiosk, metrics: Metrics, speaker=None, listen: bool = True, *,
                 post: GuiPost | None = None, config_path: Path | None = None) -> None:
        """`post` carries background news here (one is made if not given), `config_path` the
        settings file staff screens save to (None: the default place)."""
        super().__init__()
        add_kiosk_fonts()
        self.core = core
        self.metrics = metrics
        self.speaker = speaker or SilentSpeaker()
        self.config_path = config_path
        self.post = post or GuiPost()
        self.post.setParent(self)
        self._sync = None  # made when first used: see `sync`
        self.setWindowTitle(core.text("app.title"))
        self.stack = QStackedWidget()
        self.setCentralWidget(self.stack)
        self.screens: dict[str, Screen] = {}
        self.history: list[str] = []
        self.card_reader = None  # made by listen(), once the first frame is up
        self.input_watch: InputWatch | None = None
        self.idle = IdleWatch(self, self)
        self.staff_mode = StaffMode(self)  # staff (社工) signed in, their idle sign-out
        if listen:
            self.listen()
        self.show_screen(flow.HOME)
        self.refresh_languages()
        self.post.arrived.connect(self.hear)
        self.speaker.add_listener(self._speech_news)

    def listen(self) -> None:
        """From now on the card reader, idle watch and staff mode see every input event. The
        kiosk calls this right after its first frame (ui/app.py): the first event that reaches
        an application-wide Python filter costs tens of milliseconds in PySide6 (it builds
        every QtCore enum), which the first frame need not wait for."""
        if self.card_reader is None:
            from ui.card_reader import CardReader  # its Qt key names cost the first frame

            self.card_reader = CardReader(self.core.clock, self)
            self.card_reader.scanned.connect(self.identify)
            # staff mode and the idle watch note every tap; the card reader may take a key
            self.input_watch = InputWatch((self.staff_mode, self.idle, self.card_reader), self)
        QApplication.instance().installEventFilter(self.input_watch)

    def stop_listening(self) -> None:
        """Taps and keys no longer reach the card reader, idle watch and staff mode."""
        if self.card_reader is not None:
            QApplication.instance().removeEventFilter(self.input_watch)

    def hear(self, news: News) -> None:
        """News from background work, on the GUI thread; the screen on show hears it too."""
        if news.kind == "sync.finished":
            # What it pulled (even pages of a cycle that failed later) may answer a help
            # request asked here: the help screen says so, before it says the call arrived.
            for request in self.core.help.look_again():
                self.post.post(News("help.answered", request))
        elif news.kind in SPEECH_ENGINE_NEWS:
            self.refresh_languages()
        self.current.hear(news)
        if news.kind == "sync.finished":
            self.refresh_sync_line()

    def _speech_news(self, event) -> None:
        """Called on the speech service's thread."""
        self.post.post(News(f"speech.{event.kind}", event))

    @property
    def sync(self):
        """The link to background sync (ui.sync_link.SyncLink), made when first used: ui/app.py
        starts it right after the first frame, which need not wait for its module, thread
        event and jobs. Until started it syncs nothing."""
        if self._sync is None:
            from ui.sync_link import SyncLink

            self._sync = SyncLink(self.core.clock, self.post, self)
        return self._sync

    def stop_sync(self) -> None:
        """At shutdown: a sync worker, if one was started, finishes its cycle and stops."""
        if self._sync is not None:
            self._sync.stop()

    def refresh_sync_line(self) -> None:
        self.screen(flow.HOME).show_sync_line(self.core.sync_line())

    def action_done(self) -> None:
        """After anything an elder or staff did: tell sync at once, so it is pushed soon."""
        self.staff_mode.action_done()
        if self._sync is not None:  # none made: no sync to tell (a demo kiosk)
            self._sync.nudge()
        self.refresh_sync_line()

    # --- what screens call -------------------------------------------------------------
    def answer(self, answer: str) -> None:
        following = flow.next_screen(self.current.name, answer)
        if following == flow.HOME:
            self.go_home()
        else:
            self.show_screen(following)

    def answer_done(self, answer: str) -> None:
        """Answer at the end of a flow that is done (a complaint sent): 返回 from the screen
        that follows does not walk back into the flow."""
        following = flow.next_screen(self.current.name, answer)
        if following in self.history:
            del self.history[self.history.index(following):]
        self.answer(answer)

    def back(self) -> None:
        if len(self.history) > 1:
            self.history.pop()
            previous = self.history.pop()
            # one-time questions and done confirms (rating, cancel, help) are gone past
            while self.history and screen_class(previous).skip_on_back:
                previous = self.history.pop()
            if previous != flow.HOME:
                self.show_screen(previous)
                return
        self.go_home()

    def go_home(self, notice: str = "") -> None:
        """Home is sign-out: the elder's session and every screen's content are cleared. The
        elders' home shows `notice` (a message key) for a while: why they were signed out."""
        signed_out = self.core.session.signed_in
        self.core.session.clear()
        if signed_out:
            self.speaker.reset_session()
            self.reset_choices()
        for screen in self.screens.values():
            screen.clear()
        self.history.clear()
        if notice and self.staff_mode.home_screen() == flow.HOME:
            self.screen(flow.HOME).notice = self.core.text(notice)
        self.show_screen(self.staff_mode.home_screen())  # staff helping: back to staff home

    def identify(self, raw_input: str) -> None:
        if self.staff_mode.take_scan(raw_input):
            return
        from kiosk.elders import find_by_card  # not before the first frame: ui/app.py warm_up

        try:
            elder = find_by_card(self.core.store, raw_input)
        except KnownError as error:
            self.go_home()
            self.screen(flow.HOME).show_identification_error(error.message_key)
            return
        self.go_home()
        self.core.session.sign_in(elder)
        self.idle.restart()
        # told once on the services screen: a waiting-list place came, signed in at the door
        self.core.session.news = self.core.sign_in_news(elder)
        if self.core.session.news:
            self.action_done()  # a sign-in at the door is on its way to the platform
        due = self.core.ratings.due(elder.id)  # a done service not yet rated: ask once
        self.core.session.feedback.booking = due
        # a complaint of hers resolved: its answer first, once; the rating after it
        self.core.session.answer_back = self.core.complaint_answer(elder)
        if self.core.session.answer_back is not None:
            self.answer("answer_back")
            return
        self.answer("rate" if due is not None else "identified")

    def ask_help(self) -> None:
        """The 求助 button of every screen: one confirm, then staff are told."""
        if self.current.name != flow.HELP:
            self.show_screen(flow.HELP)

    def set_speaker(self, speaker) -> None:
        """The real voice, once the first frame is up; the home screen then offers the
        languages it has voices for."""
        self.speaker.close()
        self.speaker = speaker
        speaker.add_listener(self._speech_news)
        speaker.set_language(self.core.language.voice)
        self.refresh_languages()

    def refresh_languages(self) -> None:
        """The home screen's language choices and its 声音 button, by what the engine has."""
        home = self.screen(flow.HOME)
        home.show_languages(offered(self.speaker.languages), self.core.language.key)
        home.show_voice_entry(self.speaker.available)

    def set_language(self, key: str) -> None:
        """The elder's language for screens and voice, in one tap on the home screen; the home
        prompt is said again in it. Sign-out goes back to the default."""
        if key == self.core.language.key:
            return
        self._apply_language(key)
        self.history.clear()
        self.show_screen(flow.HOME)

    def reset_choices(self) -> bool:
        """The default text size, language and voice again (sign-out, staff sign-in, or
        nobody at the kiosk); True if any had been changed."""
        settings = self.core.settings
        voice_changed = self.speaker.changed_this_session
        if voice_changed:
            self.speaker.reset_session()
        if (self.metrics.text_size, self.core.language.key) == (settings.text_size,
                                                                settings.language):
            return voice_changed
        self.set_text_size(settings.text_size)
        if self.core.language.key != settings.language:
            self._apply_language(settings.language)
        return True

    def _apply_language(self, key: str) -> None:
        shown_in = self.core.text.language
        self.speaker.set_language(self.core.set_language(key).voice)
        if self.core.text.language != shown_in:
            self._rebuild_screens()
        self.refresh_languages()

    def _rebuild_screens(self) -> None:
        """Screens hold their text: after a change of language they are built again, lazily;
        the one on show is built at once and stays on show (its caller may still answer)."""
        showing = self.current.name
        for screen in self.screens.values():
            self.stack.removeWidget(screen)
            screen.hide()
            screen.deleteLater()
        self.screens.clear()
        self.stack.setCurrentWidget(self.screen(showing))
        self.idle.forget_warning()
        self.setWindowTitle(self.core.text("app.title"))
        self.refresh_sync_line()

    def set_text_size(self, size: str) -> None:
        """Bigger or smaller text for everything, at once; sign-out goes back to the default."""
        if size == self.metrics.text_size:
            return
        self.metrics = self.metrics.with_text_size(size)
        QApplication.instance().setStyleSheet(
            stylesheet(self.metrics, self.core.settings.high_contrast))
        # Every widget is restyled by now: a paged staff screen pages itself again at once,
        # before a layout request can grow the window for the pages it showed at the old size.
        self.current.refit()
        self.screen(flow.HOME).show_text_size(size)

    def speak(self, text: str) -> None:
        if text:
            self.speaker.say(text)

    def repeat_prompt(self) -> None:
        """再听一遍: asking to hear it again turns a muted voice back on."""
        if self.speaker.muted:
            self.speaker.set_muted(False)
        self.speak(self.current.prompt())

    # --- screens -------------------------------------------------------------------------
    @property
    def current(self) -> Screen:
        return self.stack.currentWidget()

    def screen(self, name: str) -> Screen:
        """Screens are built on first use and kept, so a tap only refreshes one."""
        if name not in self.screens:
            screen = screen_class(name)(self)
            self.screens[name] = screen
            self.stack.addWidget(screen)
        return self.screens[name]

    def show_screen(self, name: str) -> None:
        session = self.core.session
        if not flow.may_see(name, session.signed_in, self.staff_mode.signed_in):
            name = flow.HOME
        leaving = self.stack.currentWidget()
        if leaving is not None:
            leaving.leave()
        screen = self.screen(name)
        try:
            screen.enter()
        except KnownError as error:
            log.warning("screen %s could not open: %s", name, type(error).__name__)
            self.go_home()
            self.screen(flow.HOME).show_message(self.core.text(error.message_key))
            return
        acting = session.staff_id is not None and session.elder is not None \
            and not flow.staff_side(name)
        screen.show_acting_for(session.elder.name if acting else "")
        self.history.append(name)
        self.stack.setCurrentWidget(screen)
        self.speak(screen.prompt())
