"""Enrolment: trade a one-time code (or the QR code's JSON text) for a device token, kept 0600."""
from __future__ import annotations

import json
import logging
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from kiosk.config import address_allowed, same_address
from kiosk.demo import DEMO_COMMUNITY_KEY
from kiosk.outbox import pending_count
from kiosk.store import Store
from kiosk.sync.client import PlatformClient
from kiosk.sync.errors import (
    AddressMismatch,
    InsecureAddress,
    InvalidCode,
    NotEnrolled,
    UnsentElsewhere,
)

log = logging.getLogger(__name__)

# This run's own id, sent with every enrolment: a code this kiosk redeemed can be redeemed
# again (its answer lost) only with it, never by anyone else who saw the code (protocol §2).
INSTALL_ID = secrets.token_urlsafe(24)

STATE_KEYS = ("kiosk_id", "kiosk_name", "community_id", "community_name", "platform_url",
              "platform_id")


@dataclass(frozen=True)
class EnrolmentCode:
    code: str
    platform_url: str  # empty when the text was a bare code


@dataclass(frozen=True)
class Enrolment:
    kiosk_id: str
    kiosk_name: str
    community_id: str
    community_name: str
    platform_url: str

    def __repr__(self) -> str:
        return f"Enrolment(kiosk_id={self.kiosk_id!r}, community_id={self.community_id!r})"


def parse_code(text: str) -> EnrolmentCode:
    """A typed code like "K7QM-3XPA-9RTD", or the QR text {"v": 1, "platform": …, "code": …}."""
    text = text.strip()
    if text.startswith("{"):
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise InvalidCode("not an enrolment QR code") from exc
        if not isinstance(data, dict) or data.get("v") != 1 or not data.get("code"):
            raise InvalidCode("not an enrolment QR code")
        return EnrolmentCode(_normalise(str(data["code"])), str(data.get("platform") or ""))
    if not text:
        raise InvalidCode("no enrolment code")
    return EnrolmentCode(_normalise(text), "")


def _normalise(code: str) -> str:
    plain = "".join(ch for ch in code.upper() if ch.isalnum())
    return "-".join(plain[i:i + 4] for i in range(0, len(plain), 4))


@dataclass(frozen=True)
class Grant:
    """The platform's yes to an enrolment code, not yet kept on this kiosk."""

    enrolment: Enrolment
    token: str = field(repr=False)
    platform_id: str = ""


def enrol(store: Store, token_path: Path, text: str, platform_url: str = "",
          device_name: str = "", client: PlatformClient | None = None,
          allow_insecure_http: bool = False) -> Enrolment:
    """Enrol this kiosk; the token goes to `token_path` only, never to the database or a log."""
    return keep_enrolment(store, token_path, request_enrolment(
        text, platform_url, device_name, client, allow_insecure_http=allow_insecure_http))


def request_enrolment(text: str, platform_url: str = "", device_name: str = "",
                      client: PlatformClient | None = None, timeout_s: float = 20.0,
                      allow_insecure_http: bool = False) -> Grant:
    """Ask the platform (slow: run it off the GUI thread); nothing is written here.

    A QR code's address is used where none was given; one that differs from the address
    given is refused unasked (staff are shown it and choose it: ui/staff/enrol.py)."""
    parsed = parse_code(text)
    if parsed.platform_url and platform_url \
            and not same_address(parsed.platform_url, platform_url):
        raise AddressMismatch("the QR code names another platform", url=parsed.platform_url)
    url = platform_url or parsed.platform_url
    if not url:
        raise NotEnrolled("no platform address to enrol with")
    if not address_allowed(url, allow_insecure_http):
        raise InsecureAddress("plain http to another machine")
    own = client is None
    client = client or PlatformClient(url, timeout_s=timeout_s)
    try:
        answer = client.enrol(parsed.code, device_name, INSTALL_ID)
        try:
            token = str(answer["token"])
            community = answer["community"]
            enrolment = Enrolment(str(answer["kiosk_id"]), str(answer.get("kiosk_name") or ""),
                                  str(community["id"]), str(community.get("name") or ""), url)
        except (KeyError, TypeError) as exc:
            raise InvalidCode("the platform's enrolment answer is incomplete") from exc
        return Grant(enrolment, token, str(client.time().get("platform_id") or ""))
    finally:
        if own:
            client.close()


# What a kiosk holds of its community; all of it goes when it joins another one.
COMMUNITY_TABLES = ("outbox", "leases", "attendance", "bookings", "ratings", "provider_ratings",
                    "complaints", "help_requests", "elder_edits", "attention_done", "audit_log",
                    "staff_pins", "staff", "slots", "providers", "services", "elders",
                    "subsidy_levels", "sync_state")


def keep_enrolment(store: Store, token_path: Path, grant: Grant) -> Enrolment:
    """The token to its 0600 file, who this kiosk is to the store (on the store's thread).

    Joining another community (or another platform, or leaving demo data behind) starts the
    store afresh, so nothing of the old one is shown or pushed to the new one. Records not yet
    sent stop that, unless they are only demo data."""
    with store.transaction() as conn:
        if _belongs_elsewhere(store, conn, grant):
            unsent = pending_count(conn)
            if unsent and not store.get_state(DEMO_COMMUNITY_KEY):
                raise UnsentElsewhere(count=unsent)
            for table in COMMUNITY_TABLES:
                conn.execute(f"DELETE FROM {table}")  # noqa: S608 (names from the list above)
            log.info("enrolled into another community: the store starts afresh (%d unsent "
                     "demo records dropped)", unsent)
        save_token(token_path, grant.token)  # inside: a refusal above leaves the old token
        for key in STATE_KEYS[:-1]:
            store.set_state(key, getattr(grant.enrolment, key))
        store.set_state("platform_id", grant.platform_id)
    return grant.enrolment


def _belongs_elsewhere(store: Store, conn, grant: Grant) -> bool:
    """The store holds data that is not this grant's community's (including demo data)."""
    community = store.get_state("community_id")
    same = (community == grant.enrolment.community_id
            and store.get_state("platform_id") == grant.platform_id)
    # demo data seeded here, now enrolled with the demo platform of the same community
    demo_platform = not community and \
        store.get_state(DEMO_COMMUNITY_KEY) == grant.enrolment.community_id
    if same or demo_platform:
        return False
    return any(conn.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone()  # noqa: S608
               for table in COMMUNITY_TABLES if table != "sync_state") \
        or bool(store.get_state("community_id"))


def enrolment_of(store: Store) -> Enrolment | None:
    kiosk_id = store.get_state("kiosk_id")
    if not kiosk_id:
        return None
    return Enrolment(kiosk_id, store.get_state("kiosk_name"), store.get_state("community_id"),
                     store.get_state("community_name"), store.get_state("platform_url"))


def save_token(path: Path, token: str) -> None:
    """Write the token readable only by this user, replacing any earlier one atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(path.name + ".new")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(fd, 0o600)  # even if a stale file with wider rights was there
        os.write(fd, token.encode("ascii"))
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(temp, path)


def load_token(path: Path) -> str | None:
    try:
        return path.read_text(encoding="ascii").strip() or None
    except FileNotFoundError:
        return None
