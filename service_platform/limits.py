"""An ASGI guard that answers 413 to request bodies over a size limit, before the app sees them."""
from __future__ import annotations

import json

MiB = 1024 * 1024
DEFAULT_LIMIT = 1 * MiB
DRAIN_LIMIT = 16 * MiB  # read and drop this much of an oversized body so the client gets the 413
# The console's timetable uploads (a file of up to 2 MiB, which the page itself refuses
# readably up to this size, and its form fields).
UPLOAD_LIMIT = 4 * MiB


class BodySizeLimit:
    """`wider` gives paths starting with a prefix a larger limit (prefix → bytes)."""

    def __init__(self, app, limit: int = DEFAULT_LIMIT,
                 wider: dict[str, int] | None = None) -> None:
        self.app = app
        self.limit = limit
        self.wider = wider or {}

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared < 0:
            await _answer(send, 400, "invalid_request", "invalid Content-Length")
            return
        path = scope.get("path", "")
        limit = max([self.limit, *(wide for prefix, wide in self.wider.items()
                                   if path.startswith(prefix))])
        body, too_big, last = await _read(receive, limit, declared)
        if too_big:
            await _answer(send, 413, "payload_too_large",
                          f"request body over {limit} bytes")
            return
        await self.app(scope, _replay(body, receive, last), send)


def _content_length(scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return -1
    return None


async def _read(receive, limit: int, declared: int | None) -> tuple[bytes, bool, dict]:
    body = bytearray()
    too_big = declared is not None and declared > limit
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return bytes(body), too_big, message
        if not too_big or len(body) < DRAIN_LIMIT:
            body += message.get("body", b"")
        too_big = too_big or len(body) > limit
        if not message.get("more_body", False) or len(body) >= DRAIN_LIMIT:
            return bytes(body), too_big, message


def _replay(body: bytes, receive, last: dict):
    sent = False

    async def replay():
        nonlocal sent
        if not sent:
            sent = True
            if last["type"] != "http.request":
                return last
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


async def _answer(send, status: int, code: str, message: str) -> None:
    payload = json.dumps({"error": {"code": code, "message": message, "details": []}}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(payload)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": payload})
