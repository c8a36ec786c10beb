"""What an elder is told right after signing in, once: a waiting-list place that became hers,
and the session she has just been signed in to at the door (签到)."""
from __future__ import annotations

from kiosk import catalogue
from kiosk.attendance import Attendance
from kiosk.booking_text import card_text
from kiosk.bookings import moved_up
from kiosk.clock import Clock
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
