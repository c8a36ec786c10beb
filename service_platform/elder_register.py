"""Staff registering and editing elders from the kiosk (elder.upsert), and their audit log."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Connection, RowMapping, insert, select

from elder_wire.operations import AuditAppend, ElderUpsert
from service_platform import catalogue, clock
from service_platform.auth import Kiosk
from service_platform.bookings import Outcome
from service_platform.schema import audit_log, elders, subsidy_levels


def upsert(conn: Connection, kiosk: Kiosk, order: ElderUpsert) -> Outcome:
    """Create or replace an elder of the kiosk's community; the latest arrival wins."""
    community_id = kiosk.community_id
    holder = conn.execute(select(elders.c.id).where(
        elders.c.community_id == community_id, elders.c.card_no == order.card_no)).scalar()
    if holder is not None and holder != order.id:
        return Outcome.rejected("card_in_use")
    if conn.execute(select(subsidy_levels.c.level).where(
            subsidy_levels.c.community_id == community_id,
            subsidy_levels.c.level == order.subsidy_level)).first() is None:
        return Outcome.rejected("unknown_subsidy_level")
    created = catalogue.get_elder(conn, community_id, order.id) is None
    person = order.model_dump(exclude={"staff_id"}, mode="json")
    catalogue.put_elders(conn, community_id, [{**person, "updated_by": order.staff_id}])
    return Outcome("applied", data={"elder_id": order.id, "created": created})


def append_audit(conn: Connection, kiosk: Kiosk, order: AuditAppend,
                 now: dt.datetime) -> Outcome:
    """One line of the staff audit log; lines are never changed or removed."""
    audit_id = str(order.id)
    existing = _audit_line(conn, kiosk.community_id, audit_id)
    if existing is not None:
        same = (existing["staff_id"], existing["action"], existing["subject"]) == (
            order.staff_id, order.action, order.subject)
        return Outcome("applied", data={"audit_id": audit_id}) if same \
            else Outcome.rejected("duplicate")
    conn.execute(insert(audit_log).values(
        community_id=kiosk.community_id, id=audit_id, staff_id=order.staff_id,
        action=order.action, subject=order.subject, kiosk_id=kiosk.id,
        created_at=order.created_at.isoformat(), received_at=clock.stamp(now)))
    return Outcome("applied", data={"audit_id": audit_id})


def _audit_line(conn: Connection, community_id: str, audit_id: str) -> RowMapping | None:
    return conn.execute(select(audit_log).where(
        audit_log.c.community_id == community_id, audit_log.c.id == audit_id)).mappings().first()
