"""Errors the API answers with: a status, a stable code and a message free of personal data."""
from __future__ import annotations

from typing import Any

from service_platform import clock


class ApiError(Exception):
    """An answer other than 2xx, with the body `{"error": {"code", "message", "details"},
    "server_time"}` (the platform's clock, like every JSON answer under /v1: §1, §7)."""

    def __init__(self, status: int, code: str, message: str,
                 details: list[dict[str, Any]] | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details or []
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message, "details": self.details},
                "server_time": clock.stamp(clock.now())}


def printable(value: Any) -> Any:
    """A value of an error's `loc` or `msg` as UTF-8 can carry it (a lone surrogate escaped)."""
    if isinstance(value, str):
        return value.encode("utf-8", "backslashreplace").decode("utf-8")
    return value


def unauthorized(message: str = "a valid device token is required") -> ApiError:
    return ApiError(401, "unauthorized", message, headers={"WWW-Authenticate": "Bearer"})


def revoked() -> ApiError:
    return ApiError(403, "kiosk_revoked", "this kiosk has been revoked")


def invalid_code() -> ApiError:
    return ApiError(401, "invalid_code", "the enrolment code is unknown, expired or used")


def rate_limited(retry_after_s: int, message: str) -> ApiError:
    return ApiError(429, "rate_limited", message, headers={"Retry-After": str(retry_after_s)})


def invalid_request(message: str, details: list[dict[str, Any]] | None = None) -> ApiError:
    return ApiError(422, "invalid_request", message, details)
