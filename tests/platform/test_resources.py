"""What a flood costs the platform (issue 14): oversized bodies not read past the limit, idle
and slow connections cut off, unknown operations kept small and few."""
from __future__ import annotations

import json
import socket
import time
import uuid

import pytest

MiB = 1024 * 1024


def _connect(base_url: str, timeout: float = 5.0) -> socket.socket:
    host, port = base_url.removeprefix("http://").split(":")
    return socket.create_connection((host, int(port)), timeout=timeout)


def _head(path: str, token: str | None, extra: str = "", method: str = "POST") -> bytes:
    auth = f"Authorization: Bearer {token}\r\n" if token else ""
    return (f"{method} {path} HTTP/1.1\r\nHost: platform\r\nContent-Type: application/json\r\n"
            f"{auth}{extra}\r\n").encode()


def _answer(sock: socket.socket, deadline: float) -> tuple[int | None, bytes]:
    """The status and what came before the platform closed or `deadline` seconds passed."""
    sock.settimeout(deadline)
    got = b""
    try:
        while chunk := sock.recv(65536):
            got += chunk
            if b"\r\n\r\n" in got and _complete(got):
                break
    except (TimeoutError, ConnectionResetError):
        pass
    status = int(got.split(b" ", 2)[1]) if got.startswith(b"HTTP/1.1 ") else None
    return status, got


def _complete(got: bytes) -> bool:
    head, _, body = got.partition(b"\r\n\r\n")
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            return len(body) >= int(line.split(b":")[1])
    return False


def _kiosk_token(platform) -> str:
    kiosk = platform.kiosk(platform.community())
    return kiosk.headers["Authorization"].removeprefix("Bearer ")


# 4. An oversized body is not read past the limit: a declared one is refused before it comes,
# a streamed one as soon as it passes the limit.

def test_a_declared_oversized_body_is_refused_before_it_is_sent(platform):
    token = _kiosk_token(platform)
    with _connect(platform.base_url) as sock:
        sock.sendall(_head("/v1/push", token, f"Content-Length: {16 * MiB}\r\n"))
        started = time.monotonic()
        status, got = _answer(sock, 5)
    assert status == 413, got
    assert json.loads(got.partition(b"\r\n\r\n")[2])["error"]["code"] == "payload_too_large"
    assert time.monotonic() - started < 2


def test_a_streamed_body_is_refused_as_soon_as_it_passes_the_limit(platform):
    token = _kiosk_token(platform)
    with _connect(platform.base_url) as sock:
        sock.sendall(_head("/v1/push", token, "Transfer-Encoding: chunked\r\n"))
        chunk = b"x" * (64 * 1024)
        for _ in range(17):  # 1 MiB + 64 KiB, and the body never ends
            sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        started = time.monotonic()
        status, got = _answer(sock, 5)
    assert status == 413, got
    assert time.monotonic() - started < 2


def test_timetable_uploads_keep_their_larger_limit(platform):
    """The console's timetable form takes up to 4 MiB (limits.UPLOAD_LIMIT); past that, 413."""
    path = "/console/communities/x/timetable"
    for size, refused in ((3 * MiB, False), (5 * MiB, True)):
        with _connect(platform.base_url) as sock:
            sock.sendall(_head(path, None, f"Content-Length: {size}\r\n"))
            if not refused:
                sock.sendall(b"x" * size)
            status, got = _answer(sock, 10)
        assert (status == 413) is refused, (size, got[:300])
