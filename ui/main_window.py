"""The kiosk window: shows one screen at a time and moves between them as kiosk/flow.py says."""
from __future__ import annotations

import importlib
import logging

from PySide6.QtWidgets import QApplication, QMainWindow, QStackedWidget

from kiosk import flow
from kiosk.core import Kiosk
from kiosk.errors import KnownError
from kiosk.languages import offered
from ui.card_reader import CardReader
from ui.idle import IdleWatch
from ui.screens.base import Screen
from ui.speaker import SilentSpeaker
from ui.staff import STAFF_SCREENS
from ui.staff.mode import StaffMode
from ui.theme import Metrics, stylesheet

log = logging.getLogger(__name__)

# Screen modules are imported when first shown, so start-up only pays for the home screen.
SCREENS: dict[str, str] = {
    "home": "ui.screens.home:HomeScreen",
    "services": "ui.screens.services:ServicesScreen",
    "meal_day": "ui.screens.meal_day:MealDayScreen",
    "meal_choice": "ui.screens.meal_choice:MealChoiceScreen",
    "meal_menu": "ui.screens.meal_menu:MealMenuScreen",
    "meal_mode": "ui.screens.meal_mode:MealModeScreen",
    "meal_confirm": "ui.screens.meal_confirm:MealConfirmScreen",
    "receipt": "ui.screens.receipt:ReceiptScreen",
    "cleaning_day": "ui.screens.cleaning_day:CleaningDayScreen",
    "cleaning_window": "ui.screens.cleaning_window:CleaningWindowScreen",
    "cleaning_kind": "ui.screens.cleaning_kind:CleaningKindScreen",
    "cleaning_needs": "ui.screens.cleaning_needs:CleaningNeedsScreen",
    "cleaning_confirm": "ui.screens.cleaning_confirm:CleaningConfirmScreen",
    "medical": "ui.screens.medical:MedicalScreen",
    "clinic_department": "ui.screens.clinic_department:ClinicDepartmentScreen",
    "clinic_day": "ui.screens.station_day:ClinicDayScreen",
    "clinic_time": "ui.screens.clinic_time:ClinicTimeScreen",
    "home_visit_day": "ui.screens.station_day:HomeVisitDayScreen",
    "health_check_day": "ui.screens.station_day:HealthCheckDayScreen",
    "medical_confirm": "ui.screens.medical_confirm:MedicalConfirmScreen",
    "my_bookings": "ui.screens.my_bookings:MyBookingsScreen",
    "booking_cancel": "ui.screens.booking_cancel:BookingCancelScreen",
    "rating": "ui.screens.rating:RatingScreen",
    "rating_reasons": "ui.screens.rating_reasons:RatingReasonsScreen",
    "complaint": "ui.screens.complaint:ComplaintScreen",
    "help": "ui.screens.help:HelpScreen",
    "voice": "ui.screens.voice:VoiceScreen",
}
SCREENS.update(STAFF_SCREENS)


def screen_class(name: str) -> type[Screen]:
    module, _, cls = SCREENS[name].partition(":")
    return getattr(importlib.import_module(module), cls)


class KioskWindow(QMainWindow):
    def __init__(self, core: Kiosk, metrics: Metrics, speaker=None, listen: bool = True) -> None:
        super().__init__()
        self.core = core
        self.metrics = metrics
        self.speaker = speaker or SilentSpeaker()
        self.setWindowTitle(core.text("app.title"))
        self.stack = QStackedWidget()
        self.setCentralWidget(self.stack)
        self.sync = None  # a ui.sync_bridge.SyncBridge once the kiosk syncs with a platform
        self._hears_help = False
        self.screens: dict[str, Screen] = {}
        self.history: list[str] = []
        self.card_reader = CardReader(core.clock, self)
        self.card_reader.scanned.connect(self.identify)
        self.idle = IdleWatch(self, self)
        self.staff_mode = StaffMode(self)  # staff (社工) signed in, their idle sign-out
        if listen:
            self.listen()
        self.show_screen(flow.HOME)
        self.refresh_languages()

    def listen(self) -> None:
        """From now on the card reader, idle watch and staff mode see every input event. The
        kiosk calls this right after its first frame (ui/app.py): the first event that reaches
        an application-wide Python filter costs tens of milliseconds in PySide6 (it builds
        every QtCore enum), which the first frame need not wait for."""
        app = QApplication.instance()
        for watcher in (self.card_reader, self.idle, self.staff_mode):
            app.installEventFilter(watcher)

    def attach_sync(self, bridge) -> None:
        self.sync = bridge
        bridge.status_changed.connect(lambda _status: self.refresh_sync_line())
        bridge.finished.connect(self.synced)
        if not self._hears_help:  # once, though sync may be handed to another platform
            self.core.help.answered.connect(self._help_answered)
            self._hears_help = True
        self.refresh_sync_line()

    def synced(self, _result) -> None:
        """A sync cycle ended: what it pulled (even pages of a cycle that failed later) may
        answer a help request asked here; the help screen listens to core.help.answered, and
        says so if what it pushed brought a call to the platform's duty social workers."""
        self.core.help.look_again()
        screen = self.screens.get("help")
        if screen is not None and screen is self.current:
            screen.delivered()

    def _help_answered(self, request) -> None:
        """Staff are coming (or came): the help screen says so if it still shows the call."""
        screen = self.screens.get("help")
        if screen is not None and screen is self.current:
            screen.answered(request)

    def refresh_sync_line(self) -> None:
        self.screen(flow.HOME).show_sync_line(self.core.sync_line())

    def action_done(self) -> None:
        """After anything an elder or staff did: tell sync at once, so it is pushed soon."""
        self.staff_mode.action_done()
        if self.sync is not None:
            self.sync.nudge()
        self.refresh_sync_line()

    # --- what screens call -------------------------------------------------------------
    def answer(self, answer: str) -> None:
        following = flow.next_screen(self.current.name, answer)
        if following == flow.HOME:
            self.go_home()
        else:
            self.show_screen(following)

    def back(self) -> None:
        if len(self.history) > 1:
            self.history.pop()
            previous = self.history.pop()
            # one-time questions and done confirms (rating, cancel, help) are gone past
            while self.history and getattr(self.screens.get(previous), "skip_on_back", False):
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
        due = self.core.ratings.due(elder.id)  # a done service not yet rated: ask once
        self.core.session.feedback.booking = due
        self.answer("rate" if due is not None else "identified")

    def ask_help(self) -> None:
        """The 求助 button of every screen: one confirm, then staff are told."""
        if self.current.name != "help":
            self.show_screen("help")

    def set_speaker(self, speaker) -> None:
        """The real voice, once the first frame is up; the home screen then offers the
        languages it has voices for."""
        self.speaker.close()
        self.speaker = speaker
        if hasattr(speaker, "add_listener"):
            from ui.speech_bridge import SpeechBridge

            self.speech_bridge = SpeechBridge(speaker, self)
            self.speech_bridge.engine_changed.connect(self.refresh_languages)
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
        refit = getattr(self.current, "refit", None)
        if refit is not None:
            refit()
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
        name = self.staff_mode.gate(name)
        if name not in flow.PUBLIC and not self.core.session.signed_in \
                and name not in STAFF_SCREENS:
            name = flow.HOME
        leaving = self.stack.currentWidget()
        if leaving is not None and hasattr(leaving, "leave"):
            leaving.leave()
        screen = self.screen(name)
        try:
            screen.enter()
        except KnownError as error:
            log.warning("screen %s could not open: %s", name, type(error).__name__)
            self.go_home()
            self.screen(flow.HOME).show_message(self.core.text(error.message_key))
            return
        session = self.core.session
        acting = session.staff_id is not None and session.elder is not None \
            and name not in STAFF_SCREENS
        screen.show_acting_for(session.elder.name if acting else "")
        self.history.append(name)
        self.stack.setCurrentWidget(screen)
        self.speak(screen.prompt())
