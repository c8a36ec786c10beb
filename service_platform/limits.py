"""An ASGI guard that answers 413 to request bodies over a size limit, before the app sees them.

It never reads past the limit: a body whose Content-Length is over it is refused before any of
it is read, a streamed one as soon as the bytes that came pass it (what was read is dropped), so
no request holds more than its limit in memory."""
from __future__ import annotations

import json

from service_platform import clock

MiB = 1024 * 1024
DEFAULT_LIMIT = 1 * MiB
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
            await _answer(send, 422, "invalid_request", "invalid Content-Length")
            return
        path = scope.get("path", "")
        limit = max([self.limit, *(wide for prefix, wide in self.wider.items()
                                   if path.startswith(prefix))])
        if declared is not None and declared > limit:
            await _answer(send, 413, "payload_too_large", f"request body over {limit} bytes")
            return
        body, last = await _read(receive, limit)
        if body is None:
            await _answer(send, 413, "payload_too_large", f"request body over {limit} bytes")
            return
        if last["type"] == "http.disconnect":
            return  # the client went away (or was cut off) mid-body: nobody to answer
        await self.app(scope, _replay(body, receive, last), send)


def _content_length(scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return -1
    return None


async def _read(receive, limit: int) -> tuple[bytes | None, dict]:
    """The body and the last message read; None for the body once it passed `limit`."""
    body = bytearray()
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return bytes(body), message
        body += message.get("body", b"")
        if len(body) > limit:
            return None, message
        if not message.get("more_body", False):
            return bytes(body), message


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
    payload = json.dumps({"error": {"code": code, "message": message, "details": []},
                          "server_time": clock.stamp(clock.now())}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(payload)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": payload})
