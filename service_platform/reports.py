"""The platform's reports and kitchen sheets: what counts, counted once (docs/reports.md).

Pure queries returning plain dataclasses; the console's pages and its CSV, XLSX and PDF exports
only present them. The counting rules, in short:
- a booking is counted on its slot's day (the community's local day), not when it was booked;
- confirmed and completed bookings are *served* (booked); cancelled and waitlisted ones are not,
  and for a cancelled one the subsidy is not owed and what the elder paid is returned;
- a no-show is a served booking of a service that takes attendance (policy.attendance), whose
  slot has ended, with no attendance of the elder at that slot; for other services (meals
  among them) the platform cannot tell, and the report says "not known";
- ratings count on the day of the service rated; complaints and help calls on the local day
  they reached the platform (received_at).
"""
from __future__ import annotations

import calendar
import datetime as dt
import json
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, and_, func, select

from elder_wire import privacy
from elder_wire.codes import BookingStatus
from elder_wire.meals import MEALS, MODES
from service_platform import catalogue, clock
from service_platform.completion import meal_end
from service_platform.schema import (
    attendance,
    bookings,
    communities,
    complaints,
    elders,
    help_requests,
    meal_slots,
    providers,
    ratings,
    service_slots,
)

SERVED = (BookingStatus.CONFIRMED.value, BookingStatus.COMPLETED.value)
CANCELLED = BookingStatus.CANCELLED.value
WAITLISTED = BookingStatus.WAITLISTED.value
LONGEST_DAYS = 366  # the longest range a report covers
TREND_MONTHS = 6  # a one-month report's satisfaction trend: that month and the five before
SCORES = ("satisfied", "neutral", "unsatisfied")
RESOLVED_STATES = ("resolved", "closed")
NO_DIET: tuple[str, ...] = ()


class ReportError(Exception):
    """Input a person must correct (a backwards range, an unknown provider): a plain message
    named by `code` (backwards, provider, …), never a server error."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Scope:
    """Whose figures: the communities (None: every one) and, within one community, one
    provider. A provider's operator always has its own community and provider here."""

    community_ids: tuple[str, ...] | None
    provider_id: str | None = None

    def __post_init__(self) -> None:
        if self.provider_id and (self.community_ids is None or len(self.community_ids) != 1):
            raise ValueError("a provider is chosen within one community")


@dataclass(frozen=True)
class Period:
    """Local days from `start` to `end`, both included."""

    start: dt.date
    end: dt.date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def month(self) -> str | None:
        """YYYY-MM when the period is exactly one calendar month."""
        last = calendar.monthrange(self.start.year, self.start.month)[1]
        if self.start.day == 1 and self.end == self.start.replace(day=last):
            return f"{self.start:%Y-%m}"
        return None

    def months(self) -> list[str]:
        return _months_between(self.start, self.end)


def month_period(month: str) -> Period:
    try:
        start = dt.date.fromisoformat(f"{month}-01")
    except ValueError:
        raise ReportError("month") from None
    return Period(start, start.replace(day=calendar.monthrange(start.year, start.month)[1]))


def parse_period(month: str | None, start: str | None, end: str | None,
                 today: dt.date) -> Period:
    """A month (YYYY-MM), or a range of days (YYYY-MM-DD to YYYY-MM-DD); this month if none."""
    if start or end:
        try:
            first = dt.date.fromisoformat(start or end or "")
            last = dt.date.fromisoformat(end or start or "")
        except ValueError:
            raise ReportError("date") from None
        if last < first:
            raise ReportError("backwards")
        if (last - first).days + 1 > LONGEST_DAYS:
            raise ReportError("too_long")
        return Period(first, last)
    return month_period(month or f"{today:%Y-%m}")


def _months_between(start: dt.date, end: dt.date) -> list[str]:
    months, year, month = [], start.year, start.month
    while (year, month) <= (end.year, end.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


# ---------------------------------------------------------------------------------------------
# The bookings of a period, once, as lines every booking report counts from.

@dataclass(frozen=True)
class BookingLine:
    community_id: str
    id: str
    elder_id: str
    service: str
    slot_id: str
    day: str  # the slot's local day, YYYY-MM-DD
    meal: str | None  # lunch / dinner for a meal, else None
    mode: str | None
    status: str
    provider_id: str | None
    price_cents: int
    subsidy_cents: int
    units: int
    subsidy_level: str
    end_at: dt.datetime | None  # when the slot is over

    @property
    def served(self) -> bool:
        return self.status in SERVED

    @property
    def paid_cents(self) -> int:
        """What the elder pays: the price less the subsidy, never below 0 (as booked)."""
        return max(0, self.price_cents - self.subsidy_cents)


def _slot_day():
    return func.coalesce(meal_slots.c.day, service_slots.c.day)


def _with_slots(joined):
    return joined.outerjoin(meal_slots, and_(
        meal_slots.c.community_id == bookings.c.community_id,
        meal_slots.c.id == bookings.c.slot_id)).outerjoin(service_slots, and_(
            service_slots.c.community_id == bookings.c.community_id,
            service_slots.c.id == bookings.c.slot_id))


def _scoped(query, table, scope: Scope):
    if scope.community_ids is not None:
        query = query.where(table.c.community_id.in_(scope.community_ids))
    if scope.provider_id:
        query = query.where(table.c.provider_id == scope.provider_id)
    return query


def booking_lines(conn: Connection, scope: Scope, period: Period) -> list[BookingLine]:
    day = _slot_day()
    query = select(
        bookings.c.community_id, bookings.c.id, bookings.c.elder_id, bookings.c.service,
        bookings.c.slot_id, day.label("day"), meal_slots.c.meal, bookings.c.mode,
        bookings.c.status, bookings.c.provider_id, bookings.c.price_cents,
        bookings.c.subsidy_cents, bookings.c.units, elders.c.subsidy_level,
        service_slots.c.end_at, communities.c.tz,
    ).select_from(_with_slots(bookings).outerjoin(elders, and_(
        elders.c.community_id == bookings.c.community_id,
        elders.c.id == bookings.c.elder_id)).join(
        communities, communities.c.id == bookings.c.community_id)).where(
        day >= period.start.isoformat(), day <= period.end.isoformat())
    query = _scoped(query, bookings, scope).order_by(day, bookings.c.community_id, bookings.c.id)
    lines = []
    for row in conn.execute(query).mappings():
        if row["meal"]:
            end = dt.datetime.combine(dt.date.fromisoformat(row["day"]), meal_end(row["meal"]),
                                      tzinfo=ZoneInfo(row["tz"]))
        else:
            end = clock.parse(row["end_at"]) if row["end_at"] else None
        lines.append(BookingLine(
            row["community_id"], row["id"], row["elder_id"], row["service"], row["slot_id"],
            row["day"], row["meal"], row["mode"] or None, row["status"], row["provider_id"],
            row["price_cents"], row["subsidy_cents"], row["units"] or 1,
            row["subsidy_level"] or "", end))
    return lines


# ---------------------------------------------------------------------------------------------
# Meals by day, subsidy level and way of eating.

@dataclass(frozen=True)
class MealCount:
    day: str
    subsidy_level: str
    mode: str
    meals: int


def meal_counts(lines: Iterable[BookingLine]) -> list[MealCount]:
    """Served meals (one a booking) by the slot's day, the elder's subsidy level and mode."""
    counted = Counter((line.day, line.subsidy_level, line.mode or "")
                      for line in lines if line.meal and line.served)
    return [MealCount(day, level, mode, n)
            for (day, level, mode), n in sorted(counted.items(), key=_meal_order)]


def _meal_order(item):
    (day, level, mode), _ = item
    return day, level, MODES.index(mode) if mode in MODES else len(MODES), mode


# ---------------------------------------------------------------------------------------------
# 补贴结算表: what elders paid and what the subsidy owes, per provider and subsidy level.

@dataclass
class Settlement:
    community_id: str
    provider_id: str | None
    subsidy_level: str
    served: int = 0
    price_cents: int = 0
    paid_cents: int = 0  # what the elders paid
    subsidy_cents: int = 0  # what the subsidy owes the provider
    cancelled: int = 0
    refunded_cents: int = 0  # what cancelled bookings' elders got back (or were never charged)


def settlement(lines: Iterable[BookingLine]) -> list[Settlement]:
    """Paid services only (a booking with a price or a subsidy); amounts as stored on each
    booking (what the elder agreed to when booking), subsidy level as the elder has it now."""
    rows: dict[tuple, Settlement] = {}
    for line in lines:
        if not (line.price_cents or line.subsidy_cents) or line.status == WAITLISTED:
            continue
        key = (line.community_id, line.provider_id or "", line.subsidy_level)
        row = rows.setdefault(key, Settlement(line.community_id, line.provider_id,
                                              line.subsidy_level))
        if line.served:
            row.served += 1
            row.price_cents += line.price_cents
            row.paid_cents += line.paid_cents
            row.subsidy_cents += min(line.subsidy_cents, line.price_cents)
        elif line.status == CANCELLED:
            row.cancelled += 1
            row.refunded_cents += line.paid_cents
    return [rows[key] for key in sorted(rows)]


# ---------------------------------------------------------------------------------------------
# Bookings, cancellations and no-shows per service.

@dataclass
class ServiceCount:
    service: str
    booked: int = 0  # confirmed or completed: held a place
    cancelled: int = 0
    waitlisted: int = 0  # still waiting when the report was made: not served
    attended: int | None = None  # None: the service takes no attendance
    no_shows: int | None = None
    not_over: int = 0  # booked, the slot not over yet (neither attended nor a no-show yet)


def service_counts(conn: Connection, lines: list[BookingLine],
                   now: dt.datetime) -> list[ServiceCount]:
    taking = _attendance_services(conn, {line.community_id for line in lines})
    present = _present(conn, [line for line in lines
                              if (line.community_id, line.service) in taking])
    rows: dict[str, ServiceCount] = {}
    for line in lines:
        row = rows.setdefault(line.service, ServiceCount(line.service))
        if line.status == CANCELLED:
            row.cancelled += 1
        elif line.status == WAITLISTED:
            row.waitlisted += 1
        elif line.served:
            row.booked += 1
            if (line.community_id, line.service) not in taking:
                continue
            row.attended = row.attended or 0
            row.no_shows = row.no_shows or 0
            if (line.community_id, line.slot_id, line.elder_id) in present:
                row.attended += 1
            elif line.end_at is not None and line.end_at <= now:
                row.no_shows += 1
            else:
                row.not_over += 1
    return [rows[key] for key in sorted(rows)]


def _attendance_services(conn: Connection, community_ids: set[str]) -> set[tuple[str, str]]:
    return {(cid, key) for cid in community_ids
            for key, entry in catalogue.services_of(conn, cid).items() if entry.policy.attendance}


def _present(conn: Connection, lines: list[BookingLine]) -> set[tuple[str, str, str]]:
    """(community, slot, elder) of every attendance at the slots of these bookings."""
    slots = defaultdict(set)
    for line in lines:
        slots[line.community_id].add(line.slot_id)
    found = set()
    for community_id, slot_ids in slots.items():
        query = select(attendance.c.slot_id, attendance.c.elder_id).where(
            attendance.c.community_id == community_id, attendance.c.slot_id.in_(slot_ids))
        found |= {(community_id, row.slot_id, row.elder_id) for row in conn.execute(query)}
    return found


# ---------------------------------------------------------------------------------------------
# Satisfaction per provider (share of 满意) and its trend by month.

@dataclass
class Satisfaction:
    provider_id: str | None
    month: str | None = None  # None: the whole period
    satisfied: int = 0
    neutral: int = 0
    unsatisfied: int = 0

    @property
    def total(self) -> int:
        return self.satisfied + self.neutral + self.unsatisfied

    @property
    def share(self) -> float | None:
        """The share of 满意 among the ratings, 0–1; None without ratings."""
        return self.satisfied / self.total if self.total else None


def satisfaction(conn: Connection, scope: Scope, period: Period,
                 by_month: bool = False) -> list[Satisfaction]:
    """Ratings of the services of the period's days (the rated booking's slot day), per
    provider; with `by_month`, per provider and month. Scores not known here are left out."""
    day = _slot_day()
    query = select(ratings.c.provider_id, ratings.c.score, day.label("day")).select_from(
        _with_slots(ratings.join(bookings, and_(
            bookings.c.community_id == ratings.c.community_id,
            bookings.c.id == ratings.c.booking_id)))).where(
        day >= period.start.isoformat(), day <= period.end.isoformat())
    query = _scoped(query, ratings, scope)
    rows: dict[tuple, Satisfaction] = {}
    for row in conn.execute(query).mappings():
        if row["score"] not in SCORES:
            continue
        month = row["day"][:7] if by_month else None
        key = (row["provider_id"] or "", month or "")
        item = rows.setdefault(key, Satisfaction(row["provider_id"], month))
        setattr(item, row["score"], getattr(item, row["score"]) + 1)
    return [rows[key] for key in sorted(rows)]


def trend_period(period: Period) -> Period:
    """The months a satisfaction trend covers: the period's, or for a one-month report that
    month and the TREND_MONTHS − 1 before it."""
    if period.month() is None:
        return period
    start = period.start
    for _ in range(TREND_MONTHS - 1):
        start = (start - dt.timedelta(days=1)).replace(day=1)
    return Period(start, period.end)


# ---------------------------------------------------------------------------------------------
# Complaints and help calls, on the local day they reached the platform.

@dataclass
class ComplaintCount:
    provider_id: str | None  # None: not about a provider (the centre, or no booking)
    received: int = 0
    resolved: int = 0
    overdue: int = 0  # resolved after its due time, or not resolved and past it now
    resolve_seconds: list[float] = field(default_factory=list, repr=False)

    @property
    def median_resolve_s(self) -> float | None:
        return statistics.median(self.resolve_seconds) if self.resolve_seconds else None

    @property
    def open(self) -> int:
        return self.received - self.resolved


@dataclass
class HelpCount:
    community_id: str
    requests: int = 0
    acknowledged: int = 0
    ack_seconds: list[float] = field(default_factory=list, repr=False)

    @property
    def median_ack_s(self) -> float | None:
        return statistics.median(self.ack_seconds) if self.ack_seconds else None

    @property
    def slowest_ack_s(self) -> float | None:
        return max(self.ack_seconds, default=None)


def _received_in(conn: Connection, table, scope: Scope, period: Period, columns: list):
    """Rows of `table` received on the period's local days in their community's time zone
    (received_at is the platform's clock, stored in UTC: bounds a day wider, then exact)."""
    low = dt.datetime.combine(period.start - dt.timedelta(days=1), dt.time(), dt.UTC)
    high = dt.datetime.combine(period.end + dt.timedelta(days=2), dt.time(), dt.UTC)
    query = select(table.c.received_at, communities.c.tz, *columns).join(
        communities, communities.c.id == table.c.community_id).where(
        table.c.received_at >= clock.stamp(low), table.c.received_at < clock.stamp(high))
    for row in conn.execute(_scoped(query, table, scope)).mappings():
        received = clock.parse(row["received_at"])
        if period.start <= received.astimezone(ZoneInfo(row["tz"])).date() <= period.end:
            yield received, row


def complaint_counts(conn: Connection, scope: Scope, period: Period,
                     now: dt.datetime) -> list[ComplaintCount]:
    rows: dict[str, ComplaintCount] = {}
    columns = [complaints.c.provider_id, complaints.c.state, complaints.c.due_at,
               complaints.c.resolved_at]
    for received, row in _received_in(conn, complaints, scope, period, columns):
        item = rows.setdefault(row["provider_id"] or "", ComplaintCount(row["provider_id"]))
        item.received += 1
        resolved_at = clock.parse(row["resolved_at"]) if row["resolved_at"] else None
        done = resolved_at is not None or row["state"] in RESOLVED_STATES
        due = clock.parse(row["due_at"]) if row["due_at"] else None
        if done:
            item.resolved += 1
        if resolved_at is not None:
            item.resolve_seconds.append(max(0.0, (resolved_at - received).total_seconds()))
        if due is not None and ((resolved_at is not None and resolved_at > due)
                                or (not done and now > due)):
            item.overdue += 1
    return [rows[key] for key in sorted(rows)]


def help_counts(conn: Connection, scope: Scope, period: Period) -> list[HelpCount]:
    """Per community: calls, and how long until acknowledged (from reaching the platform)."""
    if scope.provider_id:
        return []  # help calls are the centre's, not a provider's
    rows: dict[str, HelpCount] = {}
    columns = [help_requests.c.community_id, help_requests.c.acknowledged_at]
    for received, row in _received_in(conn, help_requests, Scope(scope.community_ids), period,
                                      columns):
        item = rows.setdefault(row["community_id"], HelpCount(row["community_id"]))
        item.requests += 1
        if row["acknowledged_at"]:
            item.acknowledged += 1
            waited = (clock.parse(row["acknowledged_at"]) - received).total_seconds()
            item.ack_seconds.append(max(0.0, waited))
    return [rows[key] for key in sorted(rows)]


# ---------------------------------------------------------------------------------------------
# The whole report.

@dataclass
class Report:
    scope: Scope
    period: Period
    made_at: dt.datetime
    meals: list[MealCount]
    settlement: list[Settlement]
    services: list[ServiceCount]
    satisfaction: list[Satisfaction]
    trend: list[Satisfaction]
    trend_months: list[str]
    complaints: list[ComplaintCount]
    help: list[HelpCount]
    community_names: dict[str, str]
    provider_names: dict[tuple[str, str], str]

    @property
    def empty(self) -> bool:
        return not (self.meals or self.settlement or self.services or self.satisfaction
                    or self.complaints or self.help)


def make(conn: Connection, scope: Scope, period: Period, now: dt.datetime | None = None
         ) -> Report:
    now = now or clock.now()
    lines = booking_lines(conn, scope, period)
    trend = trend_period(period)
    return Report(
        scope, period, now, meal_counts(lines), settlement(lines),
        service_counts(conn, lines, now), satisfaction(conn, scope, period),
        satisfaction(conn, scope, trend, by_month=True), trend.months(),
        complaint_counts(conn, scope, period, now), help_counts(conn, scope, period),
        community_names(conn, scope.community_ids), provider_names(conn, scope.community_ids))


def community_names(conn: Connection, community_ids: tuple[str, ...] | None) -> dict[str, str]:
    query = select(communities.c.id, communities.c.name).order_by(communities.c.name)
    if community_ids is not None:
        query = query.where(communities.c.id.in_(community_ids))
    return {row.id: row.name for row in conn.execute(query)}


def provider_names(conn: Connection, community_ids: tuple[str, ...] | None
                   ) -> dict[tuple[str, str], str]:
    """(community, provider) → name, for every provider of these communities."""
    query = select(providers.c.community_id, providers.c.id, providers.c.name).order_by(
        providers.c.community_id, providers.c.name)
    if community_ids is not None:
        query = query.where(providers.c.community_id.in_(community_ids))
    return {(row.community_id, row.id): row.name for row in conn.execute(query)}


def check_scope(conn: Connection, scope: Scope) -> None:
    """ReportError for a community or provider that does not exist."""
    if scope.community_ids is not None and len(community_names(conn, scope.community_ids)) \
            != len(set(scope.community_ids)):
        raise ReportError("community")
    if scope.provider_id and (scope.community_ids[0], scope.provider_id) not in \
            provider_names(conn, scope.community_ids):
        raise ReportError("provider")


# ---------------------------------------------------------------------------------------------
# The kitchen sheet: a day's portions and the delivery list.

@dataclass(frozen=True)
class Portion:
    meal: str
    dish: str
    diet: tuple[str, ...]  # the elders' diet tags; () for no special diet
    by_mode: tuple[int, ...]  # in MODES order

    @property
    def total(self) -> int:
        return sum(self.by_mode)


@dataclass(frozen=True)
class Delivery:
    meal: str
    booking_id: str
    elder: str  # masked: 王*英
    address: str
    phone_tail: str  # the last four digits
    diet: tuple[str, ...]


@dataclass
class KitchenSheet:
    community_id: str
    community_name: str
    provider_id: str | None
    day: dt.date
    menus: dict[str, list[str]]  # meal → its dishes
    meals: dict[str, tuple[int, ...]]  # meal → served bookings by mode (MODES order)
    portions: list[Portion]
    deliveries: list[Delivery]

    @property
    def empty(self) -> bool:
        return not any(sum(counts) for counts in self.meals.values())


def kitchen_sheet(conn: Connection, community_id: str, provider_id: str | None,
                  day: dt.date) -> KitchenSheet:
    """Every served meal booking of the day (each a set meal: one portion of every dish on
    its slot's menu), by meal, dish, the elder's diet and the way of eating; and the meals to
    deliver, with the masked name, address and last four digits of the phone."""
    query = select(meal_slots.c.meal, meal_slots.c.menu, bookings.c.id, bookings.c.mode,
                   elders.c.name, elders.c.address, elders.c.phone, elders.c.dietary).select_from(
        bookings.join(meal_slots, and_(
            meal_slots.c.community_id == bookings.c.community_id,
            meal_slots.c.id == bookings.c.slot_id)).outerjoin(elders, and_(
                elders.c.community_id == bookings.c.community_id,
                elders.c.id == bookings.c.elder_id))).where(
        bookings.c.community_id == community_id, meal_slots.c.day == day.isoformat(),
        bookings.c.status.in_(SERVED))
    if provider_id:
        query = query.where(bookings.c.provider_id == provider_id)
    slots = select(meal_slots.c.meal, meal_slots.c.menu).where(
        meal_slots.c.community_id == community_id, meal_slots.c.day == day.isoformat())
    menus = {row.meal: _dishes(row.menu) for row in conn.execute(slots)}
    meals: dict[str, list[int]] = {meal: [0] * len(MODES) for meal in menus}
    portions: Counter = Counter()
    deliveries = []
    for row in conn.execute(query.order_by(elders.c.address, bookings.c.id)).mappings():
        mode = row["mode"] if row["mode"] in MODES else MODES[0]
        diet = _diet(row["dietary"])
        meals.setdefault(row["meal"], [0] * len(MODES))[MODES.index(mode)] += 1
        for dish in _dishes(row["menu"]):
            portions[(row["meal"], dish, diet, mode)] += 1
        if mode == "delivery":
            phone = "".join(ch for ch in row["phone"] or "" if ch.isdigit())
            deliveries.append(Delivery(row["meal"], row["id"], privacy.mask_name(row["name"]),
                                       row["address"] or "", phone[-4:], diet))
    name = conn.execute(select(communities.c.name).where(
        communities.c.id == community_id)).scalar() or community_id
    return KitchenSheet(community_id, name, provider_id, day, menus,
                        {meal: tuple(meals[meal]) for meal in _meal_sorted(meals)},
                        _portions(portions, menus), sorted(deliveries, key=_delivery_order))


def _portions(counted: Counter, menus: dict[str, list[str]]) -> list[Portion]:
    grouped: dict[tuple, list[int]] = {}
    for (meal, dish, diet, mode), n in counted.items():
        grouped.setdefault((meal, dish, diet), [0] * len(MODES))[MODES.index(mode)] += n

    def order(key):
        meal, dish, diet = key
        dishes = menus.get(meal, [])
        return (_meal_rank(meal), dishes.index(dish) if dish in dishes else len(dishes), dish,
                len(diet), diet)
    return [Portion(meal, dish, diet, tuple(grouped[(meal, dish, diet)]))
            for meal, dish, diet in sorted(grouped, key=order)]


def _meal_rank(meal: str) -> int:
    return MEALS.index(meal) if meal in MEALS else len(MEALS)


def _meal_sorted(meals) -> list[str]:
    return sorted(meals, key=lambda meal: (_meal_rank(meal), meal))


def _delivery_order(item: Delivery):
    return _meal_rank(item.meal), item.address, item.booking_id


def _dishes(menu: str | None) -> list[str]:
    try:
        items = json.loads(menu or "[]")
    except ValueError:
        return []
    return [str(item.get("name")) for item in items if isinstance(item, dict) and item.get("name")]


def _diet(dietary: str | None) -> tuple[str, ...]:
    try:
        tags = json.loads(dietary or "[]")
    except ValueError:
        return NO_DIET
    return tuple(sorted({str(tag) for tag in tags if isinstance(tag, str)})) \
        if isinstance(tags, list) else NO_DIET
