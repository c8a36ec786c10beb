"""The family-consent flag (notify_family, protocol §3.7): set by staff at one kiosk, kept by a
real platform, pulled by the community's other kiosks; never sent without an emergency
contact."""
from __future__ import annotations

import json

from kiosk import elder_registry
from service_platform import catalogue, entities


def platform_elder(platform, community: str, elder_id: str) -> dict:
    with platform.db.read() as conn:
        return entities.elder(catalogue.get_elder(conn, community, elder_id))


def last_upsert(kiosk) -> dict:
    row = kiosk.store.query_one("SELECT payload FROM outbox WHERE op_type = 'elder.upsert' "
                                "ORDER BY seq DESC LIMIT 1")
    return json.loads(row["payload"])


def save(kiosk, elder_id: str, **changes) -> None:
    form = elder_registry.load(kiosk.store, elder_id)
    form.address = "幸福里 1号楼"  # they have meals delivered
    for name, value in changes.items():
        setattr(form, name, value)
    elder_registry.save(kiosk.store, kiosk.clock, form, "staff-zhang")


def test_family_consent_travels_from_one_kiosk_through_the_platform_to_another(
        platform, make_kiosk):
    community = platform.community(elders=2)
    desk = make_kiosk(platform.url, platform.enrolment_code(community))
    hall = make_kiosk(platform.url, platform.enrolment_code(community))
    desk.sync_ok()
    hall.sync_ok()
    assert platform_elder(platform, community, "elder-001")["notify_family"] is False
    assert elder_registry.load(hall.store, "elder-001").notify_family is False

    save(desk, "elder-001", emergency_name="赵明", emergency_phone="139 0000 0000",
         notify_family=True)
    assert last_upsert(desk)["notify_family"] is True
    desk.sync_ok()
    elder = platform_elder(platform, community, "elder-001")
    assert elder["notify_family"] is True
    assert elder["emergency_contact"] == {"name": "赵明", "phone": "13900000000"}
    hall.sync_ok()
    assert elder_registry.load(hall.store, "elder-001").notify_family is True

    save(desk, "elder-002", notify_family=True)  # nobody to tell: not consent at all
    assert last_upsert(desk)["notify_family"] is False
    save(desk, "elder-001", notify_family=False)
    desk.sync_ok()
    hall.sync_ok()
    assert elder_registry.load(hall.store, "elder-001").notify_family is False
    assert platform_elder(platform, community, "elder-002")["notify_family"] is False
