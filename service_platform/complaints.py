"""Complaints (意见/投诉) handled to the end: open → in progress → resolved → closed.

Kiosks file them (`complaint.create`) and send the elder's view of how hers was handled
(`complaint.answer`); operators take, resolve, close and reopen them in the console, and a
provider replies to those about it. Every step is a line of the complaint's timeline
(complaint_events); every change kiosks can see (state, resolution, answer) is fed as the
`complaint` (docs/protocol.md §3.5).
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, RowMapping, and_, case, func, insert, select, update

from elder_wire.codes import ComplaintState
from elder_wire.operations import ComplaintAnswer, ComplaintCreate, unkeepable
from service_platform import bookings, catalogue, clock, entities, feed, services
from service_platform.auth import Kiosk
from service_platform.bookings import Outcome
from service_platform.feed import Change
from service_platform.schema import (
    communities,
    complaint_events,
    complaints,
    elders,
    operators,
    providers,
)

DEFAULT_DAYS = 3  # a community's complaint_days unless it sets its own
DAYS = range(1, 31)  # the complaint_days a community may choose
TEXT_MAX = 500  # a resolution, a provider's reply, an operator's note
HANDLING = (ComplaintState.OPEN, ComplaintState.IN_PROGRESS)  # still to be resolved
DONE = (ComplaintState.RESOLVED, ComplaintState.CLOSED)
CLOSING_ANSWERS = ("satisfied", "neutral")
# How the elder's kiosk presents a resolution (Chinese, the kiosk's default language).
KIOSK_WORDS = "您{month}月{day}日的意见已处理：{resolution}"


class Refusal(Exception):
    """An operator's step that cannot be taken: `key` says why, in the console's words
    (console.complaint.error.<key>)."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


@dataclass(frozen=True)
class Actor:
    """Who took a step: an operator (id and name), or kiosk staff (staff id, maybe none)."""

    id: str | None
    name: str | None = None
    operator: bool = False


def due_at(received_at: str, days: int, tz: str) -> str:
    """When a complaint received at `received_at` is due: `days` working days (Monday to
    Friday, in the community's time zone) later, at the same time of day."""
    moment = clock.parse(received_at).astimezone(ZoneInfo(tz))
    left = days
    while left > 0:
        moment += dt.timedelta(days=1)
        if moment.weekday() < 5:
            left -= 1
    return clock.stamp(moment.astimezone(dt.UTC))


def is_overdue(row: RowMapping | dict, now: dt.datetime) -> bool:
    """Not resolved (nor closed) by its due time."""
    return row["state"] in HANDLING and row["due_at"] is not None \
        and clock.parse(row["due_at"]) < now


def needs_follow_up(row: RowMapping | dict) -> bool:
    """Resolved, and the elder said she is not satisfied with how: an operator reopens or
    closes it."""
    return row["state"] == ComplaintState.RESOLVED and row["answer"] == "unsatisfied"


def kiosk_words(created_at: str, tz: str, resolution: str) -> str:
    """The resolution as the elder's kiosk shows and says it."""
    day = clock.parse(created_at).astimezone(ZoneInfo(tz))
    return KIOSK_WORDS.format(month=day.month, day=day.day, resolution=resolution)


# --- from kiosks ----------------------------------------------------------------------------

def create(conn: Connection, kiosk: Kiosk, order: ComplaintCreate, now: dt.datetime) -> Outcome:
    complaint_id = str(order.id)
    booking_id = None if order.booking_id is None else str(order.booking_id)
    existing = get(conn, kiosk.community_id, complaint_id)
    if existing is not None:
        same = (existing["booking_id"], existing["elder_id"]) == (booking_id, order.elder_id)
        return _answer(existing) if same else Outcome.rejected("duplicate")
    if catalogue.get_elder(conn, kiosk.community_id, order.elder_id) is None:
        return Outcome.rejected("unknown_elder")
    about = order.about or ("booking" if booking_id else "centre")
    booking_provider = None
    if booking_id is not None:
        booking = bookings.get_booking(conn, kiosk.community_id, booking_id)
        if booking is None:
            return Outcome.rejected("unknown_booking")
        if booking["elder_id"] != order.elder_id:
            return Outcome.rejected("not_allowed")
        booking_provider = booking["provider_id"] or _provider_id(conn, booking)
    if about == "booking" and booking_id is None:
        return Outcome.rejected("unknown_booking")
    provider_id = booking_provider if about == "booking" else None
    if about == "provider":
        if order.provider_id is None or services.get_provider(
                conn, kiosk.community_id, order.provider_id) is None:
            return Outcome.rejected("unknown_provider")
        provider_id = order.provider_id
    place = catalogue.get_community(conn, kiosk.community_id)
    received = clock.stamp(now)
    conn.execute(insert(complaints).values(
        community_id=kiosk.community_id, id=complaint_id, booking_id=booking_id,
        elder_id=order.elder_id, provider_id=provider_id, reasons=json.dumps(order.reasons),
        staff_id=order.staff_id, state=ComplaintState.OPEN, kiosk_id=kiosk.id,
        created_at=order.created_at.isoformat(), received_at=received, about=about,
        call_back=order.call_back, note=order.note or None,
        due_at=due_at(received, place["complaint_days"], place["tz"])))
    add_event(conn, kiosk.community_id, complaint_id, "received", received,
              Actor(order.staff_id))
    return _answer(_fed(conn, kiosk.community_id, complaint_id))


def answer(conn: Connection, kiosk: Kiosk, order: ComplaintAnswer,
           now: dt.datetime) -> Outcome:
    """The elder's view of the handling: once per resolution; satisfied or neutral closes the
    complaint, unsatisfied leaves it resolved for an operator to follow up."""
    complaint_id = str(order.complaint_id)
    row = get(conn, kiosk.community_id, complaint_id, lock=True)
    if row is None:
        return Outcome.rejected("unknown_complaint")
    if row["elder_id"] != order.elder_id:
        return Outcome.rejected("not_allowed")
    if row["answer"] is not None:
        return _answer(row) if row["answer"] == order.score else Outcome.rejected("duplicate")
    if row["state"] not in DONE or row["resolution"] is None:
        return Outcome.rejected("not_done")
    stamp = clock.stamp(now)
    values = {"answer": order.score, "answered_at": order.answered_at.isoformat()}
    closes = order.score in CLOSING_ANSWERS and row["state"] == ComplaintState.RESOLVED
    if closes:
        values.update(state=ComplaintState.CLOSED, closed_at=stamp)
    _update(conn, kiosk.community_id, complaint_id, values)
    actor = Actor(order.staff_id)
    add_event(conn, kiosk.community_id, complaint_id, "answered", stamp, actor, order.score)
    if closes:
        add_event(conn, kiosk.community_id, complaint_id, "closed", stamp, actor)
    return _answer(_fed(conn, kiosk.community_id, complaint_id))


def _answer(row: RowMapping) -> Outcome:
    return Outcome("applied", data={"complaint_id": row["id"], "provider_id": row["provider_id"],
                                    "state": row["state"]})


def _provider_id(conn: Connection, booking: RowMapping) -> str | None:
    """For bookings made before providers existed: the service's provider now."""
    provider = services.provider_for(conn, booking["community_id"], booking["service"])
    return None if provider is None else provider["id"]


# --- operators' steps -----------------------------------------------------------------------

def take(conn: Connection, community_id: str, complaint_id: str, actor: Actor,
         now: dt.datetime) -> RowMapping:
    """我来处理: the actor owns it; an open one is in progress from now."""
    row = _step_from(conn, community_id, complaint_id, HANDLING)
    values = {"owner_id": actor.id}
    if row["state"] == ComplaintState.OPEN:
        values["state"] = ComplaintState.IN_PROGRESS
    return _step(conn, row, values, "taken", actor, now)


def assign(conn: Connection, community_id: str, complaint_id: str, owner: RowMapping,
           actor: Actor, now: dt.datetime) -> RowMapping:
    """Someone else answers for it (an operator who may handle the community's complaints)."""
    row = _step_from(conn, community_id, complaint_id, (*HANDLING, ComplaintState.RESOLVED))
    return _step(conn, row, {"owner_id": owner["id"]}, "assigned", actor, now,
                 owner["display_name"])


def start(conn: Connection, community_id: str, complaint_id: str, actor: Actor,
          now: dt.datetime) -> RowMapping:
    row = _step_from(conn, community_id, complaint_id, (ComplaintState.OPEN,))
    values = {"state": ComplaintState.IN_PROGRESS}
    if row["owner_id"] is None:
        values["owner_id"] = actor.id
    return _step(conn, row, values, "started", actor, now)


def resolve(conn: Connection, community_id: str, complaint_id: str, resolution: str,
            actor: Actor, now: dt.datetime) -> RowMapping:
    """The answer for the elder, in plain words; her kiosk shows and says it once."""
    text = clean_text(resolution, "resolution", required=True)
    row = _step_from(conn, community_id, complaint_id, HANDLING)
    stamp = clock.stamp(now)
    values = {"state": ComplaintState.RESOLVED, "resolution": text, "resolved_at": stamp,
              "resolved_by": actor.id}
    if row["owner_id"] is None:
        values["owner_id"] = actor.id
    return _step(conn, row, values, "resolved", actor, now, text)


def close(conn: Connection, community_id: str, complaint_id: str, note: str, actor: Actor,
          now: dt.datetime) -> RowMapping:
    """Closed by an operator: after an unsatisfied answer was followed up, or one that needs
    nothing more (withdrawn, a repeat)."""
    text = clean_text(note, "note")
    row = _step_from(conn, community_id, complaint_id, (*HANDLING, ComplaintState.RESOLVED))
    return _step(conn, row, {"state": ComplaintState.CLOSED, "closed_at": clock.stamp(now)},
                 "closed", actor, now, text)


def reopen(conn: Connection, community_id: str, complaint_id: str, note: str, actor: Actor,
           now: dt.datetime) -> RowMapping:
    """Back in progress. The resolution and the elder's answer are cleared (both stay in the
    timeline): the next resolution is shown to her as new, and she answers it again."""
    text = clean_text(note, "note")
    row = _step_from(conn, community_id, complaint_id, DONE)
    values = {"state": ComplaintState.IN_PROGRESS, "resolution": None, "resolved_at": None,
              "resolved_by": None, "answer": None, "answered_at": None, "closed_at": None}
    if row["owner_id"] is None:
        values["owner_id"] = actor.id
    return _step(conn, row, values, "reopened", actor, now, text)


def reply(conn: Connection, community_id: str, complaint_id: str, text: str, actor: Actor,
          now: dt.datetime) -> RowMapping:
    """The provider's own reply, for the operators (not fed to kiosks); a later one replaces
    it on the complaint, the timeline keeps both."""
    words = clean_text(text, "reply", required=True)
    row = _step_from(conn, community_id, complaint_id, tuple(ComplaintState))
    stamp = clock.stamp(now)
    _update(conn, community_id, complaint_id, {"provider_reply": words,
                                                "provider_replied_at": stamp})
    add_event(conn, community_id, complaint_id, "provider_replied", stamp, actor, words)
    return get(conn, community_id, row["id"])


def clean_text(value: str, field: str, required: bool = False) -> str | None:
    """An operator's words as kept: trimmed, at most TEXT_MAX characters, keepable."""
    text = " ".join((value or "").split())  # one paragraph: the kiosk says it in one go
    if not text:
        if required:
            raise Refusal(f"{field}_missing")
        return None
    if len(text) > TEXT_MAX:
        raise Refusal(f"{field}_long")
    if unkeepable(text):
        raise Refusal("text_bad")
    return text


def _step_from(conn: Connection, community_id: str, complaint_id: str,
               states: tuple) -> RowMapping:
    row = get(conn, community_id, complaint_id, lock=True)
    if row is None:
        raise Refusal("unknown")
    if row["state"] not in states:
        raise Refusal("state")
    return row


def _step(conn: Connection, row: RowMapping, values: dict, what: str, actor: Actor,
          now: dt.datetime, note: str | None = None) -> RowMapping:
    """Change the complaint, write its timeline, and feed it when kiosks see the change."""
    community_id, complaint_id = row["community_id"], row["id"]
    _update(conn, community_id, complaint_id, values)
    add_event(conn, community_id, complaint_id, what, clock.stamp(now), actor, note)
    fed_fields = {"state", "resolution", "resolved_at", "answer", "answered_at"}
    if any(values.get(name) != row[name] for name in fed_fields & set(values)):
        return _fed(conn, community_id, complaint_id)
    return get(conn, community_id, complaint_id)


def _update(conn: Connection, community_id: str, complaint_id: str, values: dict) -> None:
    conn.execute(update(complaints).where(complaints.c.community_id == community_id,
                                          complaints.c.id == complaint_id).values(**values))


def add_event(conn: Connection, community_id: str, complaint_id: str, what: str, at: str,
              actor: Actor | None = None, note: str | None = None) -> None:
    conn.execute(insert(complaint_events).values(
        community_id=community_id, complaint_id=complaint_id, at=at, what=what,
        operator_id=actor.id if actor and actor.operator else None,
        actor_name=(actor.name or actor.id) if actor else None, note=note))


def _fed(conn: Connection, community_id: str, complaint_id: str) -> RowMapping:
    row = get(conn, community_id, complaint_id)
    feed.append(conn, community_id, [Change("complaint", complaint_id, entities.complaint(row))])
    return row


# --- reading ----------------------------------------------------------------------------------

def get(conn: Connection, community_id: str, complaint_id: str,
        lock: bool = False) -> RowMapping | None:
    query = select(complaints).where(complaints.c.community_id == community_id,
                                     complaints.c.id == complaint_id)
    return conn.execute(query.with_for_update() if lock else query).mappings().first()


def timeline(conn: Connection, community_id: str, complaint_id: str) -> list[RowMapping]:
    return list(conn.execute(select(complaint_events).where(
        complaint_events.c.community_id == community_id,
        complaint_events.c.complaint_id == complaint_id,
    ).order_by(complaint_events.c.id)).mappings())


@dataclass(frozen=True)
class Filter:
    """Which complaints a list shows. `state`: "" the ones not closed, "all", or one state."""

    community_ids: list[str] | None  # None: every community
    provider_id: str | None = None
    state: str = ""
    overdue: bool = False
    follow_up: bool = False
    owner_id: str | None = None


def listing(conn: Connection, where: Filter, now: dt.datetime, limit: int) -> list[dict]:
    """Complaints with what a list needs: handling ones first, the soonest due first; then the
    resolved and closed ones, newest first. The elder's name is whole: mask it to show."""
    rank = case((complaints.c.state.in_(HANDLING), 0),
                (complaints.c.state == ComplaintState.RESOLVED, 1), else_=2)
    query = _joined().order_by(rank, case((rank == 0, complaints.c.due_at), else_=None),
                               complaints.c.received_at.desc(), complaints.c.id).limit(limit)
    query = _scoped(query, where)
    if where.state == "":
        query = query.where(complaints.c.state != ComplaintState.CLOSED)
    elif where.state != "all":
        query = query.where(complaints.c.state == where.state)
    if where.overdue:
        query = query.where(complaints.c.state.in_(HANDLING),
                            complaints.c.due_at < clock.stamp(now))
    if where.follow_up:
        query = query.where(complaints.c.state == ComplaintState.RESOLVED,
                            complaints.c.answer == "unsatisfied")
    if where.owner_id is not None:
        query = query.where(complaints.c.owner_id == where.owner_id)
    return [dict(row) for row in conn.execute(query).mappings()]


def one(conn: Connection, community_id: str, complaint_id: str) -> dict | None:
    """One complaint with what its page needs (as `listing` gives it)."""
    row = conn.execute(_joined().where(complaints.c.community_id == community_id,
                                       complaints.c.id == complaint_id)).mappings().first()
    return None if row is None else dict(row)


def _joined():
    """Complaints with their community, elder (name and phone), owner's and provider's names."""
    return (select(complaints, communities.c.name.label("community_name"), communities.c.tz,
                   elders.c.name.label("elder_name"), elders.c.phone.label("elder_phone"),
                   operators.c.display_name.label("owner_name"),
                   providers.c.name.label("provider_name"))
            .join(communities, communities.c.id == complaints.c.community_id)
            .outerjoin(elders, and_(elders.c.community_id == complaints.c.community_id,
                                    elders.c.id == complaints.c.elder_id))
            .outerjoin(operators, operators.c.id == complaints.c.owner_id)
            .outerjoin(providers, and_(providers.c.community_id == complaints.c.community_id,
                                       providers.c.id == complaints.c.provider_id)))


def counts(conn: Connection, where: Filter, now: dt.datetime) -> dict[str, int]:
    """How many in each state, overdue and to follow up, within the filter's communities and
    provider (whatever its state and toggles)."""
    scope = Filter(where.community_ids, where.provider_id)
    rows = conn.execute(_scoped(select(complaints.c.state, func.count()).group_by(
        complaints.c.state), scope)).all()
    found = {state.value: 0 for state in ComplaintState} | {row[0]: row[1] for row in rows}
    overdue = conn.execute(_scoped(select(func.count()).select_from(complaints).where(
        complaints.c.state.in_(HANDLING), complaints.c.due_at < clock.stamp(now)), scope)
    ).scalar_one()
    follow_up = conn.execute(_scoped(select(func.count()).select_from(complaints).where(
        complaints.c.state == ComplaintState.RESOLVED, complaints.c.answer == "unsatisfied"),
        scope)).scalar_one()
    return found | {"overdue": overdue, "follow_up": follow_up}


def _scoped(query, where: Filter):
    if where.community_ids is not None:
        query = query.where(complaints.c.community_id.in_(where.community_ids))
    if where.provider_id is not None:
        query = query.where(complaints.c.provider_id == where.provider_id)
    return query


def elder_phone(conn: Connection, community_id: str, elder_id: str) -> str | None:
    return conn.execute(select(elders.c.phone).where(
        elders.c.community_id == community_id, elders.c.id == elder_id)).scalar()


# --- a community's deadline -------------------------------------------------------------------

def days(conn: Connection, community_id: str) -> int:
    return conn.execute(select(communities.c.complaint_days).where(
        communities.c.id == community_id)).scalar_one()


def set_days(conn: Connection, community_id: str, value: int) -> None:
    """Complaints received from now on are due `value` working days later (those already
    received keep their due time)."""
    if value not in DAYS:
        raise ValueError(f"complaint_days must be within {DAYS.start}..{DAYS.stop - 1}")
    conn.execute(update(communities).where(communities.c.id == community_id).values(
        complaint_days=value))
