"""Kiosk enrolment and device tokens: one-time codes, hashed tokens, revocation."""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from sqlalchemy import Connection, RowMapping, bindparam, insert, select, update

from service_platform import clock, errors
from service_platform.db import CursorRead
from service_platform.schema import kiosks

CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read aloud, typed by hand
CODE_LENGTH = 12
TOKEN_PREFIX = "ek1_"
DEFAULT_CODE_TTL = dt.timedelta(days=7)
# A lost enrolment answer can be asked for again this long, by the same install only.
REDEEM_AGAIN_WITHIN = dt.timedelta(minutes=10)


@dataclass(frozen=True)
class Kiosk:
    id: str
    community_id: str
    name: str


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch not in " -")


def display_code(code: str) -> str:
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


def add_kiosk(conn: Connection, community_id: str, name: str,
              ttl: dt.timedelta = DEFAULT_CODE_TTL) -> tuple[str, str]:
    """Register a kiosk waiting for enrolment; returns (kiosk id, one-time code for display)."""
    kiosk_id = f"kiosk-{secrets.token_hex(4)}"
    code = new_code()
    now = clock.now()
    conn.execute(insert(kiosks).values(
        id=kiosk_id, community_id=community_id, name=name, code_hash=secret_hash(code),
        code_expires_at=clock.stamp(now + ttl), created_at=clock.stamp(now)))
    return kiosk_id, display_code(code)


def revoke_kiosk(conn: Connection, kiosk_id: str) -> bool:
    done = conn.execute(update(kiosks).where(
        kiosks.c.id == kiosk_id, kiosks.c.revoked_at.is_(None),
    ).values(revoked_at=clock.stamp(clock.now())))
    return done.rowcount == 1


def enrol(conn: Connection, code: str, device_name: str | None,
          install_id: str | None = None) -> tuple[RowMapping, str]:
    """Trade an enrolment code for a new device token; returns (kiosk row, token).

    The first redemption binds the code to `install_id` (the kiosk's own random id); within
    REDEEM_AGAIN_WITHIN only the same id redeems it again, for an answer that was lost (each
    time a new token; the earlier one stops working). Without an id, a code is used once."""
    row = conn.execute(select(kiosks).where(
        kiosks.c.code_hash == secret_hash(normalise_code(code)))).mappings().first()
    now = clock.now()
    if row is None or row["revoked_at"] is not None or not _redeemable(row, now, install_id):
        raise errors.invalid_code()
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    changes = {"token_hash": secret_hash(token), "enrolled_at": clock.stamp(now)}
    if row["code_used_at"] is None:
        changes["code_used_at"] = clock.stamp(now)
        changes["install_hash"] = secret_hash(install_id) if install_id else None
    if device_name:
        changes["name"] = device_name
    conn.execute(update(kiosks).where(kiosks.c.id == row["id"]).values(**changes))
    return conn.execute(select(kiosks).where(kiosks.c.id == row["id"])).mappings().one(), token


def _redeemable(row: RowMapping, now: dt.datetime, install_id: str | None) -> bool:
    if now >= clock.parse(row["code_expires_at"]):
        return False
    used = row["code_used_at"]
    if used is None:
        return True
    bound = row["install_hash"]
    return (install_id is not None and bound is not None
            and hmac.compare_digest(bound, secret_hash(install_id))
            and now < clock.parse(used) + REDEEM_AGAIN_WITHIN)


# Built once, run on the driver's cursor: every kiosk call checks its token with it. What the
# call needs of the row: who the kiosk is, whether it was revoked, and its last fleet report.
_BY_TOKEN = CursorRead(select(
    kiosks.c.id, kiosks.c.community_id, kiosks.c.name, kiosks.c.revoked_at,
    kiosks.c.last_seen_at, kiosks.c.app_version, kiosks.c.outbox_pending,
    kiosks.c.outbox_oldest_at).where(kiosks.c.token_hash == bindparam("token_hash")))


def bearer_token(authorization: str | None) -> str:
    """The device token of an `Authorization: Bearer` header, or a 401 ApiError."""
    scheme, _, token = (authorization or "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token.startswith(TOKEN_PREFIX):
        raise errors.unauthorized()
    return token


def kiosk_of(conn: Connection, token: str) -> tuple[Kiosk, dict]:
    """The kiosk holding `token` and its row as read (its fleet report among it), or a
    401/403 ApiError. One indexed read: the token's SHA-256 (a random 256-bit secret needs no
    slow hash) against the stored one; revocation is in the same row, so it holds at once."""
    found = _BY_TOKEN.first(conn, {"token_hash": secret_hash(token)})
    if found is None:
        raise errors.unauthorized()
    row = dict(zip(_BY_TOKEN.columns, found, strict=True))
    if row["revoked_at"] is not None:
        raise errors.revoked()
    return Kiosk(row["id"], row["community_id"], row["name"]), row
