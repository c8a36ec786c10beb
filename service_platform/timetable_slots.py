"""A timetable file's period, and the meal and service slots its entries make, in wire shape."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from elder_wire.catalogue import Service
from service_platform import demo
from service_platform.timetable_file import Cutoff, FileError, Timetable

MAX_ID = 64


@dataclass(frozen=True)
class Period:
    """The days the file's meals and slots cover: `days` days from `first`."""

    first: dt.date
    days: int

    @classmethod
    def of(cls, timetable: Timetable, today: dt.date) -> Period:
        scheduled = timetable.meals or timetable.sessions or timetable.service_slots
        if timetable.days is None and scheduled:
            raise FileError("days: missing (how many days from 'from', or from today, the "
                            "file's meals and slots cover)")
        return cls(timetable.start or today, timetable.days or 0)

    @property
    def last(self) -> dt.date:
        return self.first + dt.timedelta(days=self.days - 1)

    def __contains__(self, day: dt.date) -> bool:
        return self.first <= day <= self.last

    def each_day(self) -> Iterator[dt.date]:
        return (self.first + dt.timedelta(days=n) for n in range(self.days))

    def __str__(self) -> str:
        return f"{self.first} to {self.last}"


def expand(timetable: Timetable, period: Period, tz: dt.tzinfo,
           known_providers: dict[str, dict],
           catalogue: dict[str, Service]) -> tuple[dict[str, dict], dict[str, dict]]:
    """(meal slots, service slots) by id; FileError naming every entry that cannot be made.
    `catalogue`: the community's entries with the file's own over them."""
    problems: list[str] = []
    meals = _meal_slots(timetable, period, tz, problems)
    slots = _service_slots(timetable, period, tz, known_providers, catalogue, problems)
    if problems:
        raise FileError("\n".join(problems))
    return meals, slots


def _meal_slots(timetable: Timetable, period: Period, tz: dt.tzinfo,
                problems: list[str]) -> dict[str, dict]:
    made: dict[str, dict] = {}
    where_made: dict[str, str] = {}
    for n, meal in enumerate(timetable.meals):
        where = f"meals[{n}]"
        if meal.day not in period:
            problems.append(f"{where}.day: {meal.day} is outside the period {period}")
        values = {}
        for name, default in (("price_cents", timetable.meal_prices_cents),
                              ("capacity", timetable.meal_capacity),
                              ("cutoff", timetable.meal_cutoffs)):
            values[name] = getattr(meal, name)
            if values[name] is None and default is not None:
                values[name] = getattr(default, meal.meal)
            if values[name] is None:
                problems.append(f"{where}.{name}: missing, and the file has no "
                                f"meal_{'prices_cents' if name == 'price_cents' else name}"
                                f"{'s' if name == 'cutoff' else ''}.{meal.meal}")
        if None in values.values():
            continue
        if values["cutoff"].minutes_before is not None:
            problems.append(f"{where}.cutoff: a meal's cutoff is 'at' or 'day_before_at'")
            continue
        slot_id = demo.slot_id(meal.day, meal.meal)
        if slot_id in where_made:
            problems.append(f"{where}: {meal.day} {meal.meal} is also {where_made[slot_id]}")
        where_made.setdefault(slot_id, where)
        made[slot_id] = {
            "id": slot_id, "day": meal.day.isoformat(), "meal": meal.meal,
            "cutoff": _meal_cutoff(values["cutoff"], meal.day, tz).isoformat(),
            "capacity": values["capacity"], "price_cents": values["price_cents"],
            "menu": [dish.model_dump() for dish in meal.menu]}
    return made


def _meal_cutoff(rule: Cutoff, day: dt.date, tz: dt.tzinfo) -> dt.datetime:
    if rule.at is not None:
        return dt.datetime.combine(day, dt.time.fromisoformat(rule.at), tzinfo=tz)
    return dt.datetime.combine(day - dt.timedelta(days=1),
                               dt.time.fromisoformat(rule.day_before_at), tzinfo=tz)


def _service_slots(timetable: Timetable, period: Period, tz: dt.tzinfo,
                   known_providers: dict[str, dict], catalogue: dict[str, Service],
                   problems: list[str]) -> dict[str, dict]:
    """Weekly sessions on each of their weekdays in the period, and the dated ones."""
    providers = {**known_providers, **{item.id: item.model_dump()
                                       for item in timetable.providers}}
    slot_ids = {**demo.load_services()["slot_ids"], **timetable.slot_ids}
    entries = [(f"sessions[{n}]", session, [day for day in period.each_day()
                                            if demo.WEEKDAYS[day.weekday()] in session.weekdays])
               for n, session in enumerate(timetable.sessions)]
    for n, session in enumerate(timetable.service_slots):
        if session.day not in period:
            problems.append(f"service_slots[{n}].day: {session.day} is outside the period "
                            f"{period}")
        entries.append((f"service_slots[{n}]", session, [session.day]))
    made: dict[str, dict] = {}
    where_made: dict[str, str] = {}
    for where, session, days in entries:
        provider = _provider_for(session, providers, catalogue, where, problems)
        if provider is None:
            continue
        data = session.model_dump(by_alias=True, exclude_none=True,
                                  exclude={"weekdays", "day"})
        data.setdefault("window", None)
        data.setdefault("price_cents", None)
        for day in days:
            try:
                slots = demo._session_slots(slot_ids, data, provider, day, tz)
            except (KeyError, ValueError, IndexError) as exc:
                pattern = slot_ids.get(session.service, demo.DEFAULT_SLOT_ID)
                problems.append(f"slot_ids.{session.service}: {pattern!r} "
                                f"cannot be filled in ({type(exc).__name__}: {exc}); use "
                                "{service}, {day}, {window}, {department}, {hhmm}")
                break
            for slot in slots:
                if len(slot["id"]) > MAX_ID or slot["id"] in where_made:
                    problems.append(f"{where}: makes slot {slot['id']!r}, which is too long "
                                    f"or also made by {where_made.get(slot['id'])}")
                where_made.setdefault(slot["id"], where)
                made[slot["id"]] = slot
    return made


def _provider_for(session, providers: dict[str, dict], catalogue: dict[str, Service],
                  where: str, problems: list[str]) -> dict | None:
    """The session's provider if the session fits it and its service's catalogue entry
    (service, department, window, teams)."""
    before = len(problems)
    entry = catalogue.get(session.service)
    if entry is None or entry.slot_kind in ("meal", "group"):
        problems.append(f"{where}.service: no service {session.service} booked by slots in "
                        "the file or the community's catalogue")
        return None
    provider = providers.get(session.provider_id)
    if provider is None:
        problems.append(f"{where}.provider_id: no provider {session.provider_id} in the file "
                        "or on the platform")
        return None
    if session.service not in provider["services"]:
        problems.append(f"{where}.service: {session.provider_id} does not offer "
                        f"{session.service}")
    by_department = entry.policy.one_a_day_by == "department"
    if by_department and session.department not in provider["departments"]:
        problems.append(f"{where}.department: {session.provider_id} has no department "
                        f"{session.department}")
    if not by_department and session.department is not None:
        problems.append(f"{where}.department: only a service booked by department has one")
    if entry.slot_kind == "window" and session.window is None:
        problems.append(f"{where}.window: am or pm for a service booked by window")
    if entry.slot_kind in ("day", "session") and session.window is not None:
        problems.append(f"{where}.window: none for a service booked by {entry.slot_kind}")
    if session.capacity == "teams" and provider["teams"] is None:
        problems.append(f"{where}.capacity: 'teams', but {session.provider_id} has no teams")
    return provider if len(problems) == before else None
