"""Escalation of help calls nobody acknowledged in time, and the loop that escalates and notifies.

A request still `open` longer than its community's `escalate_after_min` gets `escalated_at` once
(whichever platform process looks first), a line in its timeline, a feed change for kiosks and,
in the same transaction, one notification per active channel covering the community (webhooks).
"""
from __future__ import annotations

import datetime as dt
import logging
import threading

from sqlalchemy import Connection, select, update
from sqlalchemy.exc import OperationalError

from service_platform import clock, entities, feed, help_requests, live, webhooks
from service_platform.db import Database
from service_platform.feed import Change
from service_platform.operators import OperatorError
from service_platform.schema import communities
from service_platform.schema import help_requests as requests_table

log = logging.getLogger(__name__)

DELAYS = range(1, 121)  # minutes a community may wait before a request is escalated
MINUTE = 60.0  # seconds in an escalation "minute"; tests shorten it


def escalate_due(db: Database, now: dt.datetime, minute_seconds: float = MINUTE) -> int:
    """Escalate every open request waiting longer than its community allows; returns how many
    this call escalated (another process may have taken some: each is escalated once)."""
    with db.read() as conn:
        due = _due(conn, now, minute_seconds)
    return sum(db.run_write(lambda conn, key=key: escalate(conn, *key, now, minute_seconds))
               for key in due)


def escalate(conn: Connection, community_id: str, help_id: str, now: dt.datetime,
             minute_seconds: float = MINUTE) -> bool:
    """Escalate one request if it is still open, overdue and not yet escalated."""
    row = help_requests.get(conn, community_id, help_id, lock=True)  # waits for a rival's commit
    if row is None or row["state"] != "open" or row["escalated_at"] is not None:
        return False
    if not _overdue(row["received_at"], delay(conn, community_id), now, minute_seconds):
        return False
    stamp = clock.stamp(now)
    done = conn.execute(update(requests_table).where(
        requests_table.c.community_id == community_id, requests_table.c.id == help_id,
        requests_table.c.state == "open", requests_table.c.escalated_at.is_(None),
    ).values(escalated_at=stamp))
    if done.rowcount != 1:
        return False
    help_requests.add_event(conn, community_id, help_id, "escalated", stamp)
    row = help_requests.get(conn, community_id, help_id)
    notified = webhooks.enqueue_escalation(conn, row, now)
    feed.append(conn, community_id, [Change("help_request", help_id, entities.help_request(row))])
    log.info("help request %s of %s escalated; %d notification(s) queued",
             help_id, community_id, notified)
    return True


def delay(conn: Connection, community_id: str) -> int:
    """The community's escalation delay in minutes."""
    return conn.execute(select(communities.c.escalate_after_min).where(
        communities.c.id == community_id)).scalar_one()


def set_delay(conn: Connection, community_id: str, minutes: int) -> None:
    """Set how many minutes (1..120) a community's help requests may wait unacknowledged."""
    if isinstance(minutes, bool) or not isinstance(minutes, int) or minutes not in DELAYS:
        raise OperatorError(f"the escalation delay is {DELAYS.start}..{DELAYS.stop - 1} minutes")
    done = conn.execute(update(communities).where(communities.c.id == community_id)
                        .values(escalate_after_min=minutes))
    if done.rowcount != 1:
        raise OperatorError(f"no community {community_id}")
    live.publish(conn, community_id)  # consoles show when each open request escalates


def _due(conn: Connection, now: dt.datetime, minute_seconds: float) -> list[tuple[str, str]]:
    # Open requests are few (each is acknowledged or escalated within minutes): compare in
    # Python, where stamps with any offset compare right.
    rows = conn.execute(
        select(requests_table.c.community_id, requests_table.c.id, requests_table.c.received_at,
               communities.c.escalate_after_min)
        .join(communities, communities.c.id == requests_table.c.community_id)
        .where(requests_table.c.state == "open", requests_table.c.escalated_at.is_(None))
        .order_by(requests_table.c.received_at)).all()
    return [(row.community_id, row.id) for row in rows
            if _overdue(row.received_at, row.escalate_after_min, now, minute_seconds)]


def _overdue(received_at: str, minutes: int, now: dt.datetime, minute_seconds: float) -> bool:
    return now - clock.parse(received_at) > dt.timedelta(seconds=minutes * minute_seconds)


def start(db: Database, stop: threading.Event, every: float = 5.0,
          minute_seconds: float = MINUTE,
          delivery: webhooks.Delivery | None = None) -> list[threading.Thread]:
    """Escalate, and deliver notifications, now and every `every` seconds until `stop` is set,
    each in its own thread (a slow receiver must not hold up escalations); a busy or absent
    database only costs a round."""
    wake = threading.Event()  # an escalation here: deliver at once, not at the next round

    def escalating() -> None:
        while True:
            if _round("escalating help requests",
                      lambda: escalate_due(db, clock.now(), minute_seconds)):
                wake.set()
            if stop.wait(every):
                return

    def delivering() -> None:
        import requests

        with requests.Session() as session:
            while not stop.is_set():
                wake.clear()
                _round("delivering notifications", lambda: webhooks.deliver_due(
                    db, clock.now(), session, delivery or webhooks.Delivery()))
                wake.wait(every)

    threads = [threading.Thread(target=escalating, name="escalator", daemon=True),
               threading.Thread(target=delivering, name="notifier", daemon=True)]
    for thread in threads:
        thread.start()
    return threads


def _round(what: str, work):
    try:
        return work()
    except OperationalError as exc:  # a known condition of the world: try again next round
        log.warning("%s failed: the database is busy or away (%s)", what,
                    type(exc.orig).__name__)
    except Exception:  # a bug: say so in full, and keep the platform running
        log.exception("%s failed", what)
