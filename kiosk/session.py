"""One elder's visit to the kiosk: who signed in and the booking being put together."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from kiosk.bookings import Booking
from kiosk.elders import Elder


@dataclass
class MealDraft:
    """A meal booking as far as the elder has chosen; each screen fills one field."""

    day: dt.date | None = None
    slot_id: str | None = None
    mode: str | None = None


@dataclass
class Session:
    elder: Elder | None = None
    staff_id: str | None = None
    meal: MealDraft = field(default_factory=MealDraft)
    receipt: Booking | None = None

    @property
    def signed_in(self) -> bool:
        return self.elder is not None

    def sign_in(self, elder: Elder) -> None:
        self.clear()
        self.elder = elder

    def clear(self) -> None:
        """Sign-out: nothing of the elder stays in memory-held view state."""
        self.elder = None
        self.staff_id = None
        self.meal = MealDraft()
        self.receipt = None
