"""Activities (活动): the sessions of a chosen day in the operator's communities — each with its
title, time, place and host, places booked of its capacity, its waiting list and who came.

Sessions are the slots of every service the community's catalogue books by `session`. Elders
show by masked name only (privacy.mask_name), never a phone or an address.
"""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from babel.dates import format_date
from fastapi import APIRouter
from fastapi.responses import HTMLResponse
from sqlalchemy import and_, select

from elder_wire import privacy
from elder_wire.codes import HOLDING, BookingStatus
from service_platform import attendance, catalogue, clock
from service_platform.console.web import PREFIX, Signed, allowed, render
from service_platform.schema import bookings, communities, elders, service_slots

router = APIRouter(prefix=PREFIX, include_in_schema=False)

DEFAULT_TZ = "Asia/Shanghai"


@router.get("/activities", response_class=HTMLResponse)
def activities_page(ctx: Signed, day: str = "") -> HTMLResponse:
    allowed(ctx, "activities")
    scope = ctx.operator.scope()
    with ctx.db.read() as conn:
        query = select(communities.c.id, communities.c.name, communities.c.tz).order_by(
            communities.c.name, communities.c.id)
        if scope is not None:
            query = query.where(communities.c.id.in_(scope))
        places = [dict(row) for row in conn.execute(query).mappings()]
        tz = ZoneInfo(places[0]["tz"] if places else DEFAULT_TZ)
        today = clock.now().astimezone(tz).date()
        chosen = _day(day) or today
        shown = [{**place, "sessions": _sessions(conn, place["id"], chosen)}
                 for place in places]
    return render(ctx, "activities.html", page="activities",
                  day=chosen.isoformat(), today=today.isoformat(),
                  day_words=format_date(chosen, ctx.t("console.activities.format.day"),
                                        locale=ctx.t.locale),
                  before=(chosen - dt.timedelta(days=1)).isoformat(),
                  after=(chosen + dt.timedelta(days=1)).isoformat(),
                  communities=shown, total=sum(len(c["sessions"]) for c in shown))


def _day(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _sessions(conn, community_id: str, day: dt.date) -> list[dict]:
    """The community's sessions on `day`, in order of their start."""
    keys = [key for key, entry in catalogue.services_of(conn, community_id).items()
            if entry.slot_kind == "session"]
    if not keys:
        return []
    tz = ZoneInfo(catalogue.get_community(conn, community_id)["tz"])
    slots = conn.execute(select(service_slots).where(
        service_slots.c.community_id == community_id, service_slots.c.day == day.isoformat(),
        service_slots.c.service.in_(keys)).order_by(
        service_slots.c.start_at, service_slots.c.id)).mappings().all()
    if not slots:
        return []
    ids = [slot["id"] for slot in slots]
    people = conn.execute(select(
        bookings.c.slot_id, bookings.c.status, bookings.c.units, bookings.c.waitlist_position,
        elders.c.name).select_from(bookings.outerjoin(elders, and_(
            elders.c.community_id == bookings.c.community_id,
            elders.c.id == bookings.c.elder_id))).where(
        bookings.c.community_id == community_id, bookings.c.slot_id.in_(ids),
        bookings.c.status.in_([*HOLDING, BookingStatus.WAITLISTED])).order_by(
        bookings.c.waitlist_position, bookings.c.received_at, bookings.c.id)).mappings().all()
    came = attendance.of_slots(conn, community_id, ids)
    shown = []
    for slot in slots:
        mine = [row for row in people if row["slot_id"] == slot["id"]]
        booked = [row for row in mine if row["status"] != BookingStatus.WAITLISTED]
        waiting = [row for row in mine if row["status"] == BookingStatus.WAITLISTED]
        start = clock.parse(slot["start_at"]).astimezone(tz)
        end = clock.parse(slot["end_at"]).astimezone(tz)
        held = sum(row["units"] for row in booked)
        shown.append({
            "id": slot["id"], "title": slot["title"] or slot["service"],
            "time": f"{start:%H:%M}–{end:%H:%M}", "place": slot["place"] or "",
            "host": slot["host"] or "", "booked": held, "capacity": slot["capacity"],
            "full": held >= slot["capacity"], "waiting": len(waiting),
            "attended": came[slot["id"]],
            "names": [privacy.mask_name(row["name"] or "") for row in booked],
            "waiting_names": [privacy.mask_name(row["name"] or "") for row in waiting]})
    return shown
