"""A tiny toxiproxy-style HTTP proxy on 127.0.0.1: forwards, cuts answers, drops, fakes answers.

One request per connection (it asks the platform to close after each answer). `rule` decides,
for the n-th request, what to do; it runs on the proxy's thread.
"""
from __future__ import annotations

import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass

from reliability.proxy import close_after, read_request


@dataclass(frozen=True)
class Request:
    number: int  # 1 for the first request the proxy saw
    method: str
    path: str  # without the query string
    raw: bytes


@dataclass(frozen=True)
class Action:
    kind: str = "forward"  # forward, cut, cut_headers, drop, respond
    keep_bytes: int = 0  # for cut: how much of the answer the client gets
    # for cut_headers: how many bytes before the blank line ending the headers are lost
    lose_bytes: int = 0
    answer: bytes = b""  # for respond
    after_forward: Callable[[], None] | None = None  # e.g. kill the platform meanwhile


FORWARD = Action()
DROP = Action("drop")


def cut(keep_bytes: int = 0) -> Action:
    """Forward the request, let the platform answer, lose the answer after `keep_bytes`."""
    return Action("cut", keep_bytes=keep_bytes)


def cut_headers(lose_bytes: int = 0) -> Action:
    """Lose the answer inside its headers: `lose_bytes` before the blank line that ends them
    (0: every header line arrives whole, the blank line never)."""
    return Action("cut_headers", lose_bytes=lose_bytes)


def respond(status: int, body: bytes, headers: dict[str, str] | None = None) -> Action:
    head = [f"HTTP/1.1 {status} X", f"Content-Length: {len(body)}", "Connection: close"]
    head += [f"{k}: {v}" for k, v in (headers or {}).items()]
    return Action("respond", answer=("\r\n".join(head) + "\r\n\r\n").encode() + body)


class Proxy:
    def __init__(self, upstream_port: int) -> None:
        self.upstream_port = upstream_port
        self.rule: Callable[[Request], Action] = lambda _request: FORWARD
        self.seen: list[Request] = []
        self._lock = threading.Lock()
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port = self._server.getsockname()[1]
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def count(self, path: str) -> int:
        with self._lock:
            return sum(1 for r in self.seen if r.path == path)

    def close(self) -> None:
        self._server.close()

    def _serve(self) -> None:
        while True:
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            threading.Thread(target=self._handle, args=(client,), daemon=True).start()

    def _handle(self, client: socket.socket) -> None:
        with client:
            raw = read_request(client)
            if raw is None:
                return
            method, target = raw.split(b"\r\n", 1)[0].decode().split(" ")[:2]
            with self._lock:
                request = Request(len(self.seen) + 1, method, target.split("?")[0], raw)
                self.seen.append(request)
                action = self.rule(request)
            if action.kind == "drop":
                return
            if action.kind == "respond":
                client.sendall(action.answer)
                return
            answer = self._forward(raw, action)
            if answer is None:
                return
            client.sendall(_kept(answer, action))

    def _forward(self, raw: bytes, action: Action) -> bytes | None:
        try:
            upstream = socket.create_connection(("127.0.0.1", self.upstream_port), timeout=60)
        except OSError:
            return None  # platform down: the client sees its connection closed
        with upstream:
            upstream.sendall(close_after(raw))
            if action.after_forward is not None:
                action.after_forward()
            chunks = []
            try:
                while chunk := upstream.recv(65536):
                    chunks.append(chunk)
            except OSError:
                pass
            return b"".join(chunks) or None


def _kept(answer: bytes, action: Action) -> bytes:
    if action.kind == "cut":
        return answer[:action.keep_bytes]
    if action.kind == "cut_headers":
        return answer[:max(0, answer.find(b"\r\n\r\n") + 2 - action.lose_bytes)]
    return answer
