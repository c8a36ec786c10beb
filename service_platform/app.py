"""The HTTP API of protocol v1 (see docs/protocol.md), as a FastAPI application."""
from __future__ import annotations

import datetime as dt
import gzip
import itertools
import json
import logging
import math
import uuid
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response, StreamingResponse
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException

from elder_wire import collector
from elder_wire.operations import (
    ChangesResponse,
    CommunityInfo,
    EnrolRequest,
    EnrolResponse,
    ErrorResponse,
    LeasesRequest,
    LeasesResponse,
    MeResponse,
    PushRequest,
    PushResponse,
    SnapshotResponse,
    TimeResponse,
)
from service_platform import (
    admission,
    answers,
    auth,
    catalogue,
    clock,
    enrol_attempts,
    errors,
    fleet,
    kiosk_calls,
    leases,
    live,
    migrations,
    openapi,
    snapshot,
)
from service_platform.api_docs import add_api_docs
from service_platform.auth import Kiosk
from service_platform.console import web as console_web
from service_platform.db import Database
from service_platform.errors import ApiError
from service_platform.limits import DEFAULT_LIMIT, UPLOAD_LIMIT, BodySizeLimit
from service_platform.token_gate import KIOSK, TokenGate

log = logging.getLogger(__name__)

# The error answers of the API, as docs/protocol.md §1 lists them (code: meaning).
ERROR_MEANINGS = {
    401: "`unauthorized`: no, malformed or unknown device token (`WWW-Authenticate: Bearer`)",
    403: "`kiosk_revoked`: the kiosk was revoked",
    409: "`cursor_ahead`: `since` is beyond the platform's feed",
    413: "`payload_too_large`: a body over 1 MiB",
    422: "`invalid_request`: not JSON, wrong types, unknown fields, bad text or times",
    429: "`rate_limited`: too many attempts; retry after `Retry-After` seconds",
    500: "`internal`: a platform bug; retry with backoff",
    503: "`unavailable`: database busy or down, platform full or shutting down; "
         "retry after `Retry-After` seconds",
}


def _errors(*statuses: int, **said: str) -> dict:
    """OpenAPI `responses` for these statuses; `said` words one differently (s401=...)."""
    return {status: {"model": ErrorResponse,
                     "description": said.get(f"s{status}", ERROR_MEANINGS[status])}
            for status in statuses}


def create_app(db: Database, body_limit: int = DEFAULT_LIMIT,
               console_idle: dt.timedelta | None = None,
               max_in_progress: int = admission.DEFAULT_BOUND) -> FastAPI:
    """The API, its /docs, and the operators' console at /console."""
    app = FastAPI(title="Elder-care kiosk service platform", version="1", lifespan=_lifespan,
                  description="Protocol v1 between community kiosks and the platform; "
                              "see docs/protocol.md. Typed in full: a pushed operation by its "
                              "`type`, a change of the feed by its `kind`. Answers are open: "
                              "a client ignores fields, change kinds, reason codes and "
                              "booking statuses it does not know (protocol §9).",
                  docs_url=None, redoc_url=None)  # /docs from the platform's own files
    app.state.db = db
    app.state.platform_id = migrations.platform_id(db)
    _add_error_handlers(app)
    _add_routes(app)
    add_api_docs(app)
    openapi.install(app)
    if console_idle is not None:
        app.state.console_idle = console_idle
    console_web.install(app)
    app.add_middleware(BodySizeLimit, limit=body_limit,  # timetable uploads: larger
                       wider={f"{console_web.PREFIX}/communities/": UPLOAD_LIMIT})
    app.state.reports = fleet.Reports(db)  # written by its own thread while the app runs
    app.add_middleware(TokenGate, db=db,  # the token before anything of the body
                       reports=app.state.reports, body_limit=body_limit)
    app.add_middleware(admission.Admission, bound=max_in_progress)  # outermost: a full queue
    return app


@asynccontextmanager
async def _lifespan(app: FastAPI):
    """On PostgreSQL, listen for what other platform processes announce (live.py); write
    the kiosks' reports (fleet.Reports) while the app runs, and what is held when it stops."""
    db: Database = app.state.db
    listener = None if db.is_sqlite else live.PostgresListener(db.engine).start()
    if listener is not None:
        listener.ready.wait(5)
    reports = app.state.reports.start()
    try:
        yield
    finally:
        reports.stop()
        if listener is not None:
            listener.stop()


def _db(request: Request) -> Database:
    return request.app.state.db


def _kiosk(request: Request) -> Kiosk:
    """The calling kiosk: TokenGate checked its token and noted what it reports of itself.
    Read by the route itself, not as a FastAPI dependency or parameters solved on every call:
    the token's scheme and the report's headers are written into the API's document by
    openapi.py, from TokenGate's own rule."""
    kiosk = getattr(request.state, KIOSK, None)
    if kiosk is None:  # a route needing a kiosk outside TokenGate's paths: a bug
        raise errors.unauthorized()
    return kiosk


def _now() -> str:
    return clock.stamp(clock.now())


def _community(conn, community_id: str) -> CommunityInfo:
    row = catalogue.get_community(conn, community_id)
    return CommunityInfo(id=row["id"], name=row["name"], tz=row["tz"])


def _add_routes(app: FastAPI) -> None:
    @app.get("/v1/time", response_model=TimeResponse, responses=_errors(503), tags=["session"])
    def server_time(request: Request) -> TimeResponse:
        """The platform's clock (for skew detection) and its database's identity."""
        return TimeResponse(server_time=_now(), platform_id=request.app.state.platform_id)

    @app.post("/v1/enrol", response_model=EnrolResponse, tags=["session"], responses=_errors(
        401, 413, 422, 429, 503,
        s401="`invalid_code`: the code is unknown, expired or used (by another install)",
        s429="`rate_limited`: too many failed enrolments from this address; retry after "
             "`Retry-After` seconds"))
    def enrol(request: Request, body: EnrolRequest) -> EnrolResponse:
        """Trade a one-time enrolment code for a device token."""
        db, now = _db(request), clock.now()
        client = enrol_attempts.client_key(request.client.host if request.client else None)
        attempts, until = db.run_write(lambda conn: enrol_attempts.note(conn, client, now))
        if attempts > enrol_attempts.ALLOWED:  # the code is not even looked at
            log.warning("enrolment refused for %s: rate_limited", client)
            raise errors.rate_limited(max(1, math.ceil((until - now).total_seconds())),
                                      "too many failed enrolments from this address")

        def work(conn):
            row, token = auth.enrol(conn, body.code, body.device_name, body.install_id)
            enrol_attempts.good(conn, client)
            return row, token, _community(conn, row["community_id"])
        try:
            row, token, community = db.run_write(work)
        except ApiError:
            log.warning("enrolment refused for %s: invalid_code", client)  # never the code
            raise
        log.info("kiosk %s enrolled", row["id"])
        return EnrolResponse(kiosk_id=row["id"], kiosk_name=row["name"], community=community,
                             token=token, server_time=_now())

    @app.get("/v1/me", response_model=MeResponse, responses=_errors(401, 403, 422, 503),
             tags=["session"])
    def me(request: Request) -> MeResponse:
        """Which kiosk this token belongs to."""
        kiosk = _kiosk(request)
        with _db(request).read() as conn:
            community = _community(conn, kiosk.community_id)
        return MeResponse(kiosk_id=kiosk.id, kiosk_name=kiosk.name, community=community,
                          server_time=_now())

    @app.post("/v1/push", response_model=PushResponse, tags=["sync"], responses=_errors(
        401, 403, 413, 422, 500, 503,
        s422="`invalid_request` (details name each invalid operation by `index` and `op_id`) "
             "or `op_conflict`; nothing of the batch was applied",
        s500="`internal`: an operation failed for an unexpected reason; the ones before it "
             "were applied (protocol §4.3)"))
    def push(request: Request, body: PushRequest) -> Response:
        """Apply a batch of operations, each exactly once; one result per operation."""
        return answers.json_bytes(kiosk_calls.push(_db(request), _kiosk(request),
                                                   body.operations))

    @app.get("/v1/changes", response_model=ChangesResponse, tags=["sync"],
             responses=_errors(401, 403, 409, 422, 503))
    def changes(request: Request,
                since: Annotated[int, Query(ge=0)] = 0,
                limit: Annotated[int, Query(ge=1, le=kiosk_calls.PAGE_MAX)]
                = kiosk_calls.PAGE_DEFAULT) -> Response:
        """The community's changes after `since`, oldest first, in pages."""
        kiosk = _kiosk(request)
        with _db(request).read() as conn:
            return answers.json_bytes(kiosk_calls.pull(conn, kiosk, since, limit))

    @app.get("/v1/snapshot", response_model=SnapshotResponse, tags=["sync"],
             responses=_errors(401, 403, 422, 503))
    def current_state(request: Request) -> Response:
        """The community's current state and the feed cursor it holds, for a kiosk joining
        (protocol §5.2): streamed a part a line when the kiosk accepts
        `application/x-ndjson`, else in one answer; gzip-encoded when the kiosk accepts it."""
        kiosk = _kiosk(request)
        gzipped = "gzip" in request.headers.get("accept-encoding", "").lower()
        if snapshot.STREAMED in request.headers.get("accept", ""):
            lines = snapshot.streamed(_db(request), kiosk.community_id, kiosk.id, _now(),
                                      gzipped)
            first = next(lines)  # a database that cannot answer is an error here, not a cut
            headers = {"Content-Encoding": "gzip"} if gzipped else {}
            return StreamingResponse(itertools.chain([first], lines),
                                     media_type=snapshot.STREAMED,
                                     headers={**headers, "Vary": "Accept, Accept-Encoding"})
        with collector.paused():
            with _db(request).read_consistent() as conn:
                state = snapshot.snapshot(conn, kiosk.community_id, kiosk.id)
            state["server_time"] = _now()
            body = json.dumps(state, ensure_ascii=False, separators=(",", ":")).encode()
        if not gzipped:
            return Response(body, media_type="application/json", headers={"Vary": "Accept"})
        return Response(gzip.compress(body, compresslevel=1), media_type="application/json",
                        headers={"Content-Encoding": "gzip",
                                 "Vary": "Accept, Accept-Encoding"})

    @app.post("/v1/leases", response_model=LeasesResponse, tags=["capacity"],
              responses=_errors(401, 403, 413, 422, 503))
    def settle_leases(request: Request, body: LeasesRequest) -> LeasesResponse:
        """Return leases the kiosk is done with, then lend it shares of slots' free places."""
        kiosk = _kiosk(request)
        returns = [leases.LeaseReturn(str(r.lease_id), r.used) for r in body.returns]
        wishes = [leases.LeaseWish(w.slot_id, w.places) for w in body.want]
        db = _db(request)
        with db.read() as conn:  # most cycles change nothing: answered without a write
            answer = leases.settled_already(conn, kiosk, returns, wishes)
        active, receipts = answer or db.run_write(
            lambda conn: leases.settle(conn, kiosk, returns, wishes))
        return LeasesResponse(leases=active, returned=receipts, server_time=_now())


def _add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def api_error(_request: Request, exc: ApiError) -> JSONResponse:
        return answers.error(exc)

    @app.exception_handler(RequestValidationError)
    async def invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return answers.error(errors.invalid_request(
            "the request is not valid; nothing was applied", _validation_details(exc)))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 400:  # a body FastAPI could not read: not UTF-8, nested too deep
            return answers.error(errors.invalid_request(
                "the body is not readable JSON; nothing was applied"))
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return answers.error(ApiError(exc.status_code, code, str(exc.detail),
                                      headers=dict(exc.headers or {})))

    @app.exception_handler(DBAPIError)
    async def database_down(_request: Request, exc: DBAPIError) -> JSONResponse:
        return answers.database_down(exc)

    @app.exception_handler(Exception)
    async def bug(_request: Request, exc: Exception) -> JSONResponse:
        return answers.bug(exc)


def _validation_details(exc: RequestValidationError) -> list[dict]:
    details = []
    for error in exc.errors():
        loc = [errors.printable(part) for part in error.get("loc", ())]
        item = {"loc": loc, "msg": errors.printable(error.get("msg", ""))}
        if loc[:2] == ["body", "operations"] and len(loc) > 2 and isinstance(loc[2], int):
            item["index"] = loc[2]
            op_id = _readable_op_id(exc.body, loc[2])
            if op_id is not None:
                item["op_id"] = op_id
        details.append(item)
    return details


def _readable_op_id(body, index: int) -> str | None:
    """The op_id of the pushed operation at `index`, when it is one (§1: error bodies)."""
    try:
        return str(uuid.UUID(body["operations"][index]["op_id"]))
    except (KeyError, IndexError, TypeError, ValueError, AttributeError):
        return None
