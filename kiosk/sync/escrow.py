"""Renewing capacity leases each sync cycle: give back used-up or old ones, ask for fresh shares."""
from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass

from kiosk import catalogue
from kiosk.clock import Clock
from kiosk.leases import used_count
from kiosk.store import Store
from kiosk.sync import errors
from kiosk.sync.client import PlatformClient
from kiosk.sync.pull import upsert_leases

MAX_ITEMS = 200  # protocol §6.2: at most 200 returns and 200 wishes per call


@dataclass
class LeaseReport:
    returned: int = 0
    active: int = 0
    places: int = 0


def refresh_leases(store: Store, client: PlatformClient, clock: Clock, days: int,
                   refresh_after_s: int) -> LeaseReport:
    """Protocol §6.5's cycle: return leases due back (with the exact count made), ask again."""
    now = clock.now()
    returns = start_returns(store, now, refresh_after_s)
    want = wanted_slots(store, now, days)
    answer = client.leases(returns, want)
    leases, receipts = answer.get("leases"), answer.get("returned", [])
    if not isinstance(leases, list) or not isinstance(receipts, list):
        raise errors.PlatformAnswerInvalid("leases: not a lease answer")
    try:
        with store.transaction() as conn:
            _finish_returns(conn, receipts)
            _replace_active(conn, leases, now.isoformat(timespec="seconds"))
    except (KeyError, TypeError, ValueError) as exc:
        raise errors.PlatformAnswerInvalid(f"leases: {type(exc).__name__}") from exc
    return LeaseReport(returned=len(returns), active=len(leases),
                       places=sum(int(x.get("places", 0)) for x in leases))


def start_returns(store: Store, now: dt.datetime, refresh_after_s: int) -> list[dict]:
    """Stop using leases that are due back and count their bookings, in one transaction.

    Marked 'returning' under the write lock, so no booking can use them after the count; a
    return whose answer is lost is simply sent again next cycle (harmless, §6.2).
    """
    with store.transaction() as conn:
        for lease_id, places, granted_at, expires_at in conn.execute(
                "SELECT lease_id, places, granted_at, expires_at FROM leases "
                "WHERE state = 'active'").fetchall():
            if _due_back(conn, lease_id, places, granted_at, expires_at, now, refresh_after_s):
                conn.execute("UPDATE leases SET state = 'returning', used = ? "
                             "WHERE lease_id = ?", (used_count(conn, lease_id), lease_id))
        rows = conn.execute("SELECT lease_id, used FROM leases WHERE state = 'returning' "
                            "ORDER BY expires_at LIMIT ?", (MAX_ITEMS,)).fetchall()
    return [{"lease_id": lease_id, "used": used or 0} for lease_id, used in rows]


def _due_back(conn: sqlite3.Connection, lease_id: str, places: int, granted_at: str,
              expires_at: str, now: dt.datetime, refresh_after_s: int) -> bool:
    if _parse(expires_at) <= now:
        return True  # past the cut-off: say how many were made so the rest flows back
    if used_count(conn, lease_id) >= places:
        return True
    granted = _parse(granted_at) if granted_at else None
    return granted is None or (now - granted).total_seconds() >= refresh_after_s


def _parse(stamp: str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(stamp)
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def wanted_slots(store: Store, now: dt.datetime, days: int) -> list[dict]:
    """Open slots of the next `days` days of services lent ahead (policy.escrow: meals); the
    platform keeps a lease we already hold."""
    last = (now.date() + dt.timedelta(days=days - 1)).isoformat()
    lent = [entry.key for entry in catalogue.entries(store) if entry.policy.escrow]
    rows = store.query(f"SELECT id, cutoff FROM slots WHERE day BETWEEN ? AND ? "
                       f"AND service IN ({', '.join('?' * len(lent))}) ORDER BY starts_at",
                       (now.date().isoformat(), last, *lent))
    return [{"slot_id": r["id"]} for r in rows if _parse(r["cutoff"]) > now][:MAX_ITEMS]


def _finish_returns(conn: sqlite3.Connection, receipts: list[dict]) -> None:
    conn.executemany("UPDATE leases SET state = 'returned' WHERE lease_id = ? "
                     "AND state = 'returning'",
                     [(str(r["lease_id"]).lower(),) for r in receipts])


def _replace_active(conn: sqlite3.Connection, leases: list[dict], stamp: str) -> None:
    """The answer lists all active leases: others this kiosk thought active are gone."""
    upsert_leases(conn, leases, stamp)
    keep = [str(x["lease_id"]).lower() for x in leases]
    marks = ",".join("?" * len(keep))
    conn.execute(f"UPDATE leases SET state = 'expired' WHERE state = 'active' "
                 f"AND lease_id NOT IN ({marks})", keep)
