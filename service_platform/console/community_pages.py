"""Communities: the list, each community's help escalation delay, the working days its
complaints are due in, and its timetable file.

A timetable upload goes as `kiosk-platform load` does, in two steps: the file is checked and
kept (table `timetable_uploads`, so that any platform process may serve the next step), its
dry run shown — what would be added, changed, removed — and only "load it" (naming that upload)
loads exactly the kept file, all or nothing. An upload belongs to its operator and community.
District admins may also add a community.
"""
from __future__ import annotations

import datetime as dt
import posixpath
import re
import uuid
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import delete, func, select, update
from starlette.datastructures import UploadFile

from elder_wire.time_zones import known_time_zone
from service_platform import catalogue, clock, complaints, escalation, operators, timetable
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
from service_platform.schema import communities, elders, kiosks, timetable_uploads

router = APIRouter(prefix=PREFIX, include_in_schema=False)

MAX_FILE = 2 * 1024 * 1024  # bytes of a timetable file
FILENAME_MAX = 200
UPLOADS_KEPT = dt.timedelta(days=1)  # an upload nobody loaded is dropped after this
KINDS = ("subsidy_level", "elder", "provider", "staff", "meal_slot", "service_slot")
COMMUNITY_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
NAME_MAX = 200
DEFAULT_TZ = "Asia/Shanghai"


class _AlreadyLoaded(Exception):
    """The upload was loaded meanwhile (another tab, another process)."""


# --- the list ----------------------------------------------------------------------------

def _list(ctx: Context, community_id: str | None = None) -> list[dict]:
    elder_count = (select(elders.c.community_id, func.count().label("n"))
                   .where(elders.c.active.is_(True)).group_by(elders.c.community_id).subquery())
    kiosk_count = (select(kiosks.c.community_id, func.count().label("n"))
                   .where(kiosks.c.revoked_at.is_(None)).group_by(kiosks.c.community_id)
                   .subquery())
    query = (select(communities, elder_count.c.n.label("elders"),
                    kiosk_count.c.n.label("kiosks"))
             .outerjoin(elder_count, elder_count.c.community_id == communities.c.id)
             .outerjoin(kiosk_count, kiosk_count.c.community_id == communities.c.id)
             .order_by(communities.c.name, communities.c.id))
    scope = ctx.operator.scope()
    if scope is not None:
        query = query.where(communities.c.id.in_(scope))
    if community_id is not None:
        query = query.where(communities.c.id == community_id)
    with ctx.db.read() as conn:
        return [{**row, "elders": row["elders"] or 0, "kiosks": row["kiosks"] or 0}
                for row in conn.execute(query).mappings()]


@router.get("/communities", response_class=HTMLResponse)
def community_list(ctx: Signed) -> HTMLResponse:
    allowed(ctx, "communities")
    return _list_page(ctx)


def _list_page(ctx: Context, errors: dict | None = None, form: dict | None = None,
               status_code: int = 200) -> HTMLResponse:
    return render(ctx, "communities.html", status_code=status_code, page="communities",
                  rows=_list(ctx), may_add=ctx.operator.scope() is None, errors=errors or {},
                  form=form or {"id": "", "name": "", "tz": DEFAULT_TZ})


@router.post("/communities/add", response_class=HTMLResponse)
def add_community(ctx: Signed, csrf: Annotated[str, Form()] = "",
                  id: Annotated[str, Form()] = "", name: Annotated[str, Form()] = "",
                  tz: Annotated[str, Form()] = "") -> Response:
    check_form(ctx, csrf)
    allowed(ctx, "communities")
    if ctx.operator.scope() is not None:  # district admins only
        raise Refused("console.refused.role")
    form = {"id": id, "name": name, "tz": tz}
    community_id, name, tz = id.strip(), name.strip(), tz.strip()
    errors = {}
    if not COMMUNITY_ID.match(community_id):
        errors["id"] = "console.communities.error.id"
    if not name or len(name) > NAME_MAX:
        errors["name"] = "console.communities.error.name"
    if not known_time_zone(tz):
        errors["tz"] = "console.communities.error.tz"

    def work(conn):
        if catalogue.get_community(conn, community_id) is not None:
            return False
        catalogue.create_community(conn, community_id, name, tz)
        ctx.audit("community.add", community_id, community_id, {"name": name, "tz": tz},
                  conn=conn)
        return True
    if not errors and not ctx.db.run_write(work):
        errors["id"] = "console.communities.error.id_taken"
    if errors:
        return _list_page(ctx, errors, form, status_code=422)
    return see_other(f"{PREFIX}/communities/{community_id}")


# --- one community -----------------------------------------------------------------------

def _community(ctx: Context, community_id: str) -> dict | None:
    allowed(ctx, "communities", community_id)
    return next(iter(_list(ctx, community_id)), None)


@router.get("/communities/{community_id}", response_class=HTMLResponse)
def community_page(ctx: Signed, community_id: str, saved: str = "") -> HTMLResponse:
    return _community_page(ctx, community_id, saved=saved)


def _community_page(ctx: Context, community_id: str, errors: dict | None = None,
                    minutes: str | None = None, file_errors: list[str] | None = None,
                    saved: str = "", status_code: int = 200,
                    days: str | None = None) -> HTMLResponse:
    community = _community(ctx, community_id)
    if community is None:
        return render(ctx, "not_found.html", status_code=404, page="communities")
    return render(ctx, "community.html", status_code=status_code, page="communities",
                  community=community, errors=errors or {},
                  minutes=str(community["escalate_after_min"]) if minutes is None else minutes,
                  file_errors=file_errors or [], saved=saved,
                  delays=escalation.DELAYS, max_mb=MAX_FILE // (1024 * 1024),
                  days=str(community["complaint_days"]) if days is None else days,
                  day_range=complaints.DAYS)


@router.post("/communities/{community_id}/escalation", response_class=HTMLResponse)
def set_escalation(ctx: Signed, community_id: str, csrf: Annotated[str, Form()] = "",
                   minutes: Annotated[str, Form()] = "") -> Response:
    return _set_number(ctx, community_id, csrf, minutes, "minutes", escalation.DELAYS,
                       escalation.delay, escalation.set_delay, "community.escalation_delay",
                       "escalation")


@router.post("/communities/{community_id}/complaint-days", response_class=HTMLResponse)
def set_complaint_days(ctx: Signed, community_id: str, csrf: Annotated[str, Form()] = "",
                       days: Annotated[str, Form()] = "") -> Response:
    """How many working days a complaint received from now on is due in."""
    return _set_number(ctx, community_id, csrf, days, "days", complaints.DAYS,
                       complaints.days, complaints.set_days, "community.complaint_days",
                       "complaint_days")


def _set_number(ctx: Signed, community_id: str, csrf: str, typed: str, field: str, choices,
                read, write, action: str, saved: str) -> Response:
    """One of a community's whole-number settings (field: the form's name, its error's key
    and the audit's): a value outside `choices` is answered on the page, nothing changed."""
    check_form(ctx, csrf)
    allowed(ctx, "communities", community_id)
    text = typed.strip()
    value = int(text) if text.isascii() and text.isdigit() and len(text) < 6 else None
    if value not in choices:
        return _community_page(ctx, community_id, errors={field: (
            f"console.communities.error.{field}")}, status_code=422, **{field: typed})

    def work(conn):
        if catalogue.get_community(conn, community_id) is None:
            return False
        before = read(conn, community_id)
        write(conn, community_id, value)
        ctx.audit(action, community_id, community_id, {field: value, "was": before}, conn=conn)
        return True
    if not ctx.db.run_write(work):
        return render(ctx, "not_found.html", status_code=404, page="communities")
    return see_other(f"{PREFIX}/communities/{community_id}?saved={saved}")


# --- timetable uploads -------------------------------------------------------------------

@router.post("/communities/{community_id}/timetable", response_class=HTMLResponse)
async def upload_timetable(request: Request, ctx: Signed,
                           community_id: str) -> Response:
    """Check the file as `kiosk-platform load --dry-run` does; keep it if it would load."""
    declared = request.headers.get("content-length", "")
    if not declared.isdigit() or int(declared) > MAX_FILE + 256 * 1024:
        await run_in_threadpool(allowed, ctx, "communities", community_id)
        key = "console.communities.error.file_large" if declared.isdigit() \
            else "console.communities.error.file_missing"
        return await run_in_threadpool(_community_page, ctx, community_id,
                                       errors={"file": key}, status_code=413)
    async with request.form(max_files=1, max_fields=4, max_part_size=64 * 1024) as form:
        csrf = form.get("csrf")
        check_form(ctx, csrf if isinstance(csrf, str) else "")
        await run_in_threadpool(allowed, ctx, "communities", community_id)
        upload = form.get("file")
        data = name = None
        if isinstance(upload, UploadFile) and upload.filename:
            name = posixpath.basename(upload.filename.replace("\\", "/"))[:FILENAME_MAX]
            data = await upload.read(MAX_FILE + 1)
    key = None
    if data is None or not name:
        key = "console.communities.error.file_missing"
    elif len(data) > MAX_FILE:
        key = "console.communities.error.file_large"
    elif not name.lower().endswith(".json"):
        key = "console.communities.error.file_type"
    elif not data:
        key = "console.communities.error.file_empty"
    if key is not None:
        return await run_in_threadpool(_community_page, ctx, community_id,
                                       errors={"file": key}, status_code=422)
    return await run_in_threadpool(_take_upload, ctx, community_id, name, data)


def _take_upload(ctx: Context, community_id: str, name: str,
                 data: bytes) -> Response:
    if _community(ctx, community_id) is None:
        return render(ctx, "not_found.html", status_code=404, page="communities")
    try:
        operators.load_timetable_content(ctx.db, community_id, data, name, dry_run=True)
    except operators.OperatorError as exc:
        refused = "console.communities.error.file_refused"
        return _community_page(ctx, community_id, errors={"file": refused},
                               file_errors=str(exc).splitlines(), status_code=422)
    upload_id = str(uuid.uuid4())
    now = clock.now()

    def work(conn):
        conn.execute(delete(timetable_uploads).where(  # uploads left unloaded for a day
            timetable_uploads.c.operator_id == ctx.operator.id,
            timetable_uploads.c.loaded_at.is_(None),
            timetable_uploads.c.created_at < clock.stamp(now - UPLOADS_KEPT)))
        conn.execute(timetable_uploads.insert().values(
            id=upload_id, community_id=community_id, operator_id=ctx.operator.id,
            filename=name, content=data.decode("utf-8"), created_at=clock.stamp(now)))
        ctx.audit("timetable.upload", upload_id, community_id,
                  {"filename": name, "bytes": len(data)}, conn=conn)
    ctx.db.run_write(work)
    return see_other(f"{PREFIX}/communities/{community_id}/timetable/{upload_id}")


def _upload(ctx: Context, community_id: str, upload_id: str):
    """The operator's own upload for this community, or None."""
    allowed(ctx, "communities", community_id)
    with ctx.db.read() as conn:
        return conn.execute(select(timetable_uploads).where(
            timetable_uploads.c.id == upload_id,
            timetable_uploads.c.community_id == community_id,
            timetable_uploads.c.operator_id == ctx.operator.id)).mappings().first()


def _counts(outcome: timetable.Outcome) -> list[dict]:
    return [{"kind": kind, **{what: outcome.counts[kind][what] for what in
                              ("added", "changed", "removed", "unchanged")}}
            for kind in [*KINDS, *sorted(set(outcome.counts) - set(KINDS))]
            if kind in outcome.counts and outcome.counts[kind].total()]


def _outcome_page(ctx: Context, community_id: str, row, mode: str,
                  outcome: timetable.Outcome | None = None, errors: list[str] | None = None,
                  status_code: int = 200) -> HTMLResponse:
    with ctx.db.read() as conn:
        community = catalogue.get_community(conn, community_id)
    return render(ctx, "timetable_outcome.html", status_code=status_code, page="communities",
                  community=community, upload=row, mode=mode,
                  counts=_counts(outcome) if outcome else [],
                  notes=outcome.notes if outcome else [], fed=outcome.fed if outcome else 0,
                  errors=errors or [])


@router.get("/communities/{community_id}/timetable/{upload_id}", response_class=HTMLResponse)
def preview(ctx: Signed, community_id: str, upload_id: str) -> HTMLResponse:
    """What loading the kept file would change (a dry run now), and the button to load it."""
    row = _upload(ctx, community_id, upload_id)
    if row is None:
        return render(ctx, "not_found.html", status_code=404, page="communities")
    if row["loaded_at"] is not None:
        return _outcome_page(ctx, community_id, row, "already")
    try:
        outcome = operators.load_timetable_content(ctx.db, community_id,
                                                   row["content"].encode("utf-8"),
                                                   row["filename"], dry_run=True)
    except operators.OperatorError as exc:
        return _outcome_page(ctx, community_id, row, "refused",
                             errors=str(exc).splitlines(), status_code=422)
    return _outcome_page(ctx, community_id, row, "preview", outcome)


@router.post("/communities/{community_id}/timetable/{upload_id}/load",
             response_class=HTMLResponse)
def load(ctx: Signed, community_id: str, upload_id: str,
         csrf: Annotated[str, Form()] = "") -> HTMLResponse:
    """Load exactly the kept file, all or nothing, and say what it did."""
    check_form(ctx, csrf)
    row = _upload(ctx, community_id, upload_id)
    if row is None:
        return render(ctx, "not_found.html", status_code=404, page="communities")
    if row["loaded_at"] is not None:
        return _outcome_page(ctx, community_id, row, "already")
    now = clock.now()

    def also(conn, outcome: timetable.Outcome) -> None:
        done = conn.execute(update(timetable_uploads).where(
            timetable_uploads.c.id == upload_id, timetable_uploads.c.loaded_at.is_(None),
        ).values(loaded_at=clock.stamp(now)))
        if done.rowcount != 1:
            raise _AlreadyLoaded()  # rolls the load back: it was loaded by the first
        ctx.audit("timetable.load", upload_id, community_id, {
            "filename": row["filename"], "fed": outcome.fed,
            "counts": {item["kind"]: {k: v for k, v in item.items() if k != "kind" and v}
                       for item in _counts(outcome)}}, conn=conn)
    try:
        outcome = operators.load_timetable_content(
            ctx.db, community_id, row["content"].encode("utf-8"), row["filename"], also=also)
    except _AlreadyLoaded:
        return _outcome_page(ctx, community_id, _upload(ctx, community_id, upload_id),
                             "already")
    except operators.OperatorError as exc:
        return _outcome_page(ctx, community_id, row, "refused",
                             errors=str(exc).splitlines(), status_code=422)
    return _outcome_page(ctx, community_id, {**row, "loaded_at": clock.stamp(now)}, "loaded",
                         outcome)
