"""The console's shared machinery: who is signed in, what they may do, forms, pages.

Every page module (help_pages, fleet_pages, …) has its own APIRouter and uses what is here:
- `Signed` (a dependency) gives the signed-in operator, its session and its words, or sends the
  browser to the sign-in page;
- `allowed(ctx, capability, community_id)` refuses with 403 what the role or scope does not allow;
- `check_form(ctx, csrf)` refuses a form without the session's CSRF token;
- `render(ctx, template, **values)` draws a page with the base layout.
Pages call the same platform modules as the API: no second copy of a rule.
"""
from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.datastructures import MutableHeaders

from service_platform import clock
from service_platform.console import accounts, audit, i18n, sessions
from service_platform.console.accounts import Operator
from service_platform.db import Database

HERE = Path(__file__).resolve().parent
PREFIX = "/console"
SESSION_COOKIE = "__Host-console"  # Secure, Path=/, no Domain: the browser enforces all three
LOGIN_COOKIE = "__Host-console-login"  # the sign-in form's CSRF token (no session yet)

templates = Jinja2Templates(directory=str(HERE / "templates"))
templates.env.globals["prefix"] = PREFIX

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; media-src 'self' data:; font-src 'self'; object-src 'none'; "
       "frame-ancestors 'none'; form-action 'self'; base-uri 'none'")


class SignInNeeded(Exception):
    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


class Refused(Exception):
    """403: the role or its scope does not allow this, or the form's token is missing."""

    def __init__(self, reason: str = "console.refused.role") -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class Context:
    request: Request
    db: Database
    operator: Operator
    session: sessions.Session
    t: i18n.Text

    def audit(self, action: str, subject: str = "", community_id: str | None = None,
              detail: dict | None = None, conn=None) -> None:
        """Write one audit line, in `conn`'s transaction if given, else in its own."""
        def write(c):
            audit.record(c, self.operator.id, self.operator.username, action, subject,
                         community_id, detail)
        if conn is not None:
            write(conn)
        else:
            self.db.run_write(write)


def db_of(request: Request) -> Database:
    return request.app.state.db


def text_for(request: Request) -> i18n.Text:
    return i18n.Text(i18n.choose(request.cookies.get(i18n.COOKIE),
                                 request.headers.get("accept-language")))


def idle_limit(request: Request):
    return getattr(request.app.state, "console_idle", sessions.IDLE)


def signed(request: Request) -> Context:
    """The signed-in operator, or SignInNeeded (the browser is sent to sign in)."""
    db = db_of(request)
    now = clock.now()

    session = sessions.use(db, request.cookies.get(SESSION_COOKIE), now, idle_limit(request))
    operator = None
    if session is not None:
        with db.read() as conn:
            operator = accounts.load(conn, session.operator_id)
    if session is None or operator is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise SignInNeeded(target)
    return Context(request, db, operator, session, text_for(request))


Signed = Annotated[Context, Depends(signed)]


def allowed(ctx: Context, capability: str, community_id: str | None = None) -> None:
    if not ctx.operator.may(capability):
        raise Refused("console.refused.role")
    if community_id is not None and not ctx.operator.covers(community_id):
        raise Refused("console.refused.scope")


def check_form(ctx: Context, csrf: str) -> None:
    if not csrf or not hmac.compare_digest(csrf, ctx.session.csrf_token):
        raise Refused("console.refused.csrf")


def render(ctx: Context | None, template: str, request: Request | None = None,
           status_code: int = 200, **values) -> HTMLResponse:
    request = ctx.request if ctx else request
    t = ctx.t if ctx else text_for(request)
    return templates.TemplateResponse(request, template, {
        "t": t, "me": ctx.operator if ctx else None,
        "csrf": ctx.session.csrf_token if ctx else "", **values}, status_code=status_code)


def see_other(path: str) -> RedirectResponse:
    return RedirectResponse(path, status_code=303)


def set_session_cookie(response: Response, secret: str) -> None:
    response.set_cookie(SESSION_COOKIE, secret, path="/", secure=True, httponly=True,
                        samesite="strict", max_age=int(sessions.LIFETIME.total_seconds()))


def new_login_token() -> str:
    return secrets.token_urlsafe(24)


class SecurityHeaders:
    """The console's pages: own-origin scripts and styles only, not framed, not cached.
    Plain ASGI (headers added to the answer's start as it passes): the kiosks' calls, which
    are not the console's, go through untouched at the cost of one comparison."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not path.startswith(PREFIX):
            await self.app(scope, receive, send)
            return
        cached = path.startswith(f"{PREFIX}/static/")

        async def send_with_headers(message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("Content-Security-Policy", CSP)
                headers["X-Content-Type-Options"] = "nosniff"
                headers["Referrer-Policy"] = "no-referrer"
                headers["X-Frame-Options"] = "DENY"
                if not cached:
                    headers["Cache-Control"] = "no-store"
            await send(message)

        await self.app(scope, receive, send_with_headers)


def install(app: FastAPI) -> None:
    """Mount the console on the platform's app."""
    from service_platform.console import (
        activity_pages,
        audit_pages,
        community_pages,
        complaint_pages,
        fleet_pages,
        help_pages,
        home_pages,
        operator_pages,
        provider_pages,
        report_pages,
    )

    app.mount(f"{PREFIX}/static", StaticFiles(directory=str(HERE / "static")),
              name="console-static")
    for module in (home_pages, help_pages, fleet_pages, community_pages, operator_pages,
                   audit_pages, provider_pages, activity_pages, complaint_pages,
                   report_pages):
        app.include_router(module.router)
    app.add_middleware(SecurityHeaders)

    @app.exception_handler(SignInNeeded)
    async def sign_in_first(request: Request, exc: SignInNeeded):
        if request.headers.get("accept", "").startswith("text/event-stream") or \
                request.headers.get("x-console-fragment"):
            return Response(status_code=401)
        return see_other(f"{PREFIX}/login?next={quote(exc.next_path, safe='')}")

    @app.exception_handler(Refused)
    async def refused(request: Request, exc: Refused):
        try:  # with the operator's menu when the refusal came after signing in
            ctx = await run_in_threadpool(signed, request)
        except SignInNeeded:
            ctx = None
        return render(ctx, "refused.html", request=request, status_code=403, reason=exc.reason)
