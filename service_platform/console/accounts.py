"""Operators of the console: accounts, passwords (scrypt), sign-in with a lock, roles and scopes.

Roles, from widest to narrowest:
- district_admin: every community; adds operators.
- centre_manager: the communities chosen for them; kiosks, timetables, escalated calls,
  complaints and how many working days they are due in.
- duty_worker: one community; answers its help calls and handles its complaints.
- provider: one provider in one community; only its own bookings, ratings and complaints (it
  replies to these, never resolves them).
"""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import Connection, RowMapping, insert, select, update

from service_platform import clock
from service_platform.schema import ROLES, communities, operator_scopes, operators, providers

# scrypt at n=2^15, r=8, p=1 (OWASP's minimum is 2^17 × 8 × 1 in memory cost terms for a
# server; 2^15 with r=8 costs 32 MiB and ~0.1 s here, enough to make guessing slow).
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1
PASSWORD_MIN = 10
PASSWORD_MAX = 200
LOCK_AFTER = 5  # failed sign-ins in a row
LOCK_FOR = dt.timedelta(minutes=15)
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,62}$")

# What each role may use; a page or form asks `may(operator, capability)`.
CAPABILITIES: dict[str, frozenset[str]] = {
    "help": frozenset({"district_admin", "centre_manager", "duty_worker"}),
    "activities": frozenset({"district_admin", "centre_manager", "duty_worker"}),
    "kiosks": frozenset({"district_admin", "centre_manager"}),
    "communities": frozenset({"district_admin", "centre_manager"}),
    "operators": frozenset({"district_admin"}),
    "audit": frozenset({"district_admin", "centre_manager"}),
    "provider": frozenset({"provider"}),
    "reports": frozenset({"district_admin", "centre_manager", "provider"}),
    "kitchen": frozenset({"district_admin", "centre_manager", "duty_worker", "provider"}),
    # complaints: a provider sees those about it and replies; the others handle them
    "complaints": frozenset({"district_admin", "centre_manager", "duty_worker", "provider"}),
    "complaints_handle": frozenset({"district_admin", "centre_manager", "duty_worker"}),
    "complaint_reply": frozenset({"provider"}),
}


class AccountError(Exception):
    """A value the person must correct; `field` names the form field it belongs beside."""

    def __init__(self, field: str, message_key: str) -> None:
        super().__init__(message_key)
        self.field = field
        self.message_key = message_key


@dataclass(frozen=True)
class Operator:
    id: str
    username: str
    display_name: str
    role: str
    community_ids: tuple[str, ...] | None  # None: every community (district admin)
    provider_id: str | None = None

    def may(self, capability: str) -> bool:
        return self.role in CAPABILITIES[capability]

    def covers(self, community_id: str) -> bool:
        return self.community_ids is None or community_id in self.community_ids

    def scope(self) -> list[str] | None:
        """Community ids for queries: None means no restriction."""
        return None if self.community_ids is None else list(self.community_ids)


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = _scrypt(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    return "$".join(["scrypt", str(SCRYPT_N), str(SCRYPT_R), str(SCRYPT_P),
                     _b64(salt), _b64(digest)])


def check_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        found = _scrypt(password, base64.b64decode(salt), int(n), int(r), int(p))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(found, base64.b64decode(digest))


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """Compared against when the name is unknown, so that a wrong name costs as long as a wrong
    password (no telling which names exist by timing)."""
    return hash_password(secrets.token_hex(8))


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(password.encode(), salt=salt, n=n, r=r, p=p, dklen=32,
                          maxmem=256 * 1024 * 1024)


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def check_new_password(password: str) -> None:
    if len(password) < PASSWORD_MIN:
        raise AccountError("password", "console.error.password_short")
    if len(password) > PASSWORD_MAX:
        raise AccountError("password", "console.error.password_long")


def create(conn: Connection, username: str, display_name: str, role: str, password: str,
           community_ids: list[str], provider_id: str | None = None) -> str:
    """Add an operator; returns its id. Raises AccountError naming the field to correct."""
    username = username.strip().lower()
    display_name = display_name.strip()
    if not USERNAME.match(username):
        raise AccountError("username", "console.error.username")
    if conn.execute(select(operators.c.id).where(operators.c.username == username)).first():
        raise AccountError("username", "console.error.username_taken")
    if not display_name or len(display_name) > 100:
        raise AccountError("display_name", "console.error.display_name")
    if role not in ROLES:
        raise AccountError("role", "console.error.role")
    check_new_password(password)
    community_ids = sorted(set(community_ids))
    known = set(conn.execute(select(communities.c.id).where(
        communities.c.id.in_(community_ids))).scalars())
    if set(community_ids) - known:
        raise AccountError("communities", "console.error.unknown_community")
    wanted = {"district_admin": (0, 0), "centre_manager": (1, None), "duty_worker": (1, 1),
              "provider": (1, 1)}[role]
    if len(community_ids) < wanted[0] or (wanted[1] is not None and len(community_ids) > wanted[1]):
        raise AccountError("communities", f"console.error.communities_{role}")
    if role == "provider":
        if not provider_id or conn.execute(select(providers.c.id).where(
                providers.c.community_id == community_ids[0],
                providers.c.id == provider_id)).first() is None:
            raise AccountError("provider", "console.error.unknown_provider")
    else:
        provider_id = None
    operator_id = f"op-{secrets.token_hex(4)}"
    stamp = clock.stamp(clock.now())
    conn.execute(insert(operators).values(
        id=operator_id, username=username, display_name=display_name, role=role,
        password_hash=hash_password(password), active=True, failed_logins=0,
        created_at=stamp, updated_at=stamp))
    if community_ids:
        conn.execute(insert(operator_scopes), [
            {"operator_id": operator_id, "community_id": cid, "provider_id": provider_id}
            for cid in community_ids])
    return operator_id


def load(conn: Connection, operator_id: str) -> Operator | None:
    """The active operator with this id, with its scope."""
    row = conn.execute(select(operators).where(operators.c.id == operator_id,
                                               operators.c.active.is_(True))).mappings().first()
    return None if row is None else _operator(conn, row)


def _operator(conn: Connection, row: RowMapping) -> Operator:
    scopes = conn.execute(select(operator_scopes).where(
        operator_scopes.c.operator_id == row["id"]).order_by(
        operator_scopes.c.community_id)).mappings().all()
    community_ids = None if row["role"] == "district_admin" else tuple(
        s["community_id"] for s in scopes)
    provider_id = next((s["provider_id"] for s in scopes if s["provider_id"]), None)
    return Operator(row["id"], row["username"], row["display_name"], row["role"],
                    community_ids, provider_id)


@dataclass(frozen=True)
class SignIn:
    operator: Operator | None  # None: refused
    reason: str = ""  # wrong | locked | inactive
    operator_id: str | None = None  # whose account it was, when the name is known
    locked_until: dt.datetime | None = None


def sign_in(conn: Connection, username: str, password: str, now: dt.datetime) -> SignIn:
    """Check a name and password. After LOCK_AFTER wrong passwords in a row the account is
    locked for LOCK_FOR, whatever password is given meanwhile."""
    username = username.strip().lower()
    row = conn.execute(select(operators).where(operators.c.username == username)
                       .with_for_update()).mappings().first()
    if row is None:
        check_password(password, _dummy_hash())
        return SignIn(None, "wrong")
    if row["locked_until"] and now < clock.parse(row["locked_until"]):
        return SignIn(None, "locked", row["id"], clock.parse(row["locked_until"]))
    good = check_password(password, row["password_hash"])
    if not row["active"]:
        return SignIn(None, "inactive" if good else "wrong", row["id"])
    if not good:
        failed = row["failed_logins"] + 1
        values = {"failed_logins": failed}
        locked_until = None
        if failed >= LOCK_AFTER:
            locked_until = now + LOCK_FOR
            values = {"failed_logins": 0, "locked_until": clock.stamp(locked_until)}
        conn.execute(update(operators).where(operators.c.id == row["id"]).values(**values))
        return SignIn(None, "locked" if locked_until else "wrong", row["id"], locked_until)
    conn.execute(update(operators).where(operators.c.id == row["id"]).values(
        failed_logins=0, locked_until=None))
    return SignIn(_operator(conn, row), operator_id=row["id"])


def listing(conn: Connection) -> list[dict]:
    rows = conn.execute(select(operators).order_by(operators.c.role, operators.c.username)
                        ).mappings().all()
    scopes: dict[str, list[str]] = {}
    for scope in conn.execute(select(operator_scopes)).mappings():
        scopes.setdefault(scope["operator_id"], []).append(scope["community_id"])
    return [{"id": r["id"], "username": r["username"], "display_name": r["display_name"],
             "role": r["role"], "active": bool(r["active"]),
             "locked_until": r["locked_until"], "communities": sorted(scopes.get(r["id"], []))}
            for r in rows]


def set_active(conn: Connection, operator_id: str, active: bool) -> bool:
    done = conn.execute(update(operators).where(operators.c.id == operator_id).values(
        active=active, updated_at=clock.stamp(clock.now())))
    return done.rowcount == 1


def set_password(conn: Connection, operator_id: str, password: str) -> None:
    check_new_password(password)
    conn.execute(update(operators).where(operators.c.id == operator_id).values(
        password_hash=hash_password(password), failed_logins=0, locked_until=None,
        updated_at=clock.stamp(clock.now())))


def by_username(conn: Connection, username: str) -> RowMapping | None:
    return conn.execute(select(operators).where(
        operators.c.username == username.strip().lower())).mappings().first()

