"""The kiosk core as the screens see it: settings, store, clock, text and the booking rules."""
from __future__ import annotations

from kiosk.alternatives import nearest_alternative
from kiosk.bookings import Booking, MealBooking
from kiosk.cleaning import Cleaning
from kiosk.clinic import Clinic, HealthCheck, HomeVisit
from kiosk.clock import Clock
from kiosk.config import Settings
from kiosk.demo import seed_demo
from kiosk.help import HelpDesk
from kiosk.i18n import Translator
from kiosk.languages import Language, language
from kiosk.meals import MealSlot
from kiosk.my_bookings import MyBookings
from kiosk.ratings import Ratings
from kiosk.session import Session
from kiosk.store import Store
from kiosk.sync.status import SyncStatus, elder_line, read_status, staff_lines


class Kiosk:
    def __init__(self, settings: Settings, clock: Clock | None = None,
                 store: Store | None = None) -> None:
        self.settings = settings
        self.clock = clock or Clock(settings.timezone)
        self.store = store or Store(settings.db_path)
        self.language = language(settings.language)
        self.text = Translator(self.language.text)
        self.meals = MealBooking(self.store, self.clock)
        self.cleaning = Cleaning(self.store, self.clock)
        self.clinic = Clinic(self.store, self.clock)
        self.home_visit = HomeVisit(self.store, self.clock)
        self.health_check = HealthCheck(self.store, self.clock)
        self.my_bookings = MyBookings(self.store, self.clock)
        self.ratings = Ratings(self.store, self.clock)
        self.help = HelpDesk(self.store, self.clock)  # staff screens listen to help.requested
        self.session = Session()

    def set_language(self, key: str) -> Language:
        """Another language for the screens (and voice) from now on; returns the choice."""
        self.language = language(key)
        if self.text.language != self.language.text:
            self.text = Translator(self.language.text)
        return self.language

    @property
    def demo(self) -> bool:
        return not self.settings.platform_url

    def seed_demo_if_empty(self) -> bool:
        return seed_demo(self.store, self.clock, self.settings.lunch_cutoff,
                         self.settings.dinner_cutoff)

    def sync_status(self) -> SyncStatus:
        """Local reads only: safe to call from the GUI thread at any time."""
        configured = bool(self.settings.platform_url or self.settings.enrolment_code
                          or self.store.get_state("platform_url"))
        return read_status(self.store, configured)

    def sync_line(self) -> str:
        """The elder-facing sync line, e.g. 网络已断开：2 项预订待确认，联网后自动处理."""
        return elder_line(self.sync_status(), self.text)

    def staff_sync_lines(self) -> list[str]:
        return staff_lines(self.sync_status(), self.text, self.clock.now())

    def alternative_for(self, booking: Booking) -> MealSlot | None:
        """The one-tap offer for a booking that did not succeed."""
        return nearest_alternative(self.store, booking, self.clock.now())

    def close(self) -> None:
        self.store.close()
