"""The API's answers, written one way for the FastAPI routes and for the kiosk calls answered
before FastAPI (kiosk_calls.py): the same bytes whichever way a call went."""
from __future__ import annotations

import logging

from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import DBAPIError

from service_platform.errors import ApiError

log = logging.getLogger(__name__)


def json_bytes(body: bytes | str) -> Response:
    """A 200 answer of JSON already written."""
    return Response(body, media_type="application/json")


def error(exc: ApiError) -> JSONResponse:
    return JSONResponse(exc.body(), status_code=exc.status, headers=exc.headers)


def database_down(exc: DBAPIError) -> JSONResponse:
    log.warning("database error: %s", type(exc.orig).__name__)
    return error(ApiError(503, "unavailable", "the database is busy or unavailable; try again",
                          headers={"Retry-After": "2"}))


def bug(exc: Exception) -> JSONResponse:
    log.error("unexpected %s", type(exc).__name__, exc_info=exc)
    return error(ApiError(500, "internal", "internal error"))


def failure(exc: Exception) -> JSONResponse:
    """The answer to a route that raised `exc`, as the app's exception handlers give it."""
    if isinstance(exc, ApiError):
        return error(exc)
    if isinstance(exc, DBAPIError):
        return database_down(exc)
    return bug(exc)
