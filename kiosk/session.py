"""One elder's visit to the kiosk: who signed in and the booking being put together."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the home screen needs a session long before any booking rule
    from kiosk.bookings import Booking
    from kiosk.complaints import Resolved
    from kiosk.elders import Elder


@dataclass
class Draft:
    """A booking of any service as far as the elder has chosen; each screen fills a field."""

    service: str = ""  # the catalogue key: meal, cleaning, clinic, activity, visit…
    day: dt.date | None = None
    slot_id: str | None = None
    mode: str = ""  # a meal's way of receiving it
    window: str = ""  # am / pm
    kind: str = ""  # a cleaning's kind
    needs: list[str] = field(default_factory=list)
    department: str = ""


@dataclass
class Feedback:
    """The rating being given: which booking, the face chosen, the reason chips."""

    booking: Booking | None = None
    score: str = ""
    reasons: list[str] = field(default_factory=list)


@dataclass
class ComplaintDraft:
    """意见/投诉 as far as chosen: what about, the reason chips, a staff member's note."""

    about: str = ""  # booking, provider, centre (elder_wire.codes.ComplaintAbout)
    booking_id: str | None = None
    provider_id: str | None = None
    service: str = ""  # the service she had, for its reason chips
    what: str = ""  # the booking or provider in words, for the confirm sentence
    reasons: list[str] = field(default_factory=list)  # with call_back among them as a chip
    note: str = ""


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
