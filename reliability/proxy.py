"""A faulting TCP proxy on 127.0.0.1 between kiosks and the platform (toxiproxy's toxics).

One request per connection: the platform is asked to close after each answer. While faults are
on, each request draws one fault; a partition refuses or black-holes every connection for a
while. The platform may be restarted on another port: `upstream_port` follows it.
"""
from __future__ import annotations

import contextlib
import random
import socket
import struct
import threading
import time
from collections import Counter

# fault → weight, drawn for each request while faults are on
FAULTS = {
    "forward": 52,
    "delay_request": 8,  # up to 1.5 s before the platform sees it
    "delay_answer": 6,  # the platform committed; the answer comes after the kiosk gave up
    "drop_request": 5,  # the connection closes, the platform never sees the request
    "reset_request": 5,  # a TCP reset instead of the request
    "cut_answer": 12,  # the platform committed; only a prefix of its answer arrives
    "reset_answer": 6,  # the platform committed; a prefix, then a reset
    "error_answer": 6,  # 500, 503, 429 or garbage from a middlebox; the platform never saw it
}
ERROR_ANSWERS = (
    (500, b'{"error": {"code": "internal", "message": "", "details": []}}', {}),
    (503, b'{"error": {"code": "unavailable", "message": "", "details": []}}',
     {"Retry-After": "1"}),
    (429, b"slow down", {"Retry-After": "1"}),
    (200, b"<html>captive portal</html>", {}),
)


class FaultyProxy:
    def __init__(self, upstream_port: int | None, seed: int, answer_timeout_s: float) -> None:
        self.upstream_port = upstream_port  # None while the platform is down
        self.answer_timeout_s = answer_timeout_s  # the kiosks' timeout: a longer delay loses it
        self.faults_on = False
        self.counts: Counter[str] = Counter()
        self.partitions = 0
        self._partition_until = 0.0
        self._random = random.Random(seed)
        self._lock = threading.Lock()
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port = self._server.getsockname()[1]
        self._thread = threading.Thread(target=self._serve, name="faulty-proxy", daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def partition(self, seconds: float) -> None:
        with self._lock:
            self._partition_until = time.monotonic() + seconds
            self.partitions += 1

    def heal(self) -> None:
        with self._lock:
            self.faults_on = False
            self._partition_until = 0.0

    def injected(self) -> int:
        with self._lock:
            return sum(n for fault, n in self.counts.items() if fault != "forward")

    def close(self) -> None:
        self._server.close()

    def _serve(self) -> None:
        while True:
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            threading.Thread(target=self._handle, args=(client,), daemon=True).start()

    def _draw(self) -> str:
        with self._lock:
            if time.monotonic() < self._partition_until:
                fault = self._random.choice(("partition_refused", "partition_silent"))
            elif not self.faults_on:
                fault = "forward"
            else:
                fault = self._random.choices(list(FAULTS), weights=list(FAULTS.values()))[0]
            self.counts[fault] += 1
            return fault

    def _uniform(self, low: float, high: float) -> float:
        with self._lock:
            return self._random.uniform(low, high)

    def _handle(self, client: socket.socket) -> None:
        with client:
            client.settimeout(30)
            try:
                raw = read_request(client)
            except OSError:
                return
            if raw is None:
                return
            fault = self._draw()
            with contextlib.suppress(OSError):  # the kiosk gave up meanwhile
                self._answer(client, raw, fault)

    def _answer(self, client: socket.socket, raw: bytes, fault: str) -> None:
        if fault == "partition_silent":
            time.sleep(self.answer_timeout_s + 0.5)
            return
        if fault in ("partition_refused", "drop_request"):
            return
        if fault == "reset_request":
            _reset(client)
            return
        if fault == "error_answer":
            with self._lock:
                status, body, headers = self._random.choice(ERROR_ANSWERS)
            client.sendall(_answer_bytes(status, body, headers))
            return
        if fault == "delay_request":
            time.sleep(self._uniform(0.1, 1.5))
        answer = self._forward(raw)
        if answer is None:
            return  # platform down: the kiosk sees its connection closed
        if fault == "delay_answer":
            time.sleep(self.answer_timeout_s + self._uniform(0.2, 1.0))
        elif fault in ("cut_answer", "reset_answer"):
            client.sendall(answer[:int(self._uniform(0, len(answer) - 1))])
            if fault == "reset_answer":
                _reset(client)
            return
        client.sendall(answer)

    def _forward(self, raw: bytes) -> bytes | None:
        port = self.upstream_port
        if port is None:
            return None
        try:
            upstream = socket.create_connection(("127.0.0.1", port), timeout=30)
        except OSError:
            return None
        with upstream:
            try:
                upstream.sendall(close_after(raw))
                chunks = []
                while chunk := upstream.recv(65536):
                    chunks.append(chunk)
            except OSError:
                return None  # the platform died while answering
            return b"".join(chunks) or None


def _reset(sock: socket.socket) -> None:
    """Close with a TCP RST instead of a FIN."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def _answer_bytes(status: int, body: bytes, headers: dict[str, str]) -> bytes:
    head = [f"HTTP/1.1 {status} X", f"Content-Length: {len(body)}", "Connection: close",
            "Content-Type: application/json"]
    head += [f"{k}: {v}" for k, v in headers.items()]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


def read_request(sock: socket.socket) -> bytes | None:
    """One whole HTTP request (head and Content-Length body); None if the client went."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return None
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            return None
        body += chunk
    return head + b"\r\n\r\n" + body


def close_after(raw: bytes) -> bytes:
    """The request asking the server to close the connection after its answer."""
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = [ln for ln in head.split(b"\r\n") if not ln.lower().startswith(b"connection:")]
    return b"\r\n".join([*lines, b"Connection: close"]) + b"\r\n\r\n" + body
