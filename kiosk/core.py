"""The kiosk core as the screens see it: settings, store, clock, text and the booking rules."""
from __future__ import annotations

import logging
from functools import cached_property
from typing import TYPE_CHECKING

from kiosk.clock import Clock
from kiosk.i18n import Translator
from kiosk.languages import Language, language
from kiosk.session import Session
from kiosk.store import Store

log = logging.getLogger(__name__)

# The screens' own connection keeps at most this much of the file in the kiosk's memory: a tap
# reads a few pages, a staff search a few hundred (some 1.3 MB kept with SQLite's default
# 2 MB), and what is not kept is read again from the operating system's cache of the file,
# which costs no resident memory (a keystroke's search no slower, measured at 20,000 elders).
SCREENS_CACHE_KIB = 512

if TYPE_CHECKING:
    from kiosk.bookings import Booking, Bookings
    from kiosk.complaints import Complaints
    from kiosk.config import Settings
    from kiosk.elders import Elder
    from kiosk.help import HelpDesk
    from kiosk.meals import MealBooking
    from kiosk.my_bookings import MyBookings
    from kiosk.ratings import Ratings
    from kiosk.service_flows import ServiceFlow
    from kiosk.slots import Slot
    from kiosk.sync.status import SyncStatus


class Kiosk:
    def __init__(self, settings: Settings, clock: Clock | None = None,
                 store: Store | None = None) -> None:
        self.settings = settings
        self.clock = clock or Clock(settings.timezone)
        self.store = store or Store(settings.db_path, check=True, cache_kib=SCREENS_CACHE_KIB)
        if settings.allow_insecure_http:
            log.warning("allow_insecure_http is set: the platform may be reached over plain "
                        "http, which anyone on the network can read and change")
        self.language = language(settings.language)
        self.text = Translator(self.language.text)
        self.session = Session()

    # The booking rules are built (and their modules imported) when first used: the home
    # screen needs none of them, so start-up does not wait for them (ui/app.py imports them
    # right after the first frame).
    @cached_property
    def meals(self) -> MealBooking:
        from kiosk.meals import MealBooking

        return MealBooking(self.store, self.clock)

    @cached_property
    def bookings(self) -> Bookings:
        """The one booking writer, for every service (its screens' flows go through it)."""
        from kiosk.bookings import Bookings

        return Bookings(self.store, self.clock)

    def flow(self, service: str) -> ServiceFlow:
        """The days, windows, departments, times or sessions of a service other than meals."""
        from kiosk.service_flows import ServiceFlow

        return ServiceFlow(self.store, self.clock, service)

    @cached_property
    def my_bookings(self) -> MyBookings:
        from kiosk.my_bookings import MyBookings

        return MyBookings(self.store, self.clock)

    @cached_property
    def ratings(self) -> Ratings:
        from kiosk.ratings import Ratings

        return Ratings(self.store, self.clock)

    @cached_property
    def complaints(self) -> Complaints:
        """The one complaint writer; staff screens listen to complaints.filed."""
        from kiosk.complaints import Complaints

        return Complaints(self.store, self.clock)

    @cached_property
    def help(self) -> HelpDesk:
        """Staff screens listen to help.requested."""
        from kiosk.help import HelpDesk

        return HelpDesk(self.store, self.clock)

    def set_language(self, key: str) -> Language:
        """Another language for the screens (and voice) from now on; returns the choice."""
        self.language = language(key)
        if self.text.language != self.language.text:
            self.text = Translator(self.language.text)
        return self.language

    @property
    def demo(self) -> bool:
        return not self.settings.platform_url

    def seed_demo_if_empty(self, finished: bool = False) -> bool:
        """The demo community; with `finished`, a meal already eaten to rate (kiosk.demo)."""
        from kiosk.demo import seed_demo

        return seed_demo(self.store, self.clock, self.settings.lunch_cutoff,
                         self.settings.dinner_cutoff, finished)

    def sync_status(self) -> SyncStatus:
        """Local reads only: safe to call from the GUI thread at any time."""
        from kiosk.sync.status import read_status  # a demo kiosk's first frame has no sync line

        configured = bool(self.settings.platform_url or self.settings.enrolment_code
                          or self.store.get_state("platform_url"))
        return read_status(self.store, configured)

    def sync_line(self) -> str:
        """The elder-facing sync line, e.g. 网络已断开：2 项预订待确认，联网后自动处理."""
        from kiosk.sync.status import elder_line

        return elder_line(self.sync_status(), self.text)

    def staff_sync_lines(self) -> list[str]:
        from kiosk.sync.status import staff_lines

        return self.recovery_lines() + staff_lines(self.sync_status(), self.text,
                                                   self.clock.now())

    def recovery_lines(self) -> list[str]:
        """What staff are told of a damaged database this kiosk started from, if it did."""
        from kiosk.recovery import last_recovery, notice_lines

        recovery = last_recovery(self.store)
        return notice_lines(recovery, self.text, self.clock.tz) if recovery else []

    def untold_recovery_lines(self) -> list[str]:
        """The same, once: for the first staff screen after the start that recovered it."""
        from kiosk.recovery import TOLD_KEY

        if self.store.get_state(TOLD_KEY) == "1":
            return []
        lines = self.recovery_lines()
        if lines:
            with self.store.transaction():
                self.store.set_state(TOLD_KEY, "1")
        return lines

    def sign_in_news(self, elder: Elder) -> list[str]:
        """What she is told once after signing in (kiosk/greeting.py)."""
        from kiosk.greeting import sign_in_news

        return sign_in_news(self.store, self.clock, self.text, elder)

    def complaint_answer(self, elder: Elder):
        """A resolved complaint's answer she has not seen yet (kiosk/greeting.py), or None."""
        from kiosk.greeting import complaint_answer

        return complaint_answer(self.store, self.clock, elder)

    def alternative_for(self, booking: Booking) -> Slot | None:
        """The one-tap offer for a booking that did not succeed."""
        from kiosk.alternatives import nearest_alternative

        return nearest_alternative(self.store, booking, self.clock.now())

    def close(self) -> None:
        self.store.close()
