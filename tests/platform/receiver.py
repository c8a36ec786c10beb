"""A webhook receiver for the tests: a real HTTP server on 127.0.0.1 that checks signatures."""
from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from requests.structures import CaseInsensitiveDict

HOLD_AT_MOST = 30.0  # seconds a held request waits to be answered


@dataclass(frozen=True)
class Received:
    headers: CaseInsensitiveDict
    body: bytes
    signed: bool  # the signature header is the HMAC-SHA256 of the body with the secret

    @property
    def json(self) -> dict:
        return json.loads(self.body.decode("utf-8"))

    @property
    def key(self) -> str:
        return self.headers["Idempotency-Key"]


class Receiver:
    """Answers each POST with the next of `answers` (then 200), or keeps it waiting while
    `hold` is set."""

    def __init__(self, secret: str = "") -> None:
        self.secret = secret
        self.answers: list[int] = []
        self.hold = threading.Event()
        self._released = threading.Event()
        self._lock = threading.Lock()
        self._received: list[Received] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/hook"

    @property
    def received(self) -> list[Received]:
        with self._lock:
            return list(self._received)

    def release(self) -> None:
        """Answer held requests (a platform killed meanwhile hears nothing)."""
        self.hold.clear()
        self._released.set()

    def __enter__(self) -> Receiver:
        self._thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self.release()
        self._server.shutdown()
        self._server.server_close()

    def _take(self, headers: CaseInsensitiveDict, body: bytes) -> int:
        expected = "sha256=" + hmac.new(self.secret.encode(), body, hashlib.sha256).hexdigest()
        signed = hmac.compare_digest(headers.get("X-Signature-256", ""), expected)
        with self._lock:
            self._received.append(Received(headers, body, signed))
            return self.answers.pop(0) if self.answers else 200

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                status = receiver._take(CaseInsensitiveDict(self.headers.items()), body)
                if receiver.hold.is_set():
                    receiver._released.wait(HOLD_AT_MOST)
                with contextlib.suppress(OSError):  # the platform may be gone (killed)
                    self.send_response(status)
                    self.send_header("Content-Length", "0")
                    self.end_headers()

            def log_message(self, *_args) -> None:
                pass

        return Handler
