"""Signed webhooks: the notice a district's SMS gateway or call centre gets of an escalated help
call, kept in an outbox (notifications) and delivered at least once across restarts and
processes (docs/notifications.md).

A notification's body is built once, stored, and is exactly the bytes signed and sent on every
attempt. A process claims a due notification for a lease (claimed_until) before sending it, so
two processes never send one at the same moment; a crashed claimer's lease runs out and another
process sends it again. Log lines name notifications and channels by id, never people.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import random
import secrets
import time
import uuid
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from sqlalchemy import Connection, RowMapping, Select, func, insert, or_, select, update

from elder_wire import privacy
from service_platform import catalogue, clock, help_requests
from service_platform.db import Database
from service_platform.operators import OperatorError
from service_platform.schema import (
    elders,
    kiosks,
    notification_attempts,
    notification_channels,
    notifications,
)

log = logging.getLogger(__name__)

EVENT = "help.escalated"
SENT_FOR = "centre_manager"  # the level of the escalation policy this notice is for
SIGNATURE_HEADER = "X-Signature-256"
SECRET_BYTES = 32
MIN_SECRET = 16  # characters of a secret given by the operator


@dataclass(frozen=True)
class Delivery:
    """How notifications are sent. The lease must outlast a send (`timeout`), or a slow send
    may be claimed again by another process."""
    timeout: float = 10.0  # seconds to connect, and to wait for each part of the answer
    lease: float = 60.0
    first_retry: float = 10.0  # then 20, 40, … seconds (±20 %)
    longest_retry: float = 15 * 60.0
    give_up_after: float = 24 * 3600.0  # counted from when the notification was made
    per_round: int = 20  # most notifications one `deliver_due` sends


# Channels: where notifications go.

def add_channel(conn: Connection, url: str, community_id: str | None = None,
                secret: str | None = None) -> tuple[str, str]:
    """A webhook for one community's escalations (None: every community's); returns its id and
    its secret, which is shown once and never listed."""
    _check_url(url)
    if community_id is not None and catalogue.get_community(conn, community_id) is None:
        raise OperatorError(f"no community {community_id}")
    if secret is None:
        secret = secrets.token_urlsafe(SECRET_BYTES)
    elif len(secret) < MIN_SECRET or len(secret) > notification_channels.c.secret.type.length:
        raise OperatorError(f"a webhook secret has {MIN_SECRET} to "
                            f"{notification_channels.c.secret.type.length} characters")
    channel_id = f"webhook-{secrets.token_hex(4)}"
    conn.execute(insert(notification_channels).values(
        id=channel_id, community_id=community_id, kind="webhook", url=url, secret=secret,
        active=True, created_at=clock.stamp(clock.now())))
    return channel_id, secret


def channels(conn: Connection, community_ids: list[str] | None = None) -> list[dict]:
    """Active and removed channels with their notifications counted per state, without
    secrets; the URL's password, if it has one, hidden. `community_ids` also keeps channels
    for every community."""
    counts = (select(notifications.c.channel_id, notifications.c.state,
                     func.count().label("n"))
              .group_by(notifications.c.channel_id, notifications.c.state))
    by_channel: dict[str, dict[str, int]] = {}
    for row in conn.execute(counts):
        by_channel.setdefault(row.channel_id, {})[row.state] = row.n
    query = select(notification_channels).order_by(notification_channels.c.created_at,
                                                   notification_channels.c.id)
    if community_ids is not None:
        query = query.where(notification_channels.c.community_id.in_(community_ids)
                            | notification_channels.c.community_id.is_(None))
    return [{"id": row["id"], "community_id": row["community_id"], "kind": row["kind"],
             "url": shown_url(row["url"]), "active": bool(row["active"]),
             "created_at": row["created_at"],
             **{state: by_channel.get(row["id"], {}).get(state, 0)
                for state in ("pending", "delivered", "failed")}}
            for row in conn.execute(query).mappings()]


def remove_channel(conn: Connection, channel_id: str) -> int:
    """Stop using a channel (kept, for its notifications' history); its notifications not yet
    delivered are given up. Returns how many were."""
    done = conn.execute(update(notification_channels).where(
        notification_channels.c.id == channel_id, notification_channels.c.active.is_(True),
    ).values(active=False))
    if done.rowcount != 1:
        raise OperatorError(f"no webhook {channel_id} to remove (unknown or already removed)")
    given_up = conn.execute(update(notifications).where(
        notifications.c.channel_id == channel_id, notifications.c.state == "pending",
    ).values(state="failed", claimed_until=None))
    return given_up.rowcount


def shown_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"{parts.username}:***@{host}"))


def _check_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise OperatorError("a webhook URL starts with http:// or https:// and names a host")
    if len(url) > notification_channels.c.url.type.length:
        raise OperatorError("the webhook URL is too long")


# Notifications: built when a request is escalated, in its transaction.

def enqueue_escalation(conn: Connection, help_row: RowMapping, now: dt.datetime) -> int:
    """One notification of the escalated request per active channel covering its community;
    returns how many."""
    community_id = help_row["community_id"]
    targets = conn.execute(select(notification_channels.c.id).where(
        notification_channels.c.active.is_(True),
        or_(notification_channels.c.community_id.is_(None),
            notification_channels.c.community_id == community_id),
    ).order_by(notification_channels.c.id)).scalars().all()
    stamp = _utc_stamp(now)
    for channel_id in targets:
        notification_id = str(uuid.uuid4())
        conn.execute(insert(notifications).values(
            id=notification_id, channel_id=channel_id, event=EVENT, community_id=community_id,
            help_id=help_row["id"], body=escalation_body(conn, notification_id, help_row, now),
            state="pending", attempts=0, next_attempt_at=stamp, created_at=stamp))
    return len(targets)


def escalation_body(conn: Connection, notification_id: str, help_row: RowMapping,
                    now: dt.datetime) -> str:
    """The JSON a receiver gets (docs/notifications.md), as text."""
    community = catalogue.get_community(conn, help_row["community_id"])
    kiosk_name = conn.execute(select(kiosks.c.name).where(
        kiosks.c.id == help_row["kiosk_id"])).scalar_one_or_none()
    waited = (now - clock.parse(help_row["received_at"])).total_seconds()
    body = {
        "event": EVENT, "id": notification_id,
        "community": {"id": community["id"], "name": community["name"]},
        "kiosk": {"id": help_row["kiosk_id"], "name": kiosk_name},
        "help": {"id": help_row["id"], "kind": help_row["kind"],
                 "received_at": help_row["received_at"], "waited_seconds": max(0, round(waited))},
        "elder": _elder(conn, help_row["community_id"], help_row["elder_id"]),
        "escalate_after_min": community["escalate_after_min"],
        "sent_for": SENT_FOR,
    }
    return json.dumps(body, ensure_ascii=False)


def _elder(conn: Connection, community_id: str, elder_id: str | None) -> dict | None:
    """The elder's masked name; the emergency contact only with the elder's consent."""
    row = None if elder_id is None else conn.execute(
        select(elders.c.name, elders.c.emergency_contact, elders.c.notify_family).where(
            elders.c.community_id == community_id, elders.c.id == elder_id)).first()
    if row is None:
        return None
    elder = {"masked_name": privacy.mask_name(row.name)}
    contact = json.loads(row.emergency_contact) if row.emergency_contact else None
    if row.notify_family and contact and contact.get("phone"):
        elder["emergency_contact"] = {"name": contact.get("name", ""), "phone": contact["phone"]}
    return elder


def sign(secret: str, body: bytes) -> str:
    """The signature header's value: sha256=<hex HMAC-SHA256 of the body>."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def request_headers(notification_id: str, secret: str, body: bytes,
                    at: dt.datetime) -> dict[str, str]:
    return {"Content-Type": "application/json", "Idempotency-Key": notification_id,
            SIGNATURE_HEADER: sign(secret, body), "X-Timestamp": str(int(at.timestamp())),
            "User-Agent": "kiosk-platform-webhook/1"}


# Delivery: claim, send, record.

@dataclass(frozen=True)
class Attempt:
    status_code: int | None
    error: str | None  # the class of the error, when there was no answer
    duration_ms: int

    @property
    def delivered(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def deliver_due(db: Database, now: dt.datetime, session, delivery: Delivery | None = None,
                rng: random.Random | None = None) -> int:
    """Send the notifications due at `now` (at most `delivery.per_round`), one at a time with
    `session` (a requests.Session); returns how many were delivered."""
    delivery = delivery or Delivery()
    began = time.monotonic()

    def moment() -> dt.datetime:  # `now` moved on by the time spent here
        return now + dt.timedelta(seconds=time.monotonic() - began)

    with db.read() as conn:  # most rounds find nothing: no write lock taken for that
        if conn.execute(_due(_utc_stamp(now))).first() is None:
            return 0
    delivered = 0
    for _ in range(delivery.per_round):
        claimed = db.run_write(lambda conn: claim(conn, moment(), delivery.lease))
        if claimed is None:
            break
        attempt = send(session, claimed, delivery.timeout, moment())
        db.run_write(lambda conn, c=claimed, a=attempt: record(
            conn, c, a, moment(), delivery, rng or random))
        delivered += attempt.delivered
    return delivered


def claim(conn: Connection, now: dt.datetime, lease: float) -> RowMapping | None:
    """The most overdue pending notification no live claim holds, claimed for `lease` seconds."""
    stamp = _utc_stamp(now)
    row = conn.execute(_due(stamp).with_for_update(skip_locked=True, of=notifications)
                       ).mappings().first()
    if row is None:
        return None
    done = conn.execute(update(notifications).where(
        notifications.c.id == row["id"], notifications.c.state == "pending", _free(stamp),
    ).values(claimed_until=_utc_stamp(now + dt.timedelta(seconds=lease))))
    return row if done.rowcount == 1 else None


def _due(stamp: str) -> Select:
    """The most overdue pending notification of an active channel that no one holds."""
    return (
        select(notifications.c.id, notifications.c.channel_id, notifications.c.community_id,
               notifications.c.help_id, notifications.c.body, notifications.c.attempts,
               notifications.c.created_at, notification_channels.c.url,
               notification_channels.c.secret)
        .join(notification_channels, notification_channels.c.id == notifications.c.channel_id)
        .where(notifications.c.state == "pending", notifications.c.next_attempt_at <= stamp,
               _free(stamp), notification_channels.c.active.is_(True))
        .order_by(notifications.c.next_attempt_at, notifications.c.id).limit(1))


def _free(stamp: str):
    return or_(notifications.c.claimed_until.is_(None), notifications.c.claimed_until <= stamp)


def send(session, claimed: RowMapping, timeout: float, at: dt.datetime) -> Attempt:
    """POST the stored body, signed; never raises."""
    body = claimed["body"].encode()
    began = time.monotonic()
    try:
        answer = session.post(claimed["url"], data=body, timeout=timeout, allow_redirects=False,
                              headers=request_headers(claimed["id"], claimed["secret"], body, at))
        answer.close()
        status, error = answer.status_code, None
    except Exception as exc:  # no answer: the class says enough (refused, timed out, …)
        status, error = None, type(exc).__name__
    return Attempt(status, error, round((time.monotonic() - began) * 1000))


def record(conn: Connection, claimed: RowMapping, attempt: Attempt, at: dt.datetime,
           delivery: Delivery, rng: random.Random) -> str:
    """Log the attempt and move the notification on; returns its state now."""
    stamp = _utc_stamp(at)
    conn.execute(insert(notification_attempts).values(
        notification_id=claimed["id"], at=stamp, status_code=attempt.status_code,
        error=attempt.error, duration_ms=attempt.duration_ms))
    attempts = claimed["attempts"] + 1
    outcome = attempt.status_code if attempt.error is None else attempt.error
    deadline = clock.parse(claimed["created_at"]) + dt.timedelta(seconds=delivery.give_up_after)
    if attempt.delivered:
        state, values = "delivered", {"delivered_at": stamp}
        log.info("notification %s delivered to %s (attempt %d, %d ms)", claimed["id"],
                 claimed["channel_id"], attempts, attempt.duration_ms)
    elif at >= deadline:
        state, values = "failed", {}
        log.warning("notification %s to %s given up after %d attempts (last: %s)",
                    claimed["id"], claimed["channel_id"], attempts, outcome)
    else:
        later = min(at + dt.timedelta(seconds=retry_delay(attempts, delivery, rng)), deadline)
        state, values = "pending", {"next_attempt_at": _utc_stamp(later)}
        log.info("notification %s to %s: attempt %d failed (%s), next at %s", claimed["id"],
                 claimed["channel_id"], attempts, outcome, values["next_attempt_at"])
    done = conn.execute(update(notifications).where(
        notifications.c.id == claimed["id"], notifications.c.state == "pending",
    ).values(state=state, attempts=attempts, claimed_until=None, **values))
    if done.rowcount == 1 and state != "pending" and claimed["help_id"] is not None:
        help_requests.add_event(conn, claimed["community_id"], claimed["help_id"],
                                "notified" if state == "delivered" else "notify_failed",
                                stamp, note=claimed["channel_id"])
    return state


def retry_delay(attempts: int, delivery: Delivery, rng: random.Random) -> float:
    """Seconds before the next try after `attempts` failed ones: doubling from `first_retry`,
    at most `longest_retry`, each ±20 % so that receivers coming back are not stormed."""
    base = min(delivery.first_retry * 2 ** min(attempts - 1, 32), delivery.longest_retry)
    return base * rng.uniform(0.8, 1.2)


def outbox(conn: Connection, community_ids: list[str] | None = None,
           limit: int = 100) -> list[dict]:
    """Notifications newest first, without their bodies (which may hold a phone number), each
    with its last attempt's outcome: for a console page."""
    last = (select(notification_attempts.c.notification_id,
                   func.max(notification_attempts.c.id).label("last_id"))
            .group_by(notification_attempts.c.notification_id).subquery())
    query = (select(notifications.c.id, notifications.c.channel_id, notifications.c.event,
                    notifications.c.community_id, notifications.c.help_id,
                    notifications.c.state, notifications.c.attempts,
                    notifications.c.next_attempt_at, notifications.c.created_at,
                    notifications.c.delivered_at,
                    notification_attempts.c.status_code.label("last_status_code"),
                    notification_attempts.c.error.label("last_error"))
             .join(last, last.c.notification_id == notifications.c.id, isouter=True)
             .join(notification_attempts, notification_attempts.c.id == last.c.last_id,
                   isouter=True)
             .order_by(notifications.c.created_at.desc(), notifications.c.id).limit(limit))
    if community_ids is not None:
        query = query.where(notifications.c.community_id.in_(community_ids))
    return [dict(row) for row in conn.execute(query).mappings()]


def _utc_stamp(moment: dt.datetime) -> str:
    """Outbox times in UTC: compared as text in the database."""
    return clock.stamp(moment.astimezone(dt.UTC))
