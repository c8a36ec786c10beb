"""What an elder is told right after signing in, once: a waiting-list place that became hers,
the session she has just been signed in to at the door (签到), and the answer to a complaint
of hers that was resolved (on a screen of its own, then asked about with three faces)."""
from __future__ import annotations

from kiosk import catalogue
from kiosk.attendance import Attendance
from kiosk.booking_text import card_text
from kiosk.bookings import moved_up
from kiosk.clock import Clock
from kiosk.complaints import Complaints, Resolved
from kiosk.elders import Elder
from kiosk.errors import BookingRejected
from kiosk.slots import get_slot
from kiosk.store import Store


def sign_in_news(store: Store, clock: Clock, t, elder: Elder) -> list[str]:
    """Sentences to show and say on the services screen; each fact is told once."""
    news = []
    for booking in moved_up(store, elder.id):
        slot = get_slot(store, booking.slot_id, clock.tz)
        if slot is not None:
            what = card_text(t, booking, slot, catalogue.entry(store, booking.service))
            news.append(t("news.moved_up", what=what))
    attendance = Attendance(store, clock)
    for slot in attendance.booked_sessions_open_now(elder.id):
        try:
            record = attendance.record(slot.id, elder)
        except BookingRejected:
            continue
        if not record.already:
            news.append(t("news.checked_in", title=slot.title or slot.service,
                          time=t.time(slot.start), place=slot.place))
    return news


def complaint_answer(store: Store, clock: Clock, elder: Elder) -> Resolved | None:
    """Her resolved complaint whose answer she has not been shown yet (shown once)."""
    return Complaints(store, clock).answer_due(elder.id)


def answer_sentence(t, resolved: Resolved) -> str:
    """您12月3日的意见已处理：… — the day she complained, then the answer in plain words."""
    return t("complaint.answer.sentence", day=t.day(resolved.created, "format.day_month"),
             resolution=resolved.resolution)
