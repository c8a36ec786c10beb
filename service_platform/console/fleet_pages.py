"""The kiosk fleet: every kiosk of the operator's communities as it last reported (silent ones
first), adding a kiosk (its one-time enrolment code and QR code, shown once) and revoking one
after a confirmation page. The same platform calls as `kiosk-platform add-kiosk`/`revoke-kiosk`.
"""
from __future__ import annotations

import json
import re
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Form
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup
from sqlalchemy import select

from service_platform import auth, catalogue, clock, fleet, leases
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
from service_platform.schema import communities, kiosks

router = APIRouter(prefix=PREFIX, include_in_schema=False)

NAME_MAX = 100  # kiosks.name
URL_MAX = 200
_URL_PATH = re.compile(r"^[A-Za-z0-9._~/%-]*$")


def _communities(ctx: Context) -> list[dict]:
    """The communities the operator may add kiosks to: (id, name), by name."""
    query = select(communities.c.id, communities.c.name).order_by(communities.c.name,
                                                                   communities.c.id)
    scope = ctx.operator.scope()
    if scope is not None:
        query = query.where(communities.c.id.in_(scope))
    with ctx.db.read() as conn:
        return [dict(row) for row in conn.execute(query).mappings()]


def _fleet(ctx: Context) -> list[dict]:
    with ctx.db.read() as conn:
        rows = fleet.listing(conn, ctx.operator.scope(), clock.now())
    return sorted(rows, key=lambda row: not row["silent"])  # stable: silent first, then as listed


def platform_url(ctx: Context) -> str:
    """The address this page was reached at: where kiosks find the platform, unless told."""
    return str(ctx.request.base_url).rstrip("/")


def check_url(text: str) -> str | None:
    """A platform address as typed, tidied, or None if it is not an http(s) address."""
    text = text.strip().rstrip("/")
    if not text or len(text) > URL_MAX or not text.isascii() or any(c.isspace() for c in text):
        return None
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018  (raises ValueError for a bad port)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.username \
            or parts.password or parts.query or parts.fragment or "#" in text \
            or not _URL_PATH.match(parts.path):
        return None
    return text


def enrolment_text(url: str, code: str) -> str:
    """What the QR code says: the same JSON `kiosk-platform add-kiosk` prints."""
    return json.dumps({"v": 1, "platform": url, "code": code}, separators=(", ", ": "))


def qr_svg(text: str, label: str) -> Markup:
    """The QR code of `text` as inline SVG (drawn here, no image library, no inline style)."""
    import qrcode
    from qrcode.image.svg import SvgPathImage

    qr = qrcode.QRCode(border=4, error_correction=qrcode.constants.ERROR_CORRECT_M,
                       image_factory=SvgPathImage)
    qr.add_data(text)
    qr.make(fit=True)
    svg = qr.make_image().to_string(encoding="unicode")
    svg = re.sub(r'^<svg width="[^"]*" height="[^"]*"', "<svg", svg, count=1)
    label = Markup.escape(label)
    return Markup(svg.replace("<svg ", f'<svg role="img" aria-label="{label}" ', 1))


@router.get("/kiosks", response_class=HTMLResponse)
def kiosk_fleet(ctx: Signed, revoked: str = "") -> HTMLResponse:
    allowed(ctx, "kiosks")
    return _fleet_page(ctx, revoked=revoked)


def _fleet_page(ctx: Context, errors: dict | None = None, form: dict | None = None,
                revoked: str = "", status_code: int = 200) -> HTMLResponse:
    rows = _fleet(ctx)
    gone = next((row for row in rows if row["id"] == revoked and row["state"] == "revoked"),
                None)
    places = _communities(ctx)
    return render(ctx, "fleet.html", status_code=status_code, page="kiosks", rows=rows,
                  silent=sum(row["silent"] for row in rows), places=places,
                  errors=errors or {},
                  form=form or {"community": places[0]["id"] if len(places) == 1 else "",
                                "name": "", "url": ""},
                  revoked=gone, default_url=platform_url(ctx))


@router.post("/kiosks/add", response_class=HTMLResponse)
def add_kiosk(ctx: Signed, csrf: Annotated[str, Form()] = "",
              community: Annotated[str, Form()] = "", name: Annotated[str, Form()] = "",
              url: Annotated[str, Form()] = "") -> HTMLResponse:
    check_form(ctx, csrf)
    allowed(ctx, "kiosks")
    form = {"community": community, "name": name, "url": url}
    errors = {}
    name = name.strip()
    if not name:
        errors["name"] = "console.kiosks.error.name_missing"
    elif len(name) > NAME_MAX:
        errors["name"] = "console.kiosks.error.name_long"
    platform = check_url(url) if url.strip() else platform_url(ctx)
    if platform is None:
        errors["url"] = "console.kiosks.error.url"
    if not community:
        errors["community"] = "console.kiosks.error.community_missing"
    elif not ctx.operator.covers(community):
        raise Refused("console.refused.scope")

    def work(conn):
        if catalogue.get_community(conn, community) is None:
            return None
        kiosk_id, code = auth.add_kiosk(conn, community, name)
        ctx.audit("kiosk.add", kiosk_id, community, {"name": name, "platform": platform},
                  conn=conn)  # never the code
        return kiosk_id, code
    made = None if errors else ctx.db.run_write(work)
    if made is None:
        errors.setdefault("community", "console.kiosks.error.community_unknown")
        return _fleet_page(ctx, errors, form, status_code=422)
    kiosk_id, code = made
    with ctx.db.read() as conn:
        row = conn.execute(select(kiosks.c.code_expires_at).where(kiosks.c.id == kiosk_id)
                           ).mappings().one()
        place = catalogue.get_community(conn, community)
    text = enrolment_text(platform, code)
    return render(ctx, "kiosk_added.html", page="kiosks", kiosk_id=kiosk_id, name=name,
                  community=place, code=code, platform=platform, enrolment=text,
                  qr=qr_svg(text, ctx.t("console.kiosks.added.qr_label")),
                  expires_at=row["code_expires_at"])


def _kiosk(ctx: Context, kiosk_id: str):
    """The kiosk's row with its community's name and time zone, if the operator may see it."""
    allowed(ctx, "kiosks")
    with ctx.db.read() as conn:
        row = conn.execute(
            select(kiosks, communities.c.name.label("community_name"), communities.c.tz)
            .join(communities, communities.c.id == kiosks.c.community_id)
            .where(kiosks.c.id == kiosk_id)).mappings().first()
    if row is not None:
        allowed(ctx, "kiosks", row["community_id"])
    return row


@router.get("/kiosks/{kiosk_id}/revoke", response_class=HTMLResponse)
def revoke_page(ctx: Signed, kiosk_id: str) -> HTMLResponse:
    row = _kiosk(ctx, kiosk_id)
    if row is None:
        return render(ctx, "not_found.html", status_code=404, page="kiosks")
    with ctx.db.read() as conn:
        entry = next((item for item in fleet.listing(conn, [row["community_id"]], clock.now())
                      if item["id"] == kiosk_id), None)
    return render(ctx, "kiosk_revoke.html", page="kiosks", row=row, entry=entry,
                  state=fleet.state(row))


@router.post("/kiosks/{kiosk_id}/revoke")
def revoke(ctx: Signed, kiosk_id: str,
           csrf: Annotated[str, Form()] = "") -> Response:
    check_form(ctx, csrf)
    row = _kiosk(ctx, kiosk_id)
    if row is None:
        return render(ctx, "not_found.html", status_code=404, page="kiosks")

    def work(conn):
        if not auth.revoke_kiosk(conn, kiosk_id):
            return  # already revoked: nothing to do, nothing to log
        returned = leases.return_all(conn, kiosk_id)
        ctx.audit("kiosk.revoke", kiosk_id, row["community_id"],
                  {"leases_returned": returned}, conn=conn)
    ctx.db.run_write(work)
    return see_other(f"{PREFIX}/kiosks?revoked={kiosk_id}")
