"""Accounts (district admins only): the list of console operators, adding one, switching one off
or on, and giving one a new password (which also unlocks it). Every change is audited.

The rules of an account (user name, roles and their communities, the provider, the password)
are accounts.create's and accounts.check_new_password's; this page only shows their errors
beside the fields they name.
"""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy import select, update

from service_platform import clock
from service_platform.console import accounts, sessions
from service_platform.console.accounts import AccountError
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
from service_platform.schema import ROLES, communities, operator_sessions, providers

router = APIRouter(prefix=PREFIX, include_in_schema=False)

DEFAULT_TZ = "Asia/Shanghai"  # the district's, for accounts of every community
DONE = ("added", "off", "on", "password")  # what the account page says after a change


class _Undo(Exception):
    """Rolls back a creation that was only run to find the form's other errors."""


def _communities(conn) -> list[dict]:
    return [dict(row) for row in conn.execute(
        select(communities.c.id, communities.c.name, communities.c.tz)
        .order_by(communities.c.name, communities.c.id)).mappings()]


def _providers(conn) -> list[dict]:
    """Every community's providers, for the add form's provider select."""
    return [dict(row) for row in conn.execute(
        select(providers.c.community_id, providers.c.id, providers.c.name)
        .where(providers.c.active.is_(True))
        .order_by(providers.c.community_id, providers.c.name)).mappings()]


def _account(conn, operator_id: str) -> dict | None:
    return next((row for row in accounts.listing(conn) if row["id"] == operator_id), None)


def _locked(row: dict) -> str | None:
    """The lock's end while the account is locked, else None."""
    until = row["locked_until"]
    return until if until and clock.parse(until) > clock.now() else None


def _scope_of(row: dict) -> str | None:
    """The community an audit line about this account belongs to: its one community, if one."""
    return row["communities"][0] if len(row["communities"]) == 1 else None


@router.get("/operators", response_class=HTMLResponse)
def operator_list(ctx: Signed) -> HTMLResponse:
    allowed(ctx, "operators")
    with ctx.db.read() as conn:
        rows = accounts.listing(conn)
        places = _communities(conn)
    for row in rows:
        row["locked"] = _locked(row)
    return render(ctx, "operators.html", page="operators", rows=rows,
                  names={c["id"]: c["name"] for c in places}, tz=DEFAULT_TZ)


@router.get("/operators/new", response_class=HTMLResponse)
def new_operator(ctx: Signed) -> HTMLResponse:
    allowed(ctx, "operators")
    return _new_form(ctx, {"role": "duty_worker", "communities": []}, {})


def _new_form(ctx: Context, values: dict, errors: dict, status_code: int = 200) -> HTMLResponse:
    with ctx.db.read() as conn:
        places = _communities(conn)
        offered = _providers(conn)
    names = {c["id"]: c["name"] for c in places}
    groups: dict[str, list[dict]] = {}
    for provider in offered:
        groups.setdefault(provider["community_id"], []).append(provider)
    return render(ctx, "operator_new.html", status_code=status_code, page="operators",
                  values=values, errors=errors, roles=ROLES, communities=places,
                  provider_groups=[(names.get(cid, cid), items) for cid, items in groups.items()],
                  password_min=accounts.PASSWORD_MIN)


@router.post("/operators", response_class=HTMLResponse)
def add_operator(ctx: Signed, csrf: Annotated[str, Form()] = "",
                 username: Annotated[str, Form()] = "",
                 display_name: Annotated[str, Form()] = "",
                 role: Annotated[str, Form()] = "",
                 community: Annotated[list[str] | None, Form()] = None,
                 provider: Annotated[str, Form()] = "",
                 password: Annotated[str, Form()] = "",
                 password2: Annotated[str, Form()] = ""):
    allowed(ctx, "operators")
    check_form(ctx, csrf)
    chosen = [c for c in (community or []) if c]
    values = {"username": username, "display_name": display_name, "role": role,
              "communities": chosen, "provider": provider}  # never the password
    errors: dict[str, str] = {}
    try:
        accounts.check_new_password(password)
    except AccountError as exc:
        errors[exc.field] = exc.message_key
    if password2 != password:
        errors["password2"] = "console.operators.password_mismatch"
    # With a bad password, the other fields are still checked (by accounts.create, with a
    # stand-in password) and the creation undone, so that every error shows at once.
    stand_in = "x" * accounts.PASSWORD_MIN if errors else password

    def work(conn):
        try:
            operator_id = accounts.create(conn, username, display_name, role, stand_in,
                                          chosen, provider or None)
        except AccountError as exc:
            errors.setdefault(exc.field, exc.message_key)
            raise _Undo() from exc
        if errors:
            raise _Undo()
        row = _account(conn, operator_id)
        ctx.audit("operator.create", operator_id, _scope_of(row),
                  {"role": row["role"], "communities": row["communities"],
                   "provider_id": provider if row["role"] == "provider" else None},
                  conn=conn)
        return operator_id
    try:
        operator_id = ctx.db.run_write(work)
    except _Undo:
        return _new_form(ctx, values, errors, status_code=422)
    return see_other(f"{PREFIX}/operators/{operator_id}?done=added")


@router.get("/operators/{operator_id}", response_class=HTMLResponse)
def operator_page(ctx: Signed, operator_id: str, done: str = "") -> HTMLResponse:
    allowed(ctx, "operators")
    return _account_page(ctx, operator_id, done=done if done in DONE else "")


def _account_page(ctx: Context, operator_id: str, errors: dict | None = None,
                  done: str = "", status_code: int = 200) -> HTMLResponse:
    with ctx.db.read() as conn:
        row = _account(conn, operator_id)
        names = {c["id"]: c["name"] for c in _communities(conn)}
        provider = None
        if row is not None and row["role"] == "provider":
            provider = _provider_name(conn, operator_id)
    if row is None:
        return render(ctx, "not_found.html", status_code=404, page="operators")
    row["locked"] = _locked(row)
    return render(ctx, "operator.html", status_code=status_code, page="operators", row=row,
                  names=names, provider=provider, errors=errors or {}, done=done,
                  myself=row["id"] == ctx.operator.id, tz=DEFAULT_TZ,
                  password_min=accounts.PASSWORD_MIN)


def _provider_name(conn, operator_id: str) -> str | None:
    found = accounts.load(conn, operator_id)
    if found is None or found.provider_id is None or not found.community_ids:
        return None
    name = conn.execute(select(providers.c.name).where(
        providers.c.community_id == found.community_ids[0],
        providers.c.id == found.provider_id)).scalar()
    return name or found.provider_id


@router.post("/operators/{operator_id}/active")
def switch(ctx: Signed, operator_id: str, csrf: Annotated[str, Form()] = "",
           active: Annotated[str, Form()] = "") -> RedirectResponse:
    """Switch an account off (and sign it out everywhere) or on again."""
    allowed(ctx, "operators")
    check_form(ctx, csrf)
    on = active == "1"
    if not on and operator_id == ctx.operator.id:
        raise Refused("console.operators.not_yourself")

    def work(conn):
        row = _account(conn, operator_id)
        if row is None:
            return False
        accounts.set_active(conn, operator_id, on)
        if not on:
            sessions.end_all(conn, operator_id, clock.now())
        ctx.audit("operator.activate" if on else "operator.deactivate", operator_id,
                  _scope_of(row), conn=conn)
        return True
    if not ctx.db.run_write(work):
        return render(ctx, "not_found.html", status_code=404, page="operators")
    return see_other(f"{PREFIX}/operators/{operator_id}?done={'on' if on else 'off'}")


@router.post("/operators/{operator_id}/password", response_class=HTMLResponse)
def new_password(ctx: Signed, operator_id: str, csrf: Annotated[str, Form()] = "",
                 password: Annotated[str, Form()] = "",
                 password2: Annotated[str, Form()] = ""):
    """A new password; it unlocks the account and signs it out everywhere else."""
    allowed(ctx, "operators")
    check_form(ctx, csrf)
    errors: dict[str, str] = {}
    try:
        accounts.check_new_password(password)
    except AccountError as exc:
        errors[exc.field] = exc.message_key
    if password2 != password:
        errors["password2"] = "console.operators.password_mismatch"
    if errors:
        return _account_page(ctx, operator_id, errors=errors, status_code=422)

    def work(conn):
        row = _account(conn, operator_id)
        if row is None:
            return False
        accounts.set_password(conn, operator_id, password)
        if operator_id == ctx.operator.id:  # keep this session, end the others
            conn.execute(update(operator_sessions).where(
                operator_sessions.c.operator_id == operator_id,
                operator_sessions.c.ended_at.is_(None),
                operator_sessions.c.id_hash != ctx.session.key_hash,
            ).values(ended_at=clock.stamp(clock.now())))
        else:
            sessions.end_all(conn, operator_id, clock.now())
        ctx.audit("operator.password", operator_id, _scope_of(row), conn=conn)
        return True
    if not ctx.db.run_write(work):
        return render(ctx, "not_found.html", status_code=404, page="operators")
    return see_other(f"{PREFIX}/operators/{operator_id}?done=password")
