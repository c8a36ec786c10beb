"""The live help queue: calls from the kiosks, answered (我来处理) and resolved (已解决).

The queue page keeps itself current: a server-sent event stream (`/console/events`) says "look
again" whenever a request of the operator's communities changes, in this process or another
(service_platform/live.py), and the page fetches the queue's fragment again. Contact details
show only after a deliberate tap, which is audited and kept on the request's timeline.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import json
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, StreamingResponse
from sqlalchemy import select

from elder_wire import privacy
from service_platform import catalogue, clock, help_requests, live
from service_platform.console.web import (
    PREFIX,
    Context,
    Signed,
    SignInNeeded,
    allowed,
    check_form,
    render,
    see_other,
    signed,
)
from service_platform.help_requests import Actor
from service_platform.schema import kiosks

router = APIRouter(prefix=PREFIX, include_in_schema=False)

RESOLVED_SHOWN_FOR = dt.timedelta(hours=12)
TIMES_DAYS = 31
KEEPALIVE_SECONDS = 15.0


def _queue(ctx: Context) -> dict:
    now = clock.now()
    since = clock.stamp(now - RESOLVED_SHOWN_FOR)
    with ctx.db.read() as conn:
        rows = help_requests.queue(conn, ctx.operator.scope(), since)
    waiting, done = [], []
    for row in rows:
        received = clock.parse(row["received_at"])
        deadline = received + dt.timedelta(minutes=row["escalate_after_min"])
        item = {
            "id": row["id"], "community_id": row["community_id"],
            "community": row["community_name"], "kiosk": row["kiosk_name"] or row["kiosk_id"],
            "elder": privacy.mask_name(row["elder_name"]) if row["elder_id"] else "",
            "kind": row["kind"], "state": row["state"], "received_at": row["received_at"],
            "waited_s": (now - received).total_seconds(),
            "escalate_at": clock.stamp(deadline),
            "escalated": row["state"] == "open" and (row["escalated_at"] is not None
                                                      or now >= deadline),
            "acknowledged_by": row["acknowledged_by_name"] or row["acknowledged_by"],
            "acknowledged_at": row["acknowledged_at"], "resolved_at": row["resolved_at"],
            "resolved_by": row["resolved_by_name"] or row["resolved_by"],
            "note": row["resolution_note"], "tz": row["tz"],
        }
        (done if row["state"] == "resolved" else waiting).append(item)
    done.sort(key=lambda item: item["resolved_at"], reverse=True)
    return {"waiting": waiting, "done": done,
            "open_ids": [i["id"] for i in waiting if i["state"] == "open"],
            "escalated_ids": [i["id"] for i in waiting if i["escalated"]]}


@router.get("/help", response_class=HTMLResponse)
def help_queue(ctx: Signed) -> HTMLResponse:
    allowed(ctx, "help")
    return render(ctx, "help_queue.html", queue=_queue(ctx), page="help")


@router.get("/help/queue", response_class=HTMLResponse)
def help_queue_fragment(ctx: Signed) -> HTMLResponse:
    allowed(ctx, "help")
    return render(ctx, "help_queue_items.html", queue=_queue(ctx))


def _request(ctx: Context, community_id: str, help_id: str, conn=None):
    allowed(ctx, "help", community_id)
    if conn is not None:
        return help_requests.get(conn, community_id, help_id)
    with ctx.db.read() as c:
        return help_requests.get(c, community_id, help_id)


@router.get("/help/{community_id}/{help_id}", response_class=HTMLResponse)
def incident(ctx: Signed, community_id: str, help_id: str) -> HTMLResponse:
    return _incident_page(ctx, community_id, help_id)


def _incident_page(ctx: Context, community_id: str, help_id: str, contact=None,
                   errors: dict | None = None, note: str = "",
                   status_code: int = 200) -> HTMLResponse:
    row = _request(ctx, community_id, help_id)
    if row is None:
        return render(ctx, "not_found.html", status_code=404, page="help")
    with ctx.db.read() as conn:
        events = help_requests.timeline(conn, community_id, help_id)
        community = catalogue.get_community(conn, community_id)
        elder = catalogue.get_elder(conn, community_id, row["elder_id"]) \
            if row["elder_id"] else None
        kiosk = conn.execute(select(kiosks.c.name).where(kiosks.c.id == row["kiosk_id"])
                             ).scalar()
    return render(ctx, "help_incident.html", status_code=status_code, page="help", row=row,
                  events=events, community=community, contact=contact, errors=errors or {},
                  note=note, elder=privacy.mask_name(elder["name"]) if elder else "",
                  kiosk=kiosk or row["kiosk_id"], tz=community["tz"])


@router.post("/help/{community_id}/{help_id}/acknowledge")
def acknowledge(ctx: Signed, community_id: str, help_id: str,
                csrf: Annotated[str, Form()] = "",
                back: Annotated[str, Form()] = "") -> RedirectResponse:
    check_form(ctx, csrf)
    _move(ctx, community_id, help_id, "acknowledged")
    return see_other(_back(back, community_id, help_id))


@router.post("/help/{community_id}/{help_id}/resolve", response_class=HTMLResponse)
def resolve(ctx: Signed, community_id: str, help_id: str, csrf: Annotated[str, Form()] = "",
            note: Annotated[str, Form()] = "", back: Annotated[str, Form()] = ""):
    check_form(ctx, csrf)
    note = note.strip()
    if not note or len(note) > help_requests.NOTE_LENGTH:
        key = "console.help.note_missing" if not note else "console.help.note_long"
        return _incident_page(ctx, community_id, help_id, errors={"note": key}, note=note,
                              status_code=422)
    _move(ctx, community_id, help_id, "resolved", note)
    return see_other(_back(back, community_id, help_id))


def _move(ctx: Context, community_id: str, help_id: str, state: str,
          note: str | None = None) -> None:
    actor = Actor(ctx.operator.id, ctx.operator.display_name, operator=True)

    def work(conn):
        if _request(ctx, community_id, help_id, conn) is None:
            return
        help_requests.advance(conn, community_id, help_id, state, actor, clock.now(), note)
        ctx.audit(f"help.{state}", help_id, community_id, conn=conn)
    ctx.db.run_write(work)


def _back(back: str, community_id: str, help_id: str) -> str:
    if back == "queue":
        return PREFIX + "/help"
    return f"{PREFIX}/help/{community_id}/{help_id}"


@router.post("/help/{community_id}/{help_id}/contact", response_class=HTMLResponse)
def open_contact(ctx: Signed, community_id: str, help_id: str,
                 csrf: Annotated[str, Form()] = "") -> HTMLResponse:
    """Phone, address and emergency contact: shown after a deliberate tap, which is logged."""
    check_form(ctx, csrf)
    row = _request(ctx, community_id, help_id)
    if row is None or row["elder_id"] is None:
        return _incident_page(ctx, community_id, help_id)
    actor = Actor(ctx.operator.id, ctx.operator.display_name, operator=True)

    def work(conn):
        details = help_requests.contact_details(conn, community_id, row["elder_id"])
        help_requests.add_event(conn, community_id, help_id, "details_opened",
                                clock.stamp(clock.now()), actor)
        ctx.audit("help.contact_opened", help_id, community_id,
                  {"elder_id": row["elder_id"]}, conn=conn)
        return details
    details = ctx.db.run_write(work)
    contact = None
    if details is not None:
        emergency = json.loads(details["emergency_contact"]) \
            if details["emergency_contact"] else None
        contact = {"name": details["name"], "phone": details["phone"],
                   "address": details["address"], "emergency": emergency,
                   "notify_family": bool(details["notify_family"])}
    return _incident_page(ctx, community_id, help_id, contact=contact)


@router.get("/help/times", response_class=HTMLResponse, name="help_times")
def times(ctx: Signed) -> HTMLResponse:
    allowed(ctx, "help")
    since = clock.stamp(clock.now() - dt.timedelta(days=TIMES_DAYS))
    with ctx.db.read() as conn:
        rows = help_requests.response_times(conn, ctx.operator.scope(), since)
        names = {cid: (catalogue.get_community(conn, cid) or {}).get("name", cid)
                 for cid in {r.community_id for r in rows}}
    return render(ctx, "help_times.html", rows=rows, names=names, days=TIMES_DAYS,
                  page="help_times")


@router.get("/events")
async def events(request: Request) -> StreamingResponse:
    """Server-sent events: `help` whenever a request of the operator's communities changes;
    `signed_out` when the session has ended. The open stream counts as activity."""
    ctx = await run_in_threadpool(signed, request)
    allowed(ctx, "help")
    scope = ctx.operator.scope()

    async def still_signed() -> bool:
        try:
            await run_in_threadpool(signed, request)
        except SignInNeeded:
            return False
        return True

    async def stream():
        async with live.HUB.listen() as queue:
            yield "retry: 2000\nevent: ready\ndata: {}\n\n"
            while True:
                try:
                    community_id = await asyncio.wait_for(queue.get(), KEEPALIVE_SECONDS)
                except TimeoutError:
                    if await request.is_disconnected():
                        return
                    if not await still_signed():
                        yield "event: signed_out\ndata: {}\n\n"
                        return
                    yield ": keep-alive\n\n"
                    continue
                if scope is None or community_id in scope:
                    yield "event: help\ndata: {}\n\n"

    return StreamingResponse(stream(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})
