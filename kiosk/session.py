"""One elder's visit to the kiosk: who signed in and the booking being put together."""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the home screen needs a session long before any booking rule
    from kiosk.bookings import Booking
    from kiosk.complaints import Resolved
    from kiosk.elders import Elder


# Plain classes, not dataclasses: the home screen needs a session before the kiosk's first
# frame, and making these three dataclasses (and importing the module that makes them) cost
# some 2 ms of start-up (docs/performance.md). Nothing compares or prints them.

class Draft:
    """A booking of any service as far as the elder has chosen; each screen fills a field."""

    def __init__(self, service: str = "", day: dt.date | None = None,
                 slot_id: str | None = None, mode: str = "", window: str = "", kind: str = "",
                 needs: list[str] | None = None, department: str = "") -> None:
        self.service = service  # the catalogue key: meal, cleaning, clinic, activity, visit…
        self.day = day
        self.slot_id = slot_id
        self.mode = mode  # a meal's way of receiving it
        self.window = window  # am / pm
        self.kind = kind  # a cleaning's kind
        self.needs: list[str] = needs if needs is not None else []
        self.department = department


class Feedback:
    """The rating being given: which booking, the face chosen, the reason chips."""

    def __init__(self, booking: Booking | None = None, score: str = "",
                 reasons: list[str] | None = None) -> None:
        self.booking = booking
        self.score = score
        self.reasons: list[str] = reasons if reasons is not None else []


class ComplaintDraft:
    """意见/投诉 as far as chosen: what about, the reason chips, a staff member's note."""

    def __init__(self) -> None:
        self.about = ""  # booking, provider, centre (elder_wire.codes.ComplaintAbout)
        self.booking_id: str | None = None
        self.provider_id: str | None = None
        self.service = ""  # the service she had, for its reason chips
        self.what = ""  # the booking or provider in words, for the confirm sentence
        self.reasons: list[str] = []  # with call_back among them as a chip
        self.note = ""


class Session:
    """Who is signed in and what she has chosen so far. Its fields are set in one place,
    `clear`: a new session is a cleared one."""

    def __init__(self) -> None:
        self.clear()

    @property
    def signed_in(self) -> bool:
        return self.elder is not None

    def sign_in(self, elder: Elder) -> None:
        self.clear()
        self.elder = elder

    def clear(self) -> None:
        """Sign-out: nothing of the elder stays in memory-held view state."""
        self.elder: Elder | None = None
        self.staff_id: str | None = None
        self.draft = Draft()
        self.receipt: Booking | None = None
        self.feedback = Feedback()
        self.cancelling: str | None = None  # the booking id on the cancel confirm screen
        self.complaint = ComplaintDraft()
        self.answer_back: Resolved | None = None  # a resolved complaint's answer, shown once
        self.notice = ""  # a message key the next screen shows once (e.g. 已取消)
        self.news: list[str] = []  # sentences told once after sign-in
