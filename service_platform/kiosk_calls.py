"""The two calls every kiosk makes all day — the pull (`GET /v1/changes`, every 30 s) and the
push of what it recorded (`POST /v1/push`) — and how TokenGate answers them itself: the token,
the fleet report and the route in one trip to a worker thread, not one for the token and
another for the route (and, for an answer model, a third for FastAPI to check it again).

Only a call plainly valid is answered so: a pull whose query is plain digits within range, a
push of JSON within the body limit, declared by its length, whose body parses and validates as
a `PushRequest`. Any other goes on to the FastAPI routes of the same paths, which answer it as
before (their 422s and the API's document are FastAPI's) with the same functions below.

The token is still checked before anything of a push's body is looked at: the body is taken
in while the token is being checked (a small body has come with the request's head), but it
is parsed only once the token has passed, and a refused call is answered at once, whether
all of its body came or not. A push whose body comes after its token has passed (a batch of
hundreds of operations comes in parts) is answered in a second trip to a worker thread."""
from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial

from sqlalchemy.exc import DBAPIError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.responses import Response

from elder_wire.operations import Operation, PushRequest, PushResponse
from service_platform import answers, clock, feed, operations
from service_platform.auth import Kiosk
from service_platform.db import Database
from service_platform.errors import ApiError

PAGE_DEFAULT, PAGE_MAX = 500, 1000  # changes a pull gets, unless it asks for fewer
# What TokenGate refuses a call for: its token (401, 403), or the database to check it (503).
REFUSED = (ApiError, DBAPIError)


def pull(conn, kiosk: Kiosk, since: int, limit: int) -> str:
    """The JSON answer to a pull: the community's changes after `since`, oldest first."""
    last, horizon = feed.head(conn, kiosk.community_id)
    if since > last:
        raise ApiError(409, "cursor_ahead", "the cursor is beyond this platform's feed")
    # Nothing new, the common case: the feed head says so, no page to read.
    page, cursor, more = ("[]", since, False) if since == last else feed.page_json(
        conn, kiosk.community_id, kiosk.id, since, limit)
    # Written out, not through ChangesResponse: the stored changes are JSON already.
    tail = json.dumps({"next": cursor, "more": more, "horizon": horizon,
                       "server_time": clock.stamp(clock.now())})
    return '{"changes":' + page + "," + tail[1:]


def push(db: Database, kiosk: Kiosk, ops: list[Operation]) -> str:
    """The JSON answer to a push: each operation applied once, one result each."""
    results = operations.push(db, kiosk, ops)
    return PushResponse(results=results, server_time=clock.stamp(clock.now())).model_dump_json(
        by_alias=True)


Serve = Callable[..., Awaitable[None]]


def taken_here(scope, body_limit: int) -> Serve | None:
    """How TokenGate answers this call itself, or None: FastAPI's routes answer it."""
    path, method = scope.get("path"), scope.get("method")
    if path == "/v1/changes" and method == "GET":
        query = pull_query(scope.get("query_string", b""))
        return None if query is None else partial(_serve_pull, *query)
    if path == "/v1/push" and method == "POST" and _plain_json_within(scope, body_limit):
        return _serve_push
    return None


def pull_query(query: bytes) -> tuple[int, int] | None:
    """(since, limit) of a query of plain digits within range, each given once at most."""
    found: dict[bytes, int] = {}
    for part in query.split(b"&") if query else ():
        name, equals, value = part.partition(b"=")
        if (name not in (b"since", b"limit") or name in found or not equals
                or not value.isdigit() or len(value) > 18):
            return None
        found[name] = int(value)
    since, limit = found.get(b"since", 0), found.get(b"limit", PAGE_DEFAULT)
    return (since, limit) if 1 <= limit <= PAGE_MAX else None


def _plain_json_within(scope, body_limit: int) -> bool:
    """A body declared by its length, within the limit, said to be JSON."""
    length = kind = None
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            if length is not None or not value.isdigit():
                return False
            length = int(value)
        elif name == b"content-type":
            kind = value.partition(b";")[0].strip().lower()
        elif name == b"transfer-encoding":
            return False
    return length is not None and length <= body_limit and kind == b"application/json"


async def _serve_pull(since: int, limit: int, gate, token: str, headers: Headers, scope,
                      receive, send) -> None:
    try:
        answer = await run_in_threadpool(_pull_in_thread, gate, token, headers, since, limit)
    except REFUSED as refused:
        await gate.refuse(send, refused)
        return
    await answer(scope, receive, send)


def _pull_in_thread(gate, token: str, headers: Headers, since: int, limit: int) -> Response:
    with gate.db.read() as conn:  # the token and the feed in one read transaction
        kiosk = gate.admit(conn, token, headers)  # raises when refused
        try:
            return answers.json_bytes(pull(conn, kiosk, since, limit))
        except Exception as exc:  # answered as the app's handlers answer it
            return answers.failure(exc)


async def _serve_push(gate, token: str, headers: Headers, scope, receive, send) -> None:
    taken: list[bytes] = []  # the whole body, once it has come
    reading = asyncio.ensure_future(_take_body(receive, taken))
    try:
        outcome = await run_in_threadpool(_push_in_thread, gate, token, headers, taken)
    except REFUSED as refused:
        _drop(reading)
        await gate.refuse(send, refused)
        return
    last = await reading
    if isinstance(outcome, _BodyLate) and last["type"] == "http.request":
        # Admitted before all of its body had come (a body of hundreds of operations comes in
        # parts): answered here all the same, not by FastAPI's route, which reads and checks
        # the body again on the event loop at several times the cost.
        outcome = await run_in_threadpool(_answer_push, gate.db, outcome.kiosk, taken[0])
    if isinstance(outcome, Response):
        await outcome(scope, receive, send)
    elif last["type"] == "http.request":  # not plainly valid: FastAPI's route says why
        await gate.pass_on(scope, _replay(taken[0], receive), send, outcome)
    # else the kiosk went away before all of its body came: nobody to answer


@dataclass(frozen=True, slots=True)
class _BodyLate:
    """The kiosk, admitted before all of its push's body had come."""

    kiosk: Kiosk


def _push_in_thread(gate, token: str, headers: Headers,
                    taken: list[bytes]) -> Response | Kiosk | _BodyLate:
    """The answer; the kiosk, admitted, when the body is not plainly valid; or `_BodyLate`."""
    kiosk = gate.admit_alone(token, headers)  # raises when refused
    if not taken:
        return _BodyLate(kiosk)
    return _answer_push(gate.db, kiosk, taken[0])


def _answer_push(db: Database, kiosk: Kiosk, body: bytes) -> Response | Kiosk:
    """The answer to an admitted kiosk's push; the kiosk when the body is not plainly valid."""
    request = _plainly_valid(body)
    if request is None:
        return kiosk
    try:
        return answers.json_bytes(push(db, kiosk, request.operations))
    except Exception as exc:  # answered as the app's handlers answer it
        return answers.failure(exc)


def _plainly_valid(body: bytes) -> PushRequest | None:
    """The body as FastAPI reads it (`json.loads`, then the model), or None for whatever it
    would refuse (it then says why)."""
    try:
        return PushRequest.model_validate(json.loads(body))
    except Exception:  # not JSON, not UTF-8, nested too deep, not a PushRequest
        return None


async def _take_body(receive, taken: list[bytes]) -> dict:
    """Reads the request's body into `taken` once all of it has come; the last message."""
    parts = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return message
        parts.append(message.get("body", b""))
        if not message.get("more_body", False):
            taken.append(b"".join(parts))
            return message


def _drop(reading: asyncio.Future) -> None:
    if not reading.done():
        reading.cancel()
    elif not reading.cancelled():
        reading.exception()  # looked at: nothing to report of a refused call's body


def _replay(body: bytes, receive):
    sent = False

    async def replay() -> dict:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay
