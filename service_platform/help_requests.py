"""Help requests: from the kiosk's help button, through the console, to resolved.

Each request is an incident with a timeline (help_events): received, escalated, notified,
details opened, acknowledged, resolved. States only move forward (open → acknowledged →
resolved), whoever moves them: kiosk staff through `help.update`, operators in the console.
Every change is fed to the community's kiosks and announced to consoles (live.publish).
"""
from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass

from sqlalchemy import Connection, RowMapping, insert, select, update

from elder_wire.operations import HelpCreate, HelpUpdate
from service_platform import clock, entities, feed, live
from service_platform.auth import Kiosk
from service_platform.bookings import Outcome
from service_platform.feed import Change
from service_platform.schema import communities, elders, help_events, help_requests, kiosks

STATES = ("open", "acknowledged", "resolved")  # only ever forward
NOTE_LENGTH = 500


@dataclass(frozen=True)
class Actor:
    """Who moved a request: kiosk staff (by staff id) or a console operator (id and name)."""
    id: str
    name: str | None = None  # set for operators; kiosks name their own staff
    operator: bool = False


def create(conn: Connection, kiosk: Kiosk, order: HelpCreate, now: dt.datetime) -> Outcome:
    """Store a help request; never refused for a business reason (it must reach staff)."""
    help_id = str(order.id)
    existing = get(conn, kiosk.community_id, help_id)
    if existing is not None:
        same = (existing["elder_id"], existing["kind"]) == (order.elder_id, order.kind)
        return _answer(existing) if same else Outcome.rejected("duplicate")
    received = clock.stamp(now)
    conn.execute(insert(help_requests).values(
        community_id=kiosk.community_id, id=help_id, elder_id=order.elder_id, kind=order.kind,
        state="open", staff_id=order.staff_id, kiosk_id=kiosk.id,
        created_at=order.created_at.isoformat(), received_at=received))
    add_event(conn, kiosk.community_id, help_id, "received", received)
    return _fed(conn, kiosk.community_id, help_id)


def update_state(conn: Connection, kiosk: Kiosk, order: HelpUpdate,
                 at: dt.datetime) -> Outcome:
    """Kiosk staff move a request forward; `at` is when they did it."""
    row = advance(conn, kiosk.community_id, str(order.id), order.state, Actor(order.staff_id), at)
    return Outcome.rejected("unknown_help") if row is None else _answer(row)


def advance(conn: Connection, community_id: str, help_id: str, state: str, actor: Actor,
            at: dt.datetime, note: str | None = None) -> RowMapping | None:
    """Move a request forward to `state` (acknowledged or resolved); a step back or a repeat
    changes nothing. Returns the request as it now is, None if there is no such request."""
    existing = get(conn, community_id, help_id, lock=True)
    if existing is None:
        return None
    if STATES.index(state) <= STATES.index(existing["state"]):
        return existing
    stamp = clock.stamp(at)
    values = {"state": state, f"{state}_by": actor.id, f"{state}_at": stamp,
              f"{state}_by_name": actor.name}
    if state == "resolved":
        values["resolution_note"] = note
        if existing["acknowledged_at"] is None:  # resolved at once: acknowledged then too
            values.update(acknowledged_by=actor.id, acknowledged_at=stamp,
                          acknowledged_by_name=actor.name)
    conn.execute(update(help_requests).where(
        help_requests.c.community_id == community_id,
        help_requests.c.id == help_id).values(**values))
    add_event(conn, community_id, help_id, state, stamp, actor, note)
    _fed(conn, community_id, help_id)
    return get(conn, community_id, help_id)


def add_event(conn: Connection, community_id: str, help_id: str, what: str, at: str,
              actor: Actor | None = None, note: str | None = None) -> None:
    """One line of the request's timeline, and consoles told to look again."""
    conn.execute(insert(help_events).values(
        community_id=community_id, help_id=help_id, at=at, what=what,
        operator_id=actor.id if actor and actor.operator else None,
        actor_name=(actor.name or actor.id) if actor else None, note=note))
    live.publish(conn, community_id)


def get(conn: Connection, community_id: str, help_id: str,
        lock: bool = False) -> RowMapping | None:
    query = select(help_requests).where(help_requests.c.community_id == community_id,
                                        help_requests.c.id == help_id)
    return conn.execute(query.with_for_update() if lock else query).mappings().first()


def timeline(conn: Connection, community_id: str, help_id: str) -> list[RowMapping]:
    return list(conn.execute(select(help_events).where(
        help_events.c.community_id == community_id, help_events.c.help_id == help_id,
    ).order_by(help_events.c.id)).mappings())


def queue(conn: Connection, community_ids: list[str] | None, resolved_since: str) -> list[dict]:
    """Requests not yet resolved, and those resolved since `resolved_since`, oldest first,
    with what a responder needs at a glance (the elder's name still whole: mask it to show)."""
    query = (select(help_requests, elders.c.name.label("elder_name"),
                    kiosks.c.name.label("kiosk_name"), communities.c.name.label("community_name"),
                    communities.c.escalate_after_min, communities.c.tz)
             .join(communities, communities.c.id == help_requests.c.community_id)
             .join(kiosks, kiosks.c.id == help_requests.c.kiosk_id, isouter=True)
             .join(elders, (elders.c.community_id == help_requests.c.community_id)
                   & (elders.c.id == help_requests.c.elder_id), isouter=True)
             .where((help_requests.c.state != "resolved")
                    | (help_requests.c.resolved_at >= resolved_since))
             .order_by(help_requests.c.received_at, help_requests.c.id))
    if community_ids is not None:
        query = query.where(help_requests.c.community_id.in_(community_ids))
    return [dict(row) for row in conn.execute(query).mappings()]


def contact_details(conn: Connection, community_id: str, elder_id: str) -> RowMapping | None:
    """What a responder opens on purpose: phone, address, emergency contact."""
    return conn.execute(select(elders.c.name, elders.c.phone, elders.c.address,
                               elders.c.emergency_contact, elders.c.notify_family).where(
        elders.c.community_id == community_id, elders.c.id == elder_id)).mappings().first()


@dataclass(frozen=True)
class DayTimes:
    community_id: str
    day: str  # the community's local date
    requests: int
    acknowledged: int
    median_ack_s: float | None
    slowest_ack_s: float | None
    resolved: int
    median_resolve_s: float | None
    slowest_resolve_s: float | None


def response_times(conn: Connection, community_ids: list[str] | None, since: str,
                   ) -> list[DayTimes]:
    """Per community and local day (newest first): how long until acknowledged and resolved,
    counted from when the request reached the platform; requests still waiting count as
    waiting until now in neither figure but in `requests`."""
    from zoneinfo import ZoneInfo

    query = (select(help_requests.c.community_id, help_requests.c.received_at,
                    help_requests.c.acknowledged_at, help_requests.c.resolved_at,
                    communities.c.tz)
             .join(communities, communities.c.id == help_requests.c.community_id)
             .where(help_requests.c.received_at >= since))
    if community_ids is not None:
        query = query.where(help_requests.c.community_id.in_(community_ids))
    groups: dict[tuple[str, str], dict[str, list[float] | int]] = {}
    for row in conn.execute(query).mappings():
        received = clock.parse(row["received_at"])
        day = received.astimezone(ZoneInfo(row["tz"])).date().isoformat()
        group = groups.setdefault((row["community_id"], day),
                                  {"n": 0, "ack": [], "resolve": []})
        group["n"] += 1
        if row["acknowledged_at"]:
            group["ack"].append(_seconds(received, row["acknowledged_at"]))
        if row["resolved_at"]:
            group["resolve"].append(_seconds(received, row["resolved_at"]))
    return [DayTimes(community_id, day, group["n"], len(group["ack"]), _median(group["ack"]),
                     max(group["ack"], default=None), len(group["resolve"]),
                     _median(group["resolve"]), max(group["resolve"], default=None))
            for (community_id, day), group in sorted(groups.items(),
                                                     key=lambda item: (item[0][1], item[0][0]),
                                                     reverse=True)]


def _seconds(received: dt.datetime, later: str) -> float:
    return max(0.0, (clock.parse(later) - received).total_seconds())


def _median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def _fed(conn: Connection, community_id: str, help_id: str) -> Outcome:
    row = get(conn, community_id, help_id)
    feed.append(conn, community_id, [Change("help_request", help_id, entities.help_request(row))])
    return _answer(row)


def _answer(row: RowMapping) -> Outcome:
    return Outcome("applied", data={"help_id": row["id"], "state": row["state"]})
