"""The demo community's services for a kiosk with no platform: 阳光家政's cleaning and the
health station, the same timetable as the reference platform's demo (protocol §10.2), so the
local-only demo offers what the real demo pulls.

Everything is a pure function of the day, so the same day always gets the same slots.
"""
from __future__ import annotations

import datetime as dt

DAYS = 14
CLEANER = "provider-sunshine"
STATION = "provider-xingfu-station"
CANTEEN = "provider-xingfu-canteen"
TEAMS = 3

CLEANING_KINDS = {
    "standard": {"name": "日常保洁", "hours": 2, "units": 1, "price_cents": 6000},
    "deep": {"name": "深度保洁", "hours": 4, "units": 2, "price_cents": 15000},
}
CLEANING_SUBSIDY = {"none": {"standard": 0, "deep": 0},
                    "basic": {"standard": 2000, "deep": 4000},
                    "enhanced": {"standard": 3000, "deep": 6000},
                    "special": {"standard": 4500, "deep": 9000}}
NEEDS = ["pets", "bring_tools", "mobility_help", "fragile_items", "call_ahead", "quiet"]
DEPARTMENTS = {"general": {"name": "全科", "doctor": "陈医生"},
               "tcm": {"name": "中医", "doctor": "周医生"},
               "rehab": {"name": "康复", "doctor": "吴医生"}}

CLEANING_WINDOWS = {"am": ((8, 30), (12, 0)), "pm": ((13, 30), (17, 0))}
CLINIC_SESSIONS = {"am": ((8, 30), 6), "pm": ((14, 0), 5)}  # start, number of 30-minute slots
# Which department sits in which session, by weekday (Monday = 0); Sunday the station is shut.
CLINIC_WEEK = {
    "general": {0: "ap", 1: "ap", 2: "ap", 3: "ap", 4: "ap", 5: "ap"},
    "tcm": {0: "a", 2: "a", 4: "a"},
    "rehab": {1: "p", 3: "p", 5: "a"},
}
CLINIC_PRICE = 100  # 挂号费
HOME_VISIT_DAYS, HOME_VISITS_PER_DAY = (0, 1, 2, 3, 4), 4
HEALTH_CHECK_DAYS, HEALTH_CHECK_PLACES = (2, 5), 20
DAY_BEFORE_CUTOFF = dt.time(18, 0)
CLINIC_CUTOFF_BEFORE = dt.timedelta(hours=1)


def providers() -> list[dict]:
    return [
        {"id": CLEANER, "name": "阳光家政", "services": ["cleaning"], "teams": TEAMS,
         "kinds": CLEANING_KINDS, "subsidy_cents": CLEANING_SUBSIDY, "needs": NEEDS},
        {"id": STATION, "name": "幸福里社区卫生服务站",
         "services": ["clinic", "home_visit", "health_check"], "departments": DEPARTMENTS},
        {"id": CANTEEN, "name": "幸福里长者食堂", "services": ["meal"]},
    ]


def service_slots(today: dt.date, tz: dt.tzinfo) -> list[dict]:
    """All demo service slots from `today` for DAYS days, in the wire shape."""
    slots: list[dict] = []
    for offset in range(DAYS):
        day = today + dt.timedelta(days=offset)
        slots += cleaning_slots(day, tz) + clinic_slots(day, tz) + visit_slots(day, tz)
    return slots


def _at(day: dt.date, hour: int, minute: int, tz: dt.tzinfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=tz)


def _day_before(day: dt.date, tz: dt.tzinfo) -> str:
    return dt.datetime.combine(day - dt.timedelta(days=1), DAY_BEFORE_CUTOFF, tzinfo=tz).isoformat()


def _slot(slot_id: str, service: str, provider: str, day: dt.date, start: dt.datetime,
          end: dt.datetime, cutoff: str, capacity: int, price: int | None,
          window: str | None = None, department: str | None = None) -> dict:
    doctor = DEPARTMENTS[department]["doctor"] if department else None
    return {"id": slot_id, "service": service, "provider_id": provider, "day": day.isoformat(),
            "window": window, "department": department, "doctor": doctor,
            "start": start.isoformat(), "end": end.isoformat(), "cutoff": cutoff,
            "capacity": capacity, "price_cents": price}


def cleaning_slots(day: dt.date, tz: dt.tzinfo) -> list[dict]:
    return [_slot(f"cleaning:{day.isoformat()}:{window}", "cleaning", CLEANER, day,
                  _at(day, *start, tz), _at(day, *end, tz), _day_before(day, tz), TEAMS, None,
                  window=window)
            for window, (start, end) in CLEANING_WINDOWS.items()]


def clinic_slots(day: dt.date, tz: dt.tzinfo) -> list[dict]:
    slots = []
    for department, week in CLINIC_WEEK.items():
        for window in ("am", "pm"):
            if window[0] not in week.get(day.weekday(), ""):
                continue
            (hour, minute), count = CLINIC_SESSIONS[window]
            first = _at(day, hour, minute, tz)
            for n in range(count):
                start = first + dt.timedelta(minutes=30 * n)
                slots.append(_slot(
                    f"clinic:{day.isoformat()}:{department}:{start:%H%M}", "clinic", STATION,
                    day, start, start + dt.timedelta(minutes=30),
                    (start - CLINIC_CUTOFF_BEFORE).isoformat(), 1, CLINIC_PRICE,
                    window=window, department=department))
    return slots


def visit_slots(day: dt.date, tz: dt.tzinfo) -> list[dict]:
    slots = []
    if day.weekday() in HOME_VISIT_DAYS:
        slots.append(_slot(f"home_visit:{day.isoformat()}", "home_visit", STATION, day,
                           _at(day, 14, 0, tz), _at(day, 17, 0, tz), _day_before(day, tz),
                           HOME_VISITS_PER_DAY, 0))
    if day.weekday() in HEALTH_CHECK_DAYS:
        slots.append(_slot(f"health_check:{day.isoformat()}", "health_check", STATION, day,
                           _at(day, 7, 30, tz), _at(day, 10, 0, tz), _day_before(day, tz),
                           HEALTH_CHECK_PLACES, 0))
    return slots
