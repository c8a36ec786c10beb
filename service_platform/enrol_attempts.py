"""Enrolment attempts counted per client address in the database, so that every process of a
district refuses a guesser alike: at most ALLOWED attempts not known good per WINDOW."""
from __future__ import annotations

import datetime as dt
import ipaddress

from sqlalchemy import Connection, case, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from service_platform import clock
from service_platform.schema import enrol_failures

ALLOWED = 10
WINDOW = dt.timedelta(minutes=15)


def client_key(host: str | None) -> str:
    """Whom attempts are counted for: an IPv4 address, an IPv6 address's /64 (one household's
    or one machine's whole range)."""
    try:
        address = ipaddress.ip_address(host or "")
    except ValueError:
        return host or "unknown"
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def note(conn: Connection, key: str, now: dt.datetime) -> tuple[int, dt.datetime]:
    """Count an attempt before it is judged; (attempts in this window, when it ends)."""
    stamp, fresh_from = clock.stamp(now), clock.stamp(now - WINDOW)
    insert = sqlite_insert if conn.dialect.name == "sqlite" else postgresql_insert
    stale = enrol_failures.c.since <= fresh_from
    conn.execute(insert(enrol_failures).values(address=key, since=stamp, failures=1)
                 .on_conflict_do_update(index_elements=[enrol_failures.c.address], set_={
                     "since": case((stale, stamp), else_=enrol_failures.c.since),
                     "failures": case((stale, 1), else_=enrol_failures.c.failures + 1)}))
    row = conn.execute(select(enrol_failures.c.failures, enrol_failures.c.since).where(
        enrol_failures.c.address == key)).one()
    return row.failures, clock.parse(row.since) + WINDOW


def good(conn: Connection, key: str) -> None:
    """The attempt enrolled a kiosk: it does not count against the address."""
    conn.execute(update(enrol_failures).where(
        enrol_failures.c.address == key, enrol_failures.c.failures > 0,
    ).values(failures=enrol_failures.c.failures - 1))
