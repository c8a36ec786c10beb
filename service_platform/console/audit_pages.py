"""The audit log (district admins; a centre manager sees the lines of its communities only):
who did what, in which community, to what; newest first, a page at a time, filtered by community
and by action. A second tab shows the kiosks' staff audit log of the same communities.

Lines hold ids and codes, never personal data, and the page shows nothing else: an account
named as a subject shows as its user name.
"""
from __future__ import annotations

import json
from urllib.parse import urlencode

from fastapi import APIRouter
from fastapi.responses import HTMLResponse
from sqlalchemy import Select, select

from service_platform.console import audit
from service_platform.console.web import PREFIX, Context, Signed, allowed, render
from service_platform.schema import audit_log, communities, operator_audit, operators

router = APIRouter(prefix=PREFIX, include_in_schema=False)

PAGE = 100
DEFAULT_TZ = "Asia/Shanghai"  # lines of no community (sign-ins, district-wide accounts)
TABS = ("operators", "kiosks")


def _places(ctx: Context, conn) -> dict[str, dict]:
    """The communities the reader may see: id → {name, tz}."""
    query = select(communities.c.id, communities.c.name, communities.c.tz).order_by(
        communities.c.name, communities.c.id)
    scope = ctx.operator.scope()
    if scope is not None:
        query = query.where(communities.c.id.in_(scope))
    return {row.id: {"name": row.name, "tz": row.tz} for row in conn.execute(query)}


def _scoped(query: Select, column, ctx: Context, community: str | None) -> Select:
    if community:
        return query.where(column == community)
    scope = ctx.operator.scope()
    return query if scope is None else query.where(column.in_(scope))


@router.get("/audit", response_class=HTMLResponse)
def audit_page(ctx: Signed, community: str = "", action: str = "", before: int | None = None,
               tab: str = "operators", page: int = 0) -> HTMLResponse:
    allowed(ctx, "audit", community or None)
    tab = tab if tab in TABS else TABS[0]
    action = action[:64]
    with ctx.db.read() as conn:
        places = _places(ctx, conn)
        if tab == "operators":
            found = _operator_lines(ctx, conn, community, action, before)
        else:
            found = _kiosk_lines(ctx, conn, community, action, max(page, 0))
    values = {"community": community, "action": action, "tab": tab}
    return render(ctx, "audit.html", page="audit", places=places, filters=values,
                  query=lambda **more: urlencode(
                      {k: v for k, v in {**values, **more}.items() if v not in ("", None)}),
                  default_tz=DEFAULT_TZ, **found)


def _operator_lines(ctx: Context, conn, community: str, action: str,
                    before: int | None) -> dict:
    scope = [community] if community else ctx.operator.scope()
    rows = audit.lines(conn, scope, PAGE + 1, before, action or None)
    older = rows[PAGE - 1]["id"] if len(rows) > PAGE else None
    rows = rows[:PAGE]
    subjects = {row["subject"] for row in rows if row["subject"].startswith("op-")}
    names = dict(conn.execute(select(operators.c.id, operators.c.username).where(
        operators.c.id.in_(subjects))).all()) if subjects else {}
    lines = [{**row, "words": _words(ctx, row["action"]),
              "subject_name": names.get(row["subject"]), "details": _details(row["detail"])}
             for row in rows]
    actions = conn.execute(_scoped(select(operator_audit.c.action).distinct(),
                                   operator_audit.c.community_id, ctx, community)
                           .order_by(operator_audit.c.action)).scalars().all()
    return {"lines": lines, "older": older, "newest": before is not None,
            "actions": [(code, _words(ctx, code)) for code in actions]}


def _kiosk_lines(ctx: Context, conn, community: str, action: str, page: int) -> dict:
    query = _scoped(select(audit_log), audit_log.c.community_id, ctx, community)
    if action:
        query = query.where(audit_log.c.action == action)
    rows = [dict(row) for row in conn.execute(
        query.order_by(audit_log.c.received_at.desc(), audit_log.c.id.desc())
        .limit(PAGE + 1).offset(page * PAGE)).mappings()]
    actions = conn.execute(_scoped(select(audit_log.c.action).distinct(),
                                   audit_log.c.community_id, ctx, community)
                           .order_by(audit_log.c.action)).scalars().all()
    return {"lines": rows[:PAGE], "older_page": page + 1 if len(rows) > PAGE else None,
            "newest": page > 0, "actions": [(code, code) for code in actions]}


def _words(ctx: Context, action: str) -> str:
    """An action in words where the catalogue has them, else its code."""
    key = f"console.audit.action.{action}"
    words = ctx.t(key)
    return action if words == key else words


def _details(detail: str | None) -> list[tuple[str, str]]:
    if not detail:
        return []
    try:
        data = json.loads(detail)
    except ValueError:
        return []
    if not isinstance(data, dict):
        return []
    return [(key, ", ".join(map(str, value)) if isinstance(value, list) else str(value))
            for key, value in sorted(data.items()) if value not in (None, "", [])]
