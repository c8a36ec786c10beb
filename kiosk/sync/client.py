"""HTTP calls of protocol v1 with timeouts; every failure becomes a SyncError (errors.py)."""
from __future__ import annotations

import datetime as dt
import email.utils
import json
from collections.abc import Callable, Iterator
from functools import cache
from importlib import metadata
from typing import Any

import requests

from kiosk.clock import Clock
from kiosk.sync import errors

RETRYABLE_STATUSES = {408, 429, 500, 502, 503, 504}
USER_AGENT = "elder-kiosk-sync/1"
SNAPSHOT_STREAMED = "application/x-ndjson"  # the snapshot a part a line (protocol §5.2)
# The outbox's (unsent operations, when the oldest of them was made), reported on every call.
Unsent = Callable[[], tuple[int, str | None]]


@cache
def app_version() -> str:
    try:
        return metadata.version("elder-kiosk")
    except metadata.PackageNotFoundError:
        return "0"


class PlatformClient:
    """One kiosk's conversation with the platform; use one client per thread."""

    def __init__(self, base_url: str, token: str | None = None, *, clock: Clock | None = None,
                 timeout_s: float = 20.0, session: requests.Session | None = None,
                 unsent: Unsent | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self._token = token
        self.clock = clock or Clock()
        self.timeout = (max(1.0, timeout_s / 4), timeout_s)
        self.session = session or requests.Session()
        self.session.headers["User-Agent"] = USER_AGENT
        self.skew_s: float | None = None  # platform clock minus ours, from the last answer
        self.unsent = unsent

    def __repr__(self) -> str:  # never shows the token
        return f"PlatformClient({self.base_url!r})"

    def time(self) -> dict:
        return self._call("GET", "/v1/time", auth=False)

    def enrol(self, code: str, device_name: str = "", install_id: str = "") -> dict:
        body: dict[str, Any] = {"code": code}
        if install_id:
            body["install_id"] = install_id
        if device_name:
            body["device_name"] = device_name[:100]
        return self._call("POST", "/v1/enrol", body=_json_bytes(body), auth=False)

    def me(self) -> dict:
        return self._call("GET", "/v1/me")

    def push(self, body: bytes) -> dict:
        """`body` is the encoded request, built by push.py so operations go out as stored."""
        return self._call("POST", "/v1/push", body=body)

    def changes(self, since: int, limit: int) -> dict:
        return self._call("GET", "/v1/changes", params={"since": since, "limit": limit})

    def snapshot(self) -> Iterator[dict] | None:
        """The community's current state (protocol §5.2) as JSON objects: a line each as a
        platform streams it (`application/x-ndjson`), read as they are asked for, or one
        object from a platform that answers in one; None from a platform without it (404).
        Close the iterator when done with it: that lets go of the answer."""
        sent = self.clock.now()
        response = self._send("GET", "/v1/snapshot", stream=True,
                              accept=f"{SNAPSHOT_STREAMED}, application/json;q=0.5")
        if response.status_code == 200 and response.headers.get(
                "Content-Type", "").startswith(SNAPSHOT_STREAMED):
            return self._lines(response, sent)
        with response:
            answer = self._answer(response, _content(response), "/v1/snapshot", sent,
                                  absent_ok=True)
        return None if answer is None else iter([answer])

    def leases(self, returns: list[dict], want: list[dict]) -> dict:
        return self._call("POST", "/v1/leases",
                          body=_json_bytes({"return": returns, "want": want}))

    def close(self) -> None:
        self.session.close()

    def _call(self, method: str, path: str, *, body: bytes | None = None,
              params: dict | None = None, auth: bool = True,
              absent_ok: bool = False) -> dict | None:
        sent = self.clock.now()
        response = self._send(method, path, body=body, params=params, auth=auth)
        content = _content(response)  # read it all here: a cut answer fails here
        return self._answer(response, content, path, sent, absent_ok)

    def _send(self, method: str, path: str, *, body: bytes | None = None,
              params: dict | None = None, auth: bool = True, accept: str = "application/json",
              stream: bool = False) -> requests.Response:
        headers = {"Accept": accept}
        if body is not None:
            headers["Content-Type"] = "application/json"
        if auth:
            if not self._token:
                raise errors.NotEnrolled()
            headers["Authorization"] = f"Bearer {self._token}"
            headers.update(self.report())
        try:
            return self.session.request(method, self.base_url + path, data=body,
                                        params=params, headers=headers,
                                        timeout=self.timeout, stream=stream)
        except requests.RequestException as exc:
            raise errors.PlatformUnreachable(type(exc).__name__) from exc

    def _answer(self, response: requests.Response, content: bytes, path: str,
                sent: dt.datetime, absent_ok: bool) -> dict | None:
        answer = _parse(content)
        if answer is None and _cut_short(response):
            raise errors.PlatformUnreachable(f"{path}: answer cut short")
        if absent_ok and response.status_code == 404:
            return None  # an older platform, without this call
        if response.status_code >= 300:
            raise _failure(response, answer)
        if not isinstance(answer, dict):
            raise errors.PlatformAnswerInvalid(f"{path}: not a JSON object")
        self._note_skew(answer, sent)
        return answer

    def _lines(self, response: requests.Response, sent: dt.datetime) -> Iterator[dict]:
        """Each line of a streamed answer as a JSON object, as it arrives; the first tells
        the platform's time. The answer is let go of when the iterator is closed."""
        with response:
            pieces: list[bytes] = []
            first = True
            try:
                for chunk in response.iter_content(chunk_size=None):  # as it arrives
                    start = 0
                    while (end := chunk.find(b"\n", start)) >= 0:
                        pieces.append(chunk[start:end])
                        line = _object(b"".join(pieces))
                        pieces = []
                        if first:
                            self._note_skew(line, sent)
                            first = False
                        yield line
                        start = end + 1
                    if start < len(chunk):
                        pieces.append(chunk[start:])
            except requests.RequestException as exc:
                raise errors.PlatformUnreachable(type(exc).__name__) from exc
            if b"".join(pieces).strip():
                raise errors.PlatformUnreachable("a streamed answer cut short in a line")

    def report(self) -> dict[str, str]:
        """How this kiosk is, for the platform's fleet view (protocol §2.1)."""
        headers = {"Kiosk-App-Version": app_version(),
                   "Kiosk-Time": self.clock.now().isoformat(timespec="milliseconds")}
        if self.unsent is not None:
            count, oldest = self.unsent()
            headers["Kiosk-Outbox-Pending"] = str(count)
            if oldest:
                headers["Kiosk-Outbox-Oldest"] = oldest
        return headers

    def _note_skew(self, answer: dict, sent: dt.datetime) -> None:
        try:
            server = dt.datetime.fromisoformat(str(answer.get("server_time")))
        except ValueError:
            return
        if server.tzinfo is None:
            return
        midpoint = sent + (self.clock.now() - sent) / 2
        self.skew_s = (server - midpoint).total_seconds()


def _json_bytes(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _content(response: requests.Response) -> bytes:
    try:
        return response.content
    except requests.RequestException as exc:
        raise errors.PlatformUnreachable(type(exc).__name__) from exc


def _object(line: bytes) -> dict:
    """One line of a streamed answer: a JSON object."""
    found = _parse(line)
    if not isinstance(found, dict):
        raise errors.PlatformAnswerInvalid("a streamed line is not a JSON object")
    return found


def _parse(content: bytes) -> object:
    try:
        return json.loads(content) if content else None
    except (ValueError, UnicodeDecodeError):
        return None


def _cut_short(response: requests.Response) -> bool:
    """An answer whose end was only the connection closing (its headers lost on the way: the
    platform always says how long its answer is): the network failed, not the platform."""
    headers = response.headers
    return "Content-Length" not in headers \
        and "chunked" not in headers.get("Transfer-Encoding", "").lower()


def _failure(response: requests.Response, answer: object) -> errors.SyncError:
    status = response.status_code
    error = answer.get("error") if isinstance(answer, dict) else None
    code = error.get("code", "") if isinstance(error, dict) else ""
    details = error.get("details", []) if isinstance(error, dict) else []
    if status in RETRYABLE_STATUSES or status >= 500:
        return errors.PlatformBusy(f"HTTP {status}", retry_after(response))
    if status == 401:
        return errors.InvalidCode() if code == "invalid_code" else errors.AccessRefused()
    if status == 403:
        return errors.KioskRevoked()
    if status == 409 and code == "cursor_ahead":
        return errors.CursorAhead()
    if status == 409:
        return errors.PlatformBusy("HTTP 409", retry_after(response))
    if status == 413:
        return errors.PayloadTooLarge()
    if status == 422:
        return errors.InvalidBatch(code or "invalid_request",
                                   details if isinstance(details, list) else [])
    if 300 <= status < 400:
        return errors.PlatformAnswerInvalid(f"HTTP {status}")
    return errors.ProtocolBug(f"HTTP {status} {code}")


def retry_after(response: requests.Response) -> float | None:
    """`Retry-After` in seconds (a number or an HTTP date), or None."""
    value = response.headers.get("Retry-After", "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, (when - dt.datetime.now(dt.UTC)).total_seconds())
