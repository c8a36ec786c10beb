"""Our services, for a provider's account: its own bookings (coming and of the last two weeks),
the ratings and the complaints about it, in its one community and nothing of any other provider.

Elders show by masked name only (privacy.mask_name), never a phone or an address.
"""
from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

from babel.dates import format_date
from fastapi import APIRouter
from fastapi.responses import HTMLResponse
from sqlalchemy import and_, func, select

from elder_wire import privacy
from elder_wire.catalogue import Service
from service_platform import catalogue, clock, feedback, services
from service_platform.console.web import PREFIX, Context, Signed, allowed, render
from service_platform.schema import (
    bookings,
    communities,
    complaints,
    elders,
    meal_slots,
    ratings,
    service_slots,
)

router = APIRouter(prefix=PREFIX, include_in_schema=False)

LIMIT = 100  # rows of each list
RECENT_DAYS = 14


@router.get("/provider", response_class=HTMLResponse)
def provider_page(ctx: Signed) -> HTMLResponse:
    allowed(ctx, "provider")
    me = ctx.operator
    if not me.provider_id or not me.community_ids:
        return render(ctx, "provider.html", page="provider", provider=None)
    community_id, provider_id = me.community_ids[0], me.provider_id
    allowed(ctx, "provider", community_id)
    with ctx.db.read() as conn:
        place = conn.execute(select(communities.c.name, communities.c.tz).where(
            communities.c.id == community_id)).first()
        tz = place.tz if place else "Asia/Shanghai"
        today = clock.now().astimezone(ZoneInfo(tz)).date()
        provider = services.get_provider(conn, community_id, provider_id) or {
            "id": provider_id, "name": provider_id, "kinds": {}, "departments": {}}
        days = _day()
        upcoming = _bookings(conn, community_id, provider_id, days >= today.isoformat(),
                             days.asc())
        since = (today - dt.timedelta(days=RECENT_DAYS)).isoformat()
        recent = _bookings(conn, community_id, provider_id,
                           and_(days < today.isoformat(), days >= since), days.desc())
        rated = _feedback(conn, ratings, community_id, provider_id)
        complained = _feedback(conn, complaints, community_id, provider_id)
        counts = feedback.provider_ratings(conn, community_id, provider_id)
        open_complaints = conn.execute(select(func.count()).select_from(complaints).where(
            complaints.c.community_id == community_id, complaints.c.provider_id == provider_id,
            complaints.c.state == "open")).scalar()
        offered = catalogue.services_of(conn, community_id)
    show = _Shower(ctx, tz, provider, offered)
    return render(ctx, "provider.html", page="provider", provider=provider,
                  community=place.name if place else community_id,
                  upcoming=[show.booking(row) for row in _in_day_order(upcoming)],
                  recent=[show.booking(row) for row in _in_day_order(recent, newest=True)],
                  ratings=[show.rating(row) for row in rated],
                  complaints=[show.complaint(row) for row in complained],
                  counts=counts, open_complaints=open_complaints, limit=LIMIT,
                  recent_days=RECENT_DAYS)


def _day():
    """A booking's day: its service slot's, or its meal slot's."""
    return func.coalesce(service_slots.c.day, meal_slots.c.day)


def _with_slots(joined):
    """`joined` (holding bookings) with the booking's service slot or meal slot."""
    return joined.outerjoin(service_slots, and_(
        service_slots.c.community_id == bookings.c.community_id,
        service_slots.c.id == bookings.c.slot_id)).outerjoin(meal_slots, and_(
            meal_slots.c.community_id == bookings.c.community_id,
            meal_slots.c.id == bookings.c.slot_id))


def _bookings(conn, community_id: str, provider_id: str, when, order) -> list[dict]:
    day = _day().label("day")
    query = select(
        bookings.c.id, bookings.c.service, bookings.c.status, bookings.c.kind,
        bookings.c.department, bookings.c.mode, bookings.c.elder_id, day,
        service_slots.c.start_at, service_slots.c.end_at, service_slots.c.window,
        meal_slots.c.meal, elders.c.name.label("elder_name"),
    ).select_from(_with_slots(bookings).outerjoin(elders, and_(
        elders.c.community_id == bookings.c.community_id,
        elders.c.id == bookings.c.elder_id))).where(
        bookings.c.community_id == community_id, bookings.c.provider_id == provider_id,
        when).order_by(order, service_slots.c.start_at, bookings.c.id).limit(LIMIT)
    return [dict(row) for row in conn.execute(query).mappings()]


def _in_day_order(rows: list[dict], newest: bool = False) -> list[dict]:
    """By day, then by time (lunch before dinner); newest day first for the past."""
    meals = {"lunch": "12", "dinner": "18"}

    def moment(row):
        return row["start_at"] or meals.get(row["meal"] or "", "")
    rows = sorted(rows, key=moment)
    return sorted(rows, key=lambda row: row["day"] or "", reverse=newest)


def _feedback(conn, table, community_id: str, provider_id: str) -> list[dict]:
    """The newest ratings or complaints about the provider, with their booking's service and day."""
    day = _day().label("day")
    query = select(table, bookings.c.service, day).select_from(
        _with_slots(table.outerjoin(bookings, and_(
            bookings.c.id == table.c.booking_id,
            bookings.c.community_id == table.c.community_id)))).where(
        table.c.community_id == community_id, table.c.provider_id == provider_id,
    ).order_by(table.c.created_at.desc(), table.c.id).limit(LIMIT)
    return [dict(row) for row in conn.execute(query).mappings()]


class _Shower:
    """Rows as the page shows them: words for codes, local times, masked names."""

    def __init__(self, ctx: Context, tz: str, provider: dict,
                 offered: dict[str, Service]) -> None:
        self.t, self.tz, self.provider = ctx.t, ZoneInfo(tz), provider
        self.tz_name = tz
        self.offered = offered

    def service(self, key: str) -> str:
        """The service's name in the catalogue, in the operator's language."""
        entry = self.offered.get(key)
        return entry.name(self.t.language) if entry is not None else key

    def words(self, prefix: str, code: str | None) -> str:
        if not code:
            return ""
        key = f"{prefix}.{code}"
        found = self.t(key)
        return code if found == key else found

    def day(self, day: str | None) -> str:
        if not day:
            return ""
        return format_date(dt.date.fromisoformat(day), self.t("console.provider.format.day"),
                           locale=self.t.locale)

    def time(self, row: dict) -> str:
        if row.get("start_at"):
            start = clock.parse(row["start_at"]).astimezone(self.tz)
            end = clock.parse(row["end_at"]).astimezone(self.tz)
            text = f"{start:%H:%M}–{end:%H:%M}"
        else:
            text = ""
        named = self.words("console.provider.meal", row.get("meal")) or \
            self.words("console.provider.window", row.get("window"))
        return " · ".join(part for part in (named, text) if part)

    def what(self, row: dict) -> str:
        """The service, with the cleaning kind or the clinic department in the provider's words."""
        service = self.service(row["service"])
        detail = ""
        if row.get("kind"):
            detail = self.provider["kinds"].get(row["kind"], {}).get("name", row["kind"])
        elif row.get("department"):
            detail = self.provider["departments"].get(row["department"], {}).get(
                "name", row["department"])
        return f"{service} · {detail}" if detail else service

    def booking(self, row: dict) -> dict:
        return {"id": row["id"], "day": self.day(row["day"]), "what": self.what(row),
                "time": self.time(row), "elder": privacy.mask_name(row["elder_name"]),
                "status": row["status"],
                "status_words": self.words("console.provider.status", row["status"])}

    def _reasons(self, reasons: str) -> str:
        try:
            codes = json.loads(reasons)
        except ValueError:
            codes = []
        return self.t("console.provider.separator").join(
            self.words("console.provider.reason", code) for code in codes) or "—"

    def _about(self, row: dict) -> str:
        if not row.get("service"):
            return ""
        service = self.service(row["service"])
        return f"{service} · {self.day(row['day'])}" if row.get("day") else service

    def rating(self, row: dict) -> dict:
        return {"id": row["id"], "when": self.t.when(row["created_at"], self.tz_name),
                "score": row["score"],
                "score_words": self.words("console.provider.score", row["score"]),
                "reasons": self._reasons(row["reasons"]), "about": self._about(row)}

    def complaint(self, row: dict) -> dict:
        return {"id": row["id"], "community_id": row["community_id"],
                "when": self.t.when(row["created_at"], self.tz_name), "state": row["state"],
                "state_words": self.words("console.provider.complaint_state", row["state"]),
                "reasons": self._reasons(row["reasons"]), "about": self._about(row)}
