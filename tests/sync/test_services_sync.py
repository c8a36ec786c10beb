"""A cleaning booking and an urgent help request made on a kiosk reach a real platform; the
help request goes first, and the platform's providers and slots arrive by pull."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from kiosk.help import HelpDesk
from kiosk.service_flows import ServiceFlow
from service_platform import demo, services
from service_platform.schema import changes, help_requests
from tests.sync.conftest import SHANGHAI


def _serve_cleaning(platform, community: str, day: dt.date) -> None:
    def write(conn):
        timetable = demo.load_services()
        services.put_providers(conn, community, timetable["providers"])
        services.put_slots(conn, community, [
            slot for slot in demo.service_slots(timetable, day, SHANGHAI)
            if slot["day"] == day.isoformat() and slot["service"] == "cleaning"])
    platform.db.run_write(write)


def test_a_cleaning_booking_and_a_help_request_reach_the_platform(platform, make_kiosk):
    community = platform.community(elders=3)
    day = dt.datetime.now(SHANGHAI).date() + dt.timedelta(days=3)
    _serve_cleaning(platform, community, day)
    kiosk = make_kiosk(platform.url, platform.enrolment_code(community))
    kiosk.sync_ok()
    services = kiosk.store.query_one("SELECT COUNT(*) AS n FROM slots WHERE service <> 'meal'")
    assert services["n"] == 2
    cleaning = ServiceFlow(kiosk.store, kiosk.clock, "cleaning")
    help_desk = HelpDesk(kiosk.store, kiosk.clock)
    heard = []
    help_desk.requested.connect(heard.append)

    booking = cleaning.book("elder-001", f"cleaning:{day.isoformat()}:am", "deep",
                            ["pets", "call_ahead"])
    request = help_desk.ask("elder-002")
    assert [r.id for r in heard] == [request.id]  # the staff screen hears it at once
    assert booking.status == "tentative" and booking.pay_cents == 15000 - 4000

    kiosk.sync_ok()

    on_platform = platform.bookings(community)[booking.id]
    assert (on_platform["status"], on_platform["units"]) == ("confirmed", 2)
    assert kiosk.booking(booking.id).status == "confirmed"
    with platform.db.read() as conn:
        helped = conn.execute(select(help_requests).where(
            help_requests.c.id == request.id)).mappings().one()
        applied = conn.execute(select(changes.c.entity_id).where(
            changes.c.community_id == community,
            changes.c.kind.in_(("booking", "help_request"))).order_by(changes.c.seq)
        ).scalars().all()
    assert (helped["elder_id"], helped["kind"], helped["state"]) == ("elder-002", "urgent", "open")
    assert applied == [request.id, booking.id]  # applied ahead of the booking made before it
    # the pull brings the help request back as the platform's state
    row = kiosk.store.query_one("SELECT state FROM help_requests WHERE id = ?", (request.id,))
    assert row["state"] == "open"
