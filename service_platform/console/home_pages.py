"""Signing in and out, the language, and where each role starts."""
from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from service_platform import clock
from service_platform.console import accounts, audit, i18n, sessions
from service_platform.console.web import (
    LOGIN_COOKIE,
    PREFIX,
    SESSION_COOKIE,
    Signed,
    check_form,
    db_of,
    new_login_token,
    render,
    see_other,
    set_session_cookie,
    text_for,
)

router = APIRouter(prefix=PREFIX, include_in_schema=False)

START = {"district_admin": "/help", "centre_manager": "/help", "duty_worker": "/help",
         "provider": "/provider"}


def _safe_next(target: str | None) -> str | None:
    """Only a path inside the console: never an address elsewhere (an open redirect)."""
    if target and target.startswith(PREFIX + "/") and not target.startswith("//") \
            and "\\" not in target and "://" not in target:
        return target
    return None


@router.get("", response_class=HTMLResponse)
@router.get("/", response_class=HTMLResponse)
def start(ctx: Signed) -> RedirectResponse:
    return see_other(PREFIX + START[ctx.operator.role])


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str | None = None) -> HTMLResponse:
    return _login_form(request, next)


def _login_form(request: Request, next_path: str | None, error: str | None = None,
                username: str = "", status_code: int = 200,
                error_values: dict | None = None) -> HTMLResponse:
    token = new_login_token()
    response = render(None, "login.html", request=request, status_code=status_code,
                      login_token=token, next=_safe_next(next_path) or "", error=error,
                      error_values=error_values or {}, username=username)
    response.set_cookie(LOGIN_COOKIE, token, path="/", secure=True, httponly=True,
                        samesite="strict", max_age=3600)
    return response


@router.post("/login", response_class=HTMLResponse)
def login(request: Request, username: Annotated[str, Form()] = "",
          password: Annotated[str, Form()] = "", login_token: Annotated[str, Form()] = "",
          next: Annotated[str, Form()] = "") -> HTMLResponse:
    expected = request.cookies.get(LOGIN_COOKIE, "")
    if not login_token or not expected or not hmac.compare_digest(login_token, expected):
        return _login_form(request, next, "console.login.expired", username, 403)
    if not username.strip() or not password:
        return _login_form(request, next, "console.login.missing", username, 422)
    db = db_of(request)
    now = clock.now()
    t = text_for(request)

    def work(conn):
        result = accounts.sign_in(conn, username[:64], password[:accounts.PASSWORD_MAX], now)
        action = "sign_in" if result.operator else f"sign_in_refused_{result.reason}"
        audit.record(conn, result.operator_id, username.strip().lower(), action)
        secret = sessions.start(conn, result.operator.id, now) if result.operator else None
        return result, secret
    result, secret = db.run_write(work)
    if result.operator is None:
        if result.reason == "locked":
            return _login_form(request, next, "console.login.locked", username, 429,
                               {"until": t.when(clock.stamp(result.locked_until))})
        return _login_form(request, next, f"console.login.{result.reason}", username, 401)
    response = see_other(_safe_next(next) or PREFIX + START[result.operator.role])
    set_session_cookie(response, secret)
    response.delete_cookie(LOGIN_COOKIE, path="/", secure=True, httponly=True,
                           samesite="strict")
    return response


@router.post("/logout")
def logout(ctx: Signed, csrf: Annotated[str, Form()] = "") -> RedirectResponse:
    check_form(ctx, csrf)

    def work(conn):
        sessions.end(conn, ctx.session.key_hash, clock.now())
        ctx.audit("sign_out", conn=conn)
    ctx.db.run_write(work)
    response = see_other(PREFIX + "/login")
    response.delete_cookie(SESSION_COOKIE, path="/", secure=True, httponly=True,
                           samesite="strict")
    return response


@router.post("/language")
def language(request: Request, language: Annotated[str, Form()] = "",
             back: Annotated[str, Form()] = "") -> RedirectResponse:
    """Choosing a language needs no sign-in (the sign-in page offers it); it changes nothing
    but a cookie, so it needs no CSRF token either."""
    response = see_other(_safe_next(back) or PREFIX + "/login")
    if language in i18n.LANGUAGES:
        response.set_cookie(i18n.COOKIE, language, path="/", secure=True, httponly=True,
                            samesite="lax", max_age=365 * 24 * 3600)
    return response
