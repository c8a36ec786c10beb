"""意见 / 投诉: the one complaint writer (after 不满意, and from the services screen) about a
recent booking, a provider or the centre; and the answer that comes back once it is resolved,
shown once at her next sign-in and asked about with three faces."""
from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from dataclasses import dataclass

from elder_wire.codes import ComplaintAbout, ComplaintState
from kiosk import outbox
from kiosk.clock import Clock
from kiosk.errors import KnownError
from kiosk.events import Event
from kiosk.my_bookings import BookingCard, MyBookings
from kiosk.ratings import SCORES, is_done, own_booking
from kiosk.services import Provider, get_provider
from kiosk.store import Store

ABOUT = tuple(about.value for about in ComplaintAbout)  # booking, provider, centre
MAX_REASONS = 10
NOTE_MAX = 200  # protocol §3.5: a staff note of up to 200 characters
CALL_BACK = "call_back"  # 请给我回电话: one of the chips, sent as its own field
# Reason chips by subject; five at most, so 请给我回电话 makes six on one screen. The codes
# of the rating reasons (kiosk.ratings.BAD) are used again where they fit.
REASONS = {
    "meal": ("cold_food", "not_tasty", "wrong_item", "late", "rude"),
    "cleaning": ("late", "not_clean", "rude", "no_show", "other"),
    "other": ("late", "long_wait", "rude", "no_show", "other"),
    ComplaintAbout.CENTRE.value: ("long_wait", "hard_to_use", "noisy", "rude", "other"),
}
CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


class ComplaintInvalid(KnownError):
    """Something of the complaint is not as the kiosk can send it; nothing is lost."""

    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.message_key = f"complaint.invalid.{what}"


# the complaint.invalid.* family
INVALID = ("about", "booking", "provider", "note", "complaint", "answered")


def reason_chips(about: str, service: str = "") -> tuple[str, ...]:
    """The reasons offered for a subject: the centre's, or those of the service she had."""
    if about == ComplaintAbout.CENTRE:
        return REASONS[about]
    return REASONS.get(service, REASONS["other"])


def every_reason() -> set[str]:
    return {code for codes in REASONS.values() for code in codes}


def clean_note(note: str) -> str:
    """One line of plain text, as the wire takes it (elder_wire plain_text)."""
    return " ".join(CONTROL.sub(" ", note or "").split())


@dataclass(frozen=True)
class Complaint:
    id: str
    elder_id: str
    booking_id: str | None
    reasons: tuple[str, ...]
    created_at: str
    about: str | None = None
    provider_id: str | None = None
    call_back: bool = False
    note: str = ""


@dataclass(frozen=True)
class Resolved:
    """A resolved complaint whose answer she has not been shown yet."""

    id: str
    elder_id: str
    created: dt.date
    resolution: str


class Complaints:
    """`filed` fires with each new Complaint, for the staff screen."""

    def __init__(self, store: Store, clock: Clock) -> None:
        self.store = store
        self.clock = clock
        self.filed = Event()

    # --- what she can complain about ---------------------------------------------------
    def recent_bookings(self, elder_id: str) -> list[BookingCard]:
        """Her bookings of the last 30 days that are done, or were cancelled not by her at
        this kiosk (by the provider), the latest first."""
        now = self.clock.now()
        cancelled_here = {row["id"] for row in self.store.query(
            "SELECT b.id FROM bookings b JOIN outbox o ON o.op_type = 'booking.cancel' "
            "AND json_extract(o.payload, '$.booking_id') = b.id "
            "WHERE b.elder_id = ? AND b.status = 'cancelled'", (elder_id,))}
        return [card for card in MyBookings(self.store, self.clock).cards(elder_id)
                if (is_done(self.store, card.booking, now)
                     or (card.booking.status == "cancelled"
                         and card.booking.id not in cancelled_here))]

    def providers(self, elder_id: str) -> list[Provider]:
        """The providers she had services from: a booking's own, or the one offering its
        service (meals are booked from the community's canteen, with no provider on the slot)."""
        rows = self.store.query(
            "SELECT DISTINCT COALESCE(b.provider_id, s.provider_id) AS provider_id, b.service "
            "FROM bookings b LEFT JOIN slots s ON s.id = b.slot_id "
            "WHERE b.elder_id = ? AND b.status IN ('confirmed', 'completed', 'cancelled')",
            (elder_id,))
        wanted: list[str] = []
        offering = self._offering()
        for row in rows:
            ids = [row["provider_id"]] if row["provider_id"] else offering.get(row["service"], [])
            wanted += [i for i in ids if i not in wanted]
        found = [get_provider(self.store, provider_id) for provider_id in wanted]
        return [provider for provider in found if provider is not None and provider.active]

    def _offering(self) -> dict[str, list[str]]:
        offering: dict[str, list[str]] = {}
        for row in self.store.query("SELECT id, services FROM providers WHERE active = 1 "
                                    "ORDER BY id"):
            for service in json.loads(row["services"]):
                offering.setdefault(service, []).append(row["id"])
        return offering

    # --- the one writer ----------------------------------------------------------------
    def file(self, elder_id: str, *, about: str | None = None, booking_id: str | None = None,
             provider_id: str | None = None, reasons: tuple[str, ...] = (),
             call_back: bool = False, note: str = "", staff_id: str | None = None) -> Complaint:
        """Save a complaint with its complaint.create operation, in one transaction. `about`
        None: about `booking_id` if given, else the centre, as before `about` existed."""
        if about is not None and about not in ABOUT:
            raise ComplaintInvalid("about")
        if about == ComplaintAbout.BOOKING and booking_id is None:
            raise ComplaintInvalid("booking")
        if about == ComplaintAbout.PROVIDER and not provider_id:
            raise ComplaintInvalid("provider")
        note = clean_note(note)
        if len(note) > NOTE_MAX:
            raise ComplaintInvalid("note")
        if about != ComplaintAbout.PROVIDER:
            provider_id = None
        if about == ComplaintAbout.CENTRE:
            booking_id = None
        chosen = tuple(code for code in dict.fromkeys(reasons) if code != CALL_BACK)
        stamp = self.clock.now().isoformat(timespec="seconds")
        complaint = Complaint(str(uuid.uuid4()), elder_id, booking_id, chosen[:MAX_REASONS],
                              stamp, about, provider_id, call_back, note)
        with self.store.transaction() as conn:
            provider = provider_id
            if booking_id is not None:
                provider = own_booking(self.store, elder_id, booking_id).provider_id
            elif provider_id is not None and get_provider(self.store, provider_id) is None:
                raise ComplaintInvalid("provider")
            conn.execute(
                "INSERT INTO complaints (id, booking_id, elder_id, provider_id, reasons, state, "
                "staff_id, origin, created_at, about, call_back, note) "
                "VALUES (?, ?, ?, ?, ?, 'open', ?, 'local', ?, ?, ?, ?)",
                (complaint.id, booking_id, elder_id, provider, json.dumps(list(complaint.reasons)),
                 staff_id, stamp, about, int(call_back), note or None))
            outbox.enqueue(conn, "complaint.create", create_payload(complaint, staff_id), stamp)
        self.filed.emit(complaint)
        return complaint

    # --- the answer that comes back -------------------------------------------------------
    def answer_due(self, elder_id: str) -> Resolved | None:
        """Her oldest resolved complaint with an answer written for her, not yet shown."""
        row = self.store.query_one(
            "SELECT * FROM complaints WHERE elder_id = ? AND state = ? AND shown_at IS NULL "
            "AND answer IS NULL AND COALESCE(resolution, '') != '' "
            "ORDER BY resolved_at, created_at LIMIT 1",
            (elder_id, ComplaintState.RESOLVED.value))
        if row is None:
            return None
        made = dt.datetime.fromisoformat(row["created_at"])
        if made.tzinfo is not None:
            made = made.astimezone(self.clock.tz)
        return Resolved(row["id"], row["elder_id"], made.date(), row["resolution"])

    def mark_shown(self, complaint_id: str) -> None:
        """The answer was shown (and said): never again, whether she answers or not."""
        stamp = self.clock.now().isoformat(timespec="seconds")
        with self.store.transaction() as conn:
            conn.execute("UPDATE complaints SET shown_at = ? WHERE id = ? AND shown_at IS NULL",
                         (stamp, complaint_id))

    def answer(self, elder_id: str, complaint_id: str, score: str,
               staff_id: str | None = None) -> None:
        """Her view of how it was handled, saved with its complaint.answer operation."""
        if score not in SCORES:
            raise ValueError(score)
        stamp = self.clock.now().isoformat(timespec="seconds")
        with self.store.transaction() as conn:
            row = self.store.query_one("SELECT elder_id, answer FROM complaints WHERE id = ?",
                                       (complaint_id,))
            if row is None or row["elder_id"] != elder_id:
                raise ComplaintInvalid("complaint")
            if row["answer"] is not None:
                raise ComplaintInvalid("answered")
            conn.execute("UPDATE complaints SET answer = ?, answered_at = ?, "
                         "shown_at = COALESCE(shown_at, ?) WHERE id = ?",
                         (score, stamp, stamp, complaint_id))
            outbox.enqueue(conn, "complaint.answer",
                           {"complaint_id": complaint_id, "elder_id": elder_id, "score": score,
                            "staff_id": staff_id, "answered_at": stamp}, stamp)


def create_payload(complaint: Complaint, staff_id: str | None) -> dict:
    """complaint.create (protocol §3.5). The newer fields go only when they say something the
    platform would not infer, so a platform that predates them still accepts the complaint."""
    payload = {"id": complaint.id, "booking_id": complaint.booking_id,
               "elder_id": complaint.elder_id, "reasons": list(complaint.reasons),
               "staff_id": staff_id, "created_at": complaint.created_at}
    implied = ComplaintAbout.BOOKING if complaint.booking_id else ComplaintAbout.CENTRE
    if complaint.about is not None and complaint.about != implied:
        payload["about"] = complaint.about
    if complaint.provider_id:
        payload["provider_id"] = complaint.provider_id
    if complaint.call_back:
        payload["call_back"] = True
    if complaint.note:
        payload["note"] = complaint.note
    return payload
