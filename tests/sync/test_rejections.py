"""Business "no"s and invalid operations: each settled on its own, never blocking the queue."""
from __future__ import annotations

import json
import uuid

from kiosk import outbox
from kiosk.i18n import Translator
from kiosk.sync.status import staff_lines
from service_platform import operators
from tests.sync.proxy import FORWARD

T = Translator("zh_CN")


def bad_booking(kiosk, slot: str, **wrong) -> str:
    """An operation the platform refuses as invalid (a kiosk bug), with its local booking."""
    booking_id = str(uuid.uuid4())
    stamp = kiosk.clock.now().isoformat(timespec="seconds")
    payload = {"id": booking_id, "elder_id": "elder-004", "service": "meal", "slot_id": slot,
               "mode": "pickup", "price_cents": 1500, "subsidy_cents": 300, "staff_id": None,
               "created_at": stamp, **wrong}
    with kiosk.store.transaction() as conn:
        conn.execute(
            "INSERT INTO bookings (id, number, elder_id, service, slot_id, mode, price_cents, "
            "subsidy_cents, pay_cents, status, created_at, updated_at) "
            "VALUES (?, '0000-0000', 'elder-004', 'meal', ?, 'pickup', 1500, 300, 1200, "
            "'tentative', ?, ?)", (booking_id, slot, stamp, stamp))
        outbox.enqueue(conn, "booking.create", payload, stamp)
    return booking_id


def test_rejected_and_invalid_operations_do_not_block_the_ones_behind(platform, make_kiosk,
                                                                      make_proxy):
    community = platform.community(elders=6)
    slot = platform.slot(community, capacity=10, days_ahead=3)
    proxy = make_proxy(platform)
    kiosk = make_kiosk(proxy.url, platform.enrolment_code(community), lease_days=1)
    kiosk.sync_ok()
    first = kiosk.book("elder-001", slot)
    bad = bad_booking(kiosk, slot, price_cents=-5)  # 422 invalid_request names it
    inactive = kiosk.book("elder-002", slot)
    operators_deactivate(platform, community, "elder-002")  # the platform will say no
    with kiosk.store.transaction() as conn:  # far over 1 MiB: never sent
        outbox.enqueue(conn, "help.create", {"note": "x" * (1024 * 1024 + 10)},
                       kiosk.clock.now().isoformat(timespec="seconds"))
    last = kiosk.book("elder-003", slot)
    seen = []
    proxy.rule = lambda request: seen.append(request.path) or FORWARD

    result = kiosk.sync_ok()

    assert (result.applied, result.rejected, result.quarantined) == (2, 1, 2)
    assert kiosk.booking(first.id).status == kiosk.booking(last.id).status == "confirmed"
    refused = kiosk.booking(inactive.id)
    assert (refused.status, refused.reason) == ("rejected", "elder_inactive")
    assert (kiosk.booking(bad).status, kiosk.booking(bad).reason) == ("rejected", "sync_failed")
    failed = kiosk.store.query("SELECT op_type, result FROM outbox WHERE state = 'failed' "
                               "ORDER BY seq")
    assert [r["op_type"] for r in failed] == ["booking.create", "help.create"]
    assert json.loads(failed[0]["result"])["code"] == "invalid_request"
    assert json.loads(failed[1]["result"])["code"] == "payload_too_large"
    status = kiosk.status()
    assert status.pending == 0 and status.failed == 2
    assert T("sync.staff.failed", count=2) in staff_lines(status, T, kiosk.clock.now())
    assert sorted(platform.bookings(community)) == sorted([first.id, last.id])
    # the refused batch, the rest up to the huge one, then the one after it
    assert seen.count("/v1/push") == 3


def operators_deactivate(platform, community: str, elder_id: str) -> None:
    from service_platform import catalogue

    def work(conn):
        catalogue.put_elders(conn, community, [{
            "id": elder_id, "card_no": "8" + elder_id[-3:].rjust(7, "0"), "name": "长者",
            "phone": "", "address": "", "subsidy_level": "basic", "delivery_allowed": True,
            "home_visit_allowed": False, "dietary": [], "active": False}])
    platform.db.run_write(work)


def test_a_revoked_kiosk_stops_and_asks_for_staff(platform, make_kiosk):
    community = platform.community(elders=3)
    slot = platform.slot(community, capacity=10, days_ahead=3)
    kiosk = make_kiosk(platform.url, platform.enrolment_code(community), lease_days=1)
    kiosk.sync_ok()
    kiosk_id = kiosk.store.get_state("kiosk_id")
    kiosk.book("elder-001", slot)
    operators.revoke_kiosk(platform.db, kiosk_id)

    result = kiosk.sync()

    assert (result.ok, result.stopped, result.error_key) == (False, True, "sync.error.revoked")
    assert kiosk.status().pending == 1  # kept, not thrown away
    from kiosk.sync.status import elder_line
    assert elder_line(kiosk.status(), T) == T("sync.needs_staff", count=1)
