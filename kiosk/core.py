"""The kiosk core as the screens see it: settings, store, clock, text and the booking rules."""
from __future__ import annotations

from kiosk.bookings import MealBooking
from kiosk.clock import Clock
from kiosk.config import Settings
from kiosk.demo import seed_demo
from kiosk.i18n import Translator
from kiosk.session import Session
from kiosk.store import Store


class Kiosk:
    def __init__(self, settings: Settings, clock: Clock | None = None,
                 store: Store | None = None) -> None:
        self.settings = settings
        self.clock = clock or Clock(settings.timezone)
        self.store = store or Store(settings.db_path)
        self.text = Translator(settings.language)
        self.meals = MealBooking(self.store, self.clock)
        self.session = Session()

    @property
    def demo(self) -> bool:
        return not self.settings.platform_url

    def seed_demo_if_empty(self) -> bool:
        return seed_demo(self.store, self.clock, self.settings.lunch_cutoff,
                         self.settings.dinner_cutoff)

    def close(self) -> None:
        self.store.close()
