"""An ASGI guard in front of the API: a /v1 call that needs a device token is answered 401 or
403 before anything of its body is parsed or measured (docs/protocol.md §1). A kiosk let
through has its contact noted (fleet.py) in the same trip to a worker thread as the check; the
pull and the push, most of a kiosk's calls, are answered in that same trip too
(kiosk_calls.py)."""
from __future__ import annotations

import json

from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers

from service_platform import auth, clock, fleet, kiosk_calls
from service_platform.db import Database
from service_platform.errors import ApiError
from service_platform.limits import DEFAULT_LIMIT

OPEN_PATHS = frozenset({"/v1/enrol", "/v1/time"})
KIOSK = "kiosk"  # the key of the authenticated kiosk in the request's scope["state"]


def needs_token(path: str) -> bool:
    """Every /v1 path but enrolment and the clock, known or not, whatever the method."""
    return (path == "/v1" or path.startswith("/v1/")) and path not in OPEN_PATHS


class TokenGate:
    def __init__(self, app, db: Database, reports: fleet.Reports,
                 body_limit: int = DEFAULT_LIMIT) -> None:
        self.app = app
        self.db = db
        self.reports = reports
        self.body_limit = body_limit  # a kiosk call's body (BodySizeLimit's, inside)

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or not needs_token(scope.get("path", "")):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        try:
            token = auth.bearer_token(headers.get("authorization"))
        except ApiError as refused:
            await self.refuse(send, refused)
            return
        serve = kiosk_calls.taken_here(scope, self.body_limit)
        if serve is not None:
            await serve(self, token, headers, scope, receive, send)
            return
        try:
            kiosk = await run_in_threadpool(self.admit_alone, token, headers)
        except kiosk_calls.REFUSED as refused:
            await self.refuse(send, refused)
            return
        await self.pass_on(scope, receive, send, kiosk)

    def admit(self, conn: Connection, token: str, headers: Headers) -> auth.Kiosk:
        """The token's kiosk, read in `conn`'s transaction, its call and what it reports of
        itself noted (fleet.py); an ApiError (401, 403) when it is not let through."""
        kiosk, row = auth.kiosk_of(conn, token)
        self.reports.note(kiosk, headers, clock.now(), row)
        return kiosk

    def admit_alone(self, token: str, headers: Headers) -> auth.Kiosk:
        """`admit` in a read transaction of its own."""
        with self.db.read() as conn:
            return self.admit(conn, token, headers)

    async def pass_on(self, scope, receive, send, kiosk: auth.Kiosk) -> None:
        """On to the routes, with the kiosk admitted."""
        scope.setdefault("state", {})[KIOSK] = kiosk
        await self.app(scope, receive, send)

    @staticmethod
    async def refuse(send, refused: Exception) -> None:
        if isinstance(refused, DBAPIError):
            refused = ApiError(503, "unavailable", "the database is busy or unavailable; try "
                               "again", headers={"Retry-After": "2"})
        await _answer(send, refused)


async def _answer(send, error: ApiError) -> None:
    """The refusal, at once; uvicorn reads and drops whatever of the body still comes."""
    payload = json.dumps(error.body()).encode()
    headers = [(b"content-type", b"application/json"),
               (b"content-length", str(len(payload)).encode()),
               *((name.lower().encode(), value.encode()) for name, value in error.headers.items())]
    await send({"type": "http.response.start", "status": error.status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})
