"""A newer platform publishes what this kiosk does not know (docs/services.md): a service of a
slot kind it cannot book, slots and bookings of a service it has no entry for, a change kind, a
booking status and fields it has never seen. The kiosk keeps them or ignores them, its cursor
advances over them, its leases keep renewing, and it goes on booking."""
from __future__ import annotations

import datetime as dt
import uuid

from kiosk import catalogue as kiosk_catalogue
from kiosk.sync.pull import cursor
from service_platform import feed
from service_platform.feed import Change
from tests.sync.conftest import SHANGHAI


def _newer_platform_publishes(platform, community_id: str) -> None:
    day = dt.datetime.now(SHANGHAI).date() + dt.timedelta(days=2)
    start = dt.datetime.combine(day, dt.time(9), SHANGHAI)
    booking_id = str(uuid.uuid4())
    items = [
        Change("service", "legal_aid", {
            "key": "legal_aid", "slot_kind": "appointment_room", "order": 60, "active": True,
            "names": {"zh_CN": "法律援助"}, "policy": {"escrow": False, "quorum": 3},
            "colour": "#123456"}),
        Change("service_slot", "legal:1", {
            "id": "legal:1", "service": "legal_aid", "provider_id": "lawyers",
            "day": day.isoformat(),
            "window": None, "department": None, "doctor": None, "start": start.isoformat(),
            "end": (start + dt.timedelta(hours=1)).isoformat(),
            "cutoff": (start - dt.timedelta(hours=2)).isoformat(), "capacity": 2,
            "price_cents": 0, "room": "3F", "title": "法律咨询"}),
        Change("booking", booking_id, {
            "id": booking_id, "elder_id": "elder-002", "service": "legal_aid",
            "slot_id": "legal:1", "mode": None, "price_cents": 0, "subsidy_cents": 0,
            "status": "awaiting_lawyer", "staff_id": None, "kiosk_id": None,
            "created_at": start.isoformat(), "updated_at": start.isoformat(),
            "lawyer": "张律师"}),
        Change("hologram", "h-1", {"id": "h-1", "what": "a kind from the future"}),
    ]
    platform.db.run_write(lambda conn: feed.append(conn, community_id, items))


def test_what_a_newer_platform_publishes_never_stops_sync(platform, make_kiosk):
    community = platform.community(elders=3)
    lunch = platform.slot(community, capacity=10, days_ahead=1)
    kiosk = make_kiosk(platform.url, platform.enrolment_code(community),
                       lease_refresh_s=0)
    first = kiosk.sync_ok()
    assert first.leases >= 1
    lease_before = kiosk.store.query_one(
        "SELECT lease_id FROM leases WHERE slot_id = ? AND state = 'active'", (lunch,))
    at = cursor(kiosk.store)

    _newer_platform_publishes(platform, community)
    second = kiosk.sync_ok()

    assert second.pulled >= 4 and cursor(kiosk.store) > at  # the cursor moved over all of it
    assert second.leases >= 1  # and leases were renewed: a new one for the same lunch
    lease_after = kiosk.store.query_one(
        "SELECT lease_id FROM leases WHERE slot_id = ? AND state = 'active'", (lunch,))
    assert lease_after["lease_id"] != lease_before["lease_id"]
    # The unknown service is kept but offered nowhere; its slot and booking are kept as sent.
    assert kiosk_catalogue.entry(kiosk.store, "legal_aid").slot_kind == "appointment_room"
    assert "legal_aid" not in {s.key for s in kiosk_catalogue.offered(kiosk.store)}
    assert kiosk.store.query_one("SELECT title FROM slots WHERE id = 'legal:1'")["title"] \
        == "法律咨询"
    assert kiosk.store.query_one(
        "SELECT status FROM bookings WHERE slot_id = 'legal:1'")["status"] == "awaiting_lawyer"
    # Meals are booked as before, final at once within the renewed lease.
    booking = kiosk.book("elder-001", lunch)
    assert booking.status == "confirmed" and booking.lease_id == lease_after["lease_id"]
    kiosk.sync_ok()
    assert platform.bookings(community)[booking.id]["status"] == "confirmed"
