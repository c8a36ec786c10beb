"""Complaints (意见/投诉) in the console: the list with its filters and counts, and each
complaint's page — what the elder said, its timeline, and the steps the operator's role allows.

Duty workers, centre managers and district admins handle them (take, assign, resolve, close,
reopen); a provider's account sees only the complaints about its provider and may reply, never
resolve. Elders show by masked name; the phone of an elder who asked to be called back shows to
those who handle the complaint after a deliberate tap, which is audited and on the timeline.
Every step is audited (ids and codes, never the words written).
"""
from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Annotated

from babel.dates import format_date
from fastapi import APIRouter, Form
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import and_, func, select

from elder_wire import privacy
from service_platform import catalogue, clock, complaints
from service_platform.complaints import Actor, Filter, Refusal
from service_platform.console.web import (
    PREFIX,
    Context,
    Refused,
    Signed,
    allowed,
    check_form,
    render,
    see_other,
)
from service_platform.schema import (
    bookings,
    communities,
    meal_slots,
    operator_scopes,
    operators,
    providers,
    service_slots,
    staff,
)

router = APIRouter(prefix=PREFIX, include_in_schema=False)

LIMIT = 200  # rows of the list
STATE_FILTERS = ("", "open", "in_progress", "resolved", "closed", "all")


# --- who may see what -------------------------------------------------------------------------

def _filter(ctx: Context, community: str = "", provider: str = "") -> Filter:
    """The operator's own reach, narrowed by the chosen community and provider."""
    me = ctx.operator
    scope = me.scope()
    if community:
        allowed(ctx, "complaints", community)
        scope = [community]
    if me.role == "provider":
        return Filter(scope or [], me.provider_id or "-")
    return Filter(scope, provider or None)


def _visible(ctx: Context, row) -> bool:
    """A provider's account sees only the complaints about its provider."""
    return ctx.operator.role != "provider" or (
        ctx.operator.provider_id is not None and row["provider_id"] == ctx.operator.provider_id)


def _load(ctx: Context, community_id: str, complaint_id: str):
    """The complaint if the operator may see it, else None (shown as not found)."""
    allowed(ctx, "complaints", community_id)
    try:
        uuid.UUID(complaint_id)
    except ValueError:
        return None
    with ctx.db.read() as conn:
        row = complaints.get(conn, community_id, complaint_id)
    return row if row is not None and _visible(ctx, row) else None


# --- the list ---------------------------------------------------------------------------------

@router.get("/complaints", response_class=HTMLResponse)
def complaint_list(ctx: Signed, community: str = "", state: str = "", overdue: str = "",
                   mine: str = "", follow_up: str = "", provider: str = "") -> HTMLResponse:
    allowed(ctx, "complaints")
    handles = ctx.operator.may("complaints_handle")
    state = state if state in STATE_FILTERS else ""
    base = _filter(ctx, community[:64], provider[:64] if handles else "")
    where = Filter(base.community_ids, base.provider_id, state, overdue == "1",
                   follow_up == "1", ctx.operator.id if mine == "1" and handles else None)
    now = clock.now()
    with ctx.db.read() as conn:
        rows = complaints.listing(conn, where, now, LIMIT + 1)
        counts = complaints.counts(conn, base, now)
        places = _places(conn, ctx.operator.scope())
        offered = {cid: catalogue.services_of(conn, cid) for cid in {r["community_id"]
                                                                   for r in rows}}
        choices = _providers(conn, base.community_ids) if handles else []
        booked = _bookings(conn, rows)
    shower = _Shower(ctx, offered, booked)
    filters = {"community": community, "state": state, "overdue": overdue == "1",
               "mine": mine == "1" and handles, "follow_up": follow_up == "1",
               "provider": provider if handles else ""}
    return render(ctx, "complaints.html", page="complaints",
                  rows=[shower.item(row, now) for row in rows[:LIMIT]],
                  more=len(rows) > LIMIT, limit=LIMIT, counts=counts, places=places,
                  providers=choices, filters=filters, handles=handles,
                  query=_query(filters))


def _query(filters: dict):
    """The list's query string with some filters changed (for the count links)."""
    from urllib.parse import urlencode

    def build(**changed) -> str:
        merged = {**filters, **changed}
        return urlencode({key: ("1" if value is True else value)
                          for key, value in merged.items() if value not in ("", False, None)})
    return build


def _places(conn, scope: list[str] | None) -> dict[str, dict]:
    query = select(communities.c.id, communities.c.name, communities.c.tz).order_by(
        communities.c.name, communities.c.id)
    if scope is not None:
        query = query.where(communities.c.id.in_(scope))
    return {row.id: {"name": row.name, "tz": row.tz} for row in conn.execute(query)}


def _providers(conn, scope: list[str] | None) -> list[tuple[str, str]]:
    query = select(providers.c.id, providers.c.name).distinct().order_by(providers.c.name,
                                                                       providers.c.id)
    if scope is not None:
        query = query.where(providers.c.community_id.in_(scope))
    return [(row.id, row.name) for row in conn.execute(query)]


def _bookings(conn, rows: list[dict]) -> dict[tuple[str, str], dict]:
    """The bookings the complaints are about: their service and day."""
    wanted = {(r["community_id"], r["booking_id"]) for r in rows if r["booking_id"]}
    if not wanted:
        return {}
    day = func.coalesce(service_slots.c.day, meal_slots.c.day).label("day")
    query = select(bookings.c.community_id, bookings.c.id, bookings.c.service, bookings.c.kind,
                   bookings.c.status, day).select_from(bookings.outerjoin(service_slots, and_(
                       service_slots.c.community_id == bookings.c.community_id,
                       service_slots.c.id == bookings.c.slot_id)).outerjoin(meal_slots, and_(
                           meal_slots.c.community_id == bookings.c.community_id,
                           meal_slots.c.id == bookings.c.slot_id))).where(
        bookings.c.id.in_({booking_id for _, booking_id in wanted}))
    return {(row.community_id, row.id): dict(row._mapping) for row in conn.execute(query)
            if (row.community_id, row.id) in wanted}


class _Shower:
    """A complaint as the console shows it: words for codes, local times, a masked name."""

    def __init__(self, ctx: Context, offered: dict, booked: dict) -> None:
        self.t, self.offered, self.booked = ctx.t, offered, booked

    def words(self, prefix: str, code: str | None) -> str:
        if not code:
            return ""
        key = f"{prefix}.{code}"
        found = self.t(key)
        return code if found == key else found

    def reasons(self, reasons: str) -> str:
        try:
            codes = json.loads(reasons)
        except ValueError:
            codes = []
        return self.t("console.provider.separator").join(
            self.words("console.provider.reason", code) for code in codes) or "—"

    def booking(self, row) -> str:
        """The booking it is about: its service and day, in the operator's words."""
        booking = self.booked.get((row["community_id"], row["booking_id"]))
        if booking is None:
            return ""
        entry = self.offered.get(row["community_id"], {}).get(booking["service"])
        service = entry.name(self.t.language) if entry is not None else booking["service"]
        if not booking["day"]:
            return service
        day = format_date(dt.date.fromisoformat(booking["day"]),
                          self.t("console.provider.format.day"), locale=self.t.locale)
        return f"{service} · {day}"

    def about(self, row) -> str:
        about = row["about"] or ("booking" if row["booking_id"] else "centre")
        if about == "provider":
            return self.t("console.complaint.about.provider_named",
                          name=row["provider_name"] or row["provider_id"] or "—")
        if about == "booking":
            return self.booking(row) or self.t("console.complaint.about.booking")
        return self.t("console.complaint.about.centre")

    def item(self, row: dict, now: dt.datetime) -> dict:
        kept = {key: value for key, value in row.items()
                if key not in ("elder_name", "elder_phone")}  # never to a page whole
        return {**kept, "elder": privacy.mask_name(row["elder_name"]) or row["elder_id"],
                "about_words": self.about(row), "reason_words": self.reasons(row["reasons"]),
                "state_words": self.t(f"console.complaint.state.{row['state']}"),
                "overdue": complaints.is_overdue(row, now),
                "follow_up": complaints.needs_follow_up(row)}


# --- one complaint ----------------------------------------------------------------------------

@router.get("/complaints/{community_id}/{complaint_id}", response_class=HTMLResponse)
def complaint_page(ctx: Signed, community_id: str, complaint_id: str) -> HTMLResponse:
    return _page(ctx, community_id, complaint_id)


def _page(ctx: Context, community_id: str, complaint_id: str, errors: dict | None = None,
          form: dict | None = None, phone: str | None = None, notice: str = "",
          status_code: int = 200) -> HTMLResponse:
    row = _load(ctx, community_id, complaint_id)
    if row is None:
        return render(ctx, "not_found.html", status_code=404, page="complaints")
    now = clock.now()
    with ctx.db.read() as conn:
        item = complaints.one(conn, community_id, complaint_id)
        events = complaints.timeline(conn, community_id, complaint_id)
        shower = _Shower(ctx, {community_id: catalogue.services_of(conn, community_id)},
                         _bookings(conn, [item]))
        owners = _owners(conn, community_id) if ctx.operator.may("complaints_handle") else []
        staff_names = dict(conn.execute(select(staff.c.id, staff.c.name).where(
            staff.c.community_id == community_id)).all())
    tz = item["tz"]
    shown = shower.item(item, now)
    handles = ctx.operator.may("complaints_handle")
    draft = (form or {}).get("resolution", "")
    return render(
        ctx, "complaint.html", status_code=status_code, page="complaints", row=shown, tz=tz,
        events=events, owners=owners, handles=handles, errors=errors or {}, form=form or {},
        phone=phone, masked_phone=privacy.mask_phone(item["elder_phone"]), notice=notice,
        may_reply=ctx.operator.may("complaint_reply"), text_max=complaints.TEXT_MAX,
        kiosk_words=complaints.kiosk_words(item["created_at"], tz, "{resolution}"),
        preview=complaints.kiosk_words(item["created_at"], tz, item["resolution"] or draft)
        if (item["resolution"] or draft) else "",
        due_local=ctx.t.when(item["due_at"], tz), event_words=_event_words(ctx),
        staff_names=staff_names)


def _event_words(ctx: Context):
    def words(event) -> str:
        text = ctx.t(f"console.complaint.event.{event['what']}")
        if event["what"] == "answered" and event["note"]:
            return f"{text}: {ctx.t('console.provider.score.' + event['note'])}"
        return f"{text}: {event['note']}" if event["note"] else text
    return words


def _owners(conn, community_id: str) -> list[tuple[str, str]]:
    """Who may answer for the community's complaints: its duty workers and managers, and the
    district admins."""
    scoped = select(operator_scopes.c.operator_id).where(
        operator_scopes.c.community_id == community_id)
    query = select(operators.c.id, operators.c.display_name).where(
        operators.c.active.is_(True),
        ((operators.c.role.in_(("centre_manager", "duty_worker")))
         & operators.c.id.in_(scoped)) | (operators.c.role == "district_admin"),
    ).order_by(operators.c.display_name, operators.c.id)
    return [(row.id, row.display_name) for row in conn.execute(query)]


# --- the steps --------------------------------------------------------------------------------

def _act(ctx: Context, community_id: str, complaint_id: str, csrf: str, capability: str,
         step, audit_action: str, detail: dict | None = None,
         form: dict | None = None) -> Response:
    """Take one step in one transaction with its audit line; a step that cannot be taken
    shows the page again with a plain message beside the form."""
    check_form(ctx, csrf)
    allowed(ctx, capability, community_id)
    if _load(ctx, community_id, complaint_id) is None:
        return render(ctx, "not_found.html", status_code=404, page="complaints")
    actor = Actor(ctx.operator.id, ctx.operator.display_name, operator=True)

    def work(conn):
        before = complaints.get(conn, community_id, complaint_id)
        row = step(conn, actor, clock.now())
        ctx.audit(audit_action, complaint_id, community_id,
                  {"state": row["state"], "was": before["state"], **(detail or {})}, conn=conn)
    try:
        ctx.db.run_write(work)
    except Refusal as refusal:
        field = refusal.key.rsplit("_", 1)[0] if refusal.key.endswith(("_missing", "_long")) \
            else "step"
        status = 409 if refusal.key == "state" else 422
        return _page(ctx, community_id, complaint_id,
                     errors={field: f"console.complaint.error.{refusal.key}"}, form=form,
                     status_code=status)
    return see_other(f"{PREFIX}/complaints/{community_id}/{complaint_id}")


Text = Annotated[str, Form()]


@router.post("/complaints/{community_id}/{complaint_id}/take", response_class=HTMLResponse)
def take(ctx: Signed, community_id: str, complaint_id: str, csrf: Text = "") -> Response:
    return _act(ctx, community_id, complaint_id, csrf, "complaints_handle",
                lambda conn, actor, now: complaints.take(conn, community_id, complaint_id,
                                                         actor, now), "complaint.take")


@router.post("/complaints/{community_id}/{complaint_id}/start", response_class=HTMLResponse)
def start(ctx: Signed, community_id: str, complaint_id: str, csrf: Text = "") -> Response:
    return _act(ctx, community_id, complaint_id, csrf, "complaints_handle",
                lambda conn, actor, now: complaints.start(conn, community_id, complaint_id,
                                                          actor, now), "complaint.start")


@router.post("/complaints/{community_id}/{complaint_id}/assign", response_class=HTMLResponse)
def assign(ctx: Signed, community_id: str, complaint_id: str, csrf: Text = "",
           owner: Text = "") -> Response:
    def step(conn, actor, now):
        chosen = dict(_owners(conn, community_id)).get(owner)
        if chosen is None:
            raise Refusal("owner")
        return complaints.assign(conn, community_id, complaint_id,
                                 {"id": owner, "display_name": chosen}, actor, now)
    return _act(ctx, community_id, complaint_id, csrf, "complaints_handle", step,
                "complaint.assign", {"owner_id": owner[:64]})


@router.post("/complaints/{community_id}/{complaint_id}/resolve", response_class=HTMLResponse)
def resolve(ctx: Signed, community_id: str, complaint_id: str, csrf: Text = "",
            resolution: Text = "") -> Response:
    return _act(ctx, community_id, complaint_id, csrf, "complaints_handle",
                lambda conn, actor, now: complaints.resolve(
                    conn, community_id, complaint_id, resolution, actor, now),
                "complaint.resolve", form={"resolution": resolution})


@router.post("/complaints/{community_id}/{complaint_id}/close", response_class=HTMLResponse)
def close(ctx: Signed, community_id: str, complaint_id: str, csrf: Text = "",
          note: Text = "") -> Response:
    return _act(ctx, community_id, complaint_id, csrf, "complaints_handle",
                lambda conn, actor, now: complaints.close(conn, community_id, complaint_id,
                                                          note, actor, now),
                "complaint.close", form={"close_note": note})


@router.post("/complaints/{community_id}/{complaint_id}/reopen", response_class=HTMLResponse)
def reopen(ctx: Signed, community_id: str, complaint_id: str, csrf: Text = "",
           note: Text = "") -> Response:
    return _act(ctx, community_id, complaint_id, csrf, "complaints_handle",
                lambda conn, actor, now: complaints.reopen(conn, community_id, complaint_id,
                                                           note, actor, now),
                "complaint.reopen", form={"reopen_note": note})


@router.post("/complaints/{community_id}/{complaint_id}/reply", response_class=HTMLResponse)
def reply(ctx: Signed, community_id: str, complaint_id: str, csrf: Text = "",
          reply: Text = "") -> Response:
    return _act(ctx, community_id, complaint_id, csrf, "complaint_reply",
                lambda conn, actor, now: complaints.reply(conn, community_id, complaint_id,
                                                          reply, actor, now),
                "complaint.reply", form={"reply": reply})


@router.post("/complaints/{community_id}/{complaint_id}/phone", response_class=HTMLResponse)
def open_phone(ctx: Signed, community_id: str, complaint_id: str,
               csrf: Text = "") -> HTMLResponse:
    """The phone of an elder who asked to be called back: shown after a deliberate tap, to
    those who handle complaints; logged."""
    check_form(ctx, csrf)
    allowed(ctx, "complaints_handle", community_id)
    row = _load(ctx, community_id, complaint_id)
    if row is None:
        return render(ctx, "not_found.html", status_code=404, page="complaints")
    if not row["call_back"]:
        raise Refused("console.refused.role")
    actor = Actor(ctx.operator.id, ctx.operator.display_name, operator=True)

    def work(conn):
        complaints.add_event(conn, community_id, complaint_id, "phone_opened",
                             clock.stamp(clock.now()), actor)
        ctx.audit("complaint.phone_opened", complaint_id, community_id,
                  {"elder_id": row["elder_id"]}, conn=conn)
        return complaints.elder_phone(conn, community_id, row["elder_id"])
    return _page(ctx, community_id, complaint_id, phone=ctx.db.run_write(work) or "")
