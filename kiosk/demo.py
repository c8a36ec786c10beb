"""Demo data for a kiosk with no platform: the demo community and services timetable of
assets/demo, 50 elders, two weeks of meals, cleaning and health-station slots, and a meal
already eaten (yesterday's lunch of 曹建国, card 10000010) to rate at his next sign-in."""
from __future__ import annotations

import datetime as dt
import json

from kiosk import catalogue, name_initials
from kiosk.clock import Clock
from kiosk.meals import default_cutoff, slot_id
from kiosk.paths import DEMO_COMMUNITY, DEMO_SERVICES
from kiosk.services import provider_row
from kiosk.slots import meal_slot_row, service_slot_row
from kiosk.store import Store

MENU_DAYS = 14
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def load_community() -> dict:
    return json.loads(DEMO_COMMUNITY.read_text(encoding="utf-8"))


def load_services() -> dict:
    return json.loads(DEMO_SERVICES.read_text(encoding="utf-8"))


def demo_menu(dishes: list[dict], day: dt.date, meal: str) -> list[dict]:
    """A varied menu: a different set of dishes each day and meal, the same on every run."""
    count = 4 if meal == "lunch" else 3
    start = (day.toordinal() * 5 + (0 if meal == "lunch" else 11)) % len(dishes)
    return [dishes[(start + i * 3) % len(dishes)] for i in range(count)]


# Marks a store filled with demo data, and with which demo community.
DEMO_COMMUNITY_KEY = "demo_community"


def seed_demo(store: Store, clock: Clock, lunch_cutoff: str = "09:30",
              dinner_cutoff: str = "15:00", finished: bool = False) -> bool:
    """Fill an empty store with the demo community; returns False if it already has elders.
    Service slots missing from an existing demo store are added either way, and so is what a
    damaged store lost (kiosk.recovery): what is there stays. With `finished`, the meals
    already eaten too, as the demo platform has them (the kiosk's own demo; tests go without)."""
    if store.query_one("SELECT 1 FROM elders LIMIT 1"):
        seed_demo_services(store, clock)
        return False
    data = load_community()
    stamp = clock.now().isoformat(timespec="seconds")
    with store.transaction():
        store.insert_all("subsidy_levels",
            ({"level": k, "meal_subsidy_cents": v} for k, v in data["subsidy_levels"].items()),
            ignore=True)
        store.insert_all("elders",
            ({**e, "dietary": json.dumps(e["dietary"]), "updated_at": stamp,
              "initials": name_initials.column(e["name"])}
             for e in data["elders"]), ignore=True)
        store.insert_all("slots",
            map(meal_slot_row, _slot_rows(data, clock, lunch_cutoff, dinner_cutoff)), ignore=True)
        if finished:
            slots, bookings = finished_meals(data, clock, lunch_cutoff, dinner_cutoff)
            store.insert_all("slots", map(meal_slot_row, slots), ignore=True)
            store.insert_all("bookings", bookings, ignore=True)
        seed_demo_services(store, clock)
        store.set_state(DEMO_COMMUNITY_KEY, data["community"]["id"])  # see sync.enrolment
    return True


def seed_demo_services(store: Store, clock: Clock) -> None:
    """Providers and 14 days of service slots, the same ids a demo platform sends; what is
    there already stays as it is."""
    stamp = clock.now().isoformat(timespec="seconds")
    timetable = load_services()
    with store.transaction() as conn:
        catalogue.seed_standard(conn, stamp)
        store.insert_all("providers",
            (provider_row(p, stamp) for p in timetable["providers"]), ignore=True)
        store.insert_all("slots",
            (service_slot_row(s) for s in service_slots(timetable, clock.today(), clock.tz)),
            ignore=True)


def service_slots(timetable: dict, today: dt.date, tz: dt.tzinfo) -> list[dict]:
    """The timetable's slots from `today` for its `days` days, in the wire shape (protocol
    §10.2), as the demo platform makes them: the same slots for the same day."""
    providers = {provider["id"]: provider for provider in timetable["providers"]}
    slots: list[dict] = []
    for offset in range(timetable["days"]):
        day = today + dt.timedelta(days=offset)
        for session in timetable["sessions"]:
            if WEEKDAYS[day.weekday()] in session["weekdays"]:
                provider = providers[session["provider_id"]]
                slots += _session_slots(timetable["slot_ids"], session, provider, day, tz)
    return slots


def _session_slots(slot_ids: dict, session: dict, provider: dict, day: dt.date,
                   tz: dt.tzinfo) -> list[dict]:
    """One session on one day: a slot from `from` to `until`, or one every `slot_minutes`."""
    first, last = _at(day, session["from"], tz), _at(day, session["until"], tz)
    step = dt.timedelta(minutes=session.get("slot_minutes", 0)) or last - first
    department = session.get("department")
    fields = {"service": session["service"], "provider_id": provider["id"],
              "day": day.isoformat(), "window": session["window"], "department": department,
              "doctor": provider["departments"][department]["doctor"] if department else None,
              **{key: session.get(key) for key in ("title", "place", "host")}}
    capacity = provider["teams"] if session["capacity"] == "teams" else session["capacity"]
    slots = []
    for n in range((last - first) // step):
        start = first + step * n
        slots.append({"id": slot_ids[session["service"]].format(**fields, hhmm=f"{start:%H%M}"),
                      **fields, "start": start.isoformat(), "end": (start + step).isoformat(),
                      "cutoff": _cutoff(session["cutoff"], start, tz).isoformat(),
                      "capacity": capacity, "price_cents": session["price_cents"]})
    return slots


def _at(day: dt.date, time: str, tz: dt.tzinfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.fromisoformat(time), tzinfo=tz)


def _cutoff(rule: dict, start: dt.datetime, tz: dt.tzinfo) -> dt.datetime:
    """`minutes_before` the start, or at `day_before_at` on the day before."""
    if "minutes_before" in rule:
        return start - dt.timedelta(minutes=rule["minutes_before"])
    return _at(start.date() - dt.timedelta(days=1), rule["day_before_at"], tz)


def _slot_rows(data: dict, clock: Clock, lunch_cutoff: str, dinner_cutoff: str):
    today = clock.today()
    for offset in range(MENU_DAYS):
        day = today + dt.timedelta(days=offset)
        for meal in ("lunch", "dinner"):
            yield _slot_row(data, day, meal, clock, lunch_cutoff, dinner_cutoff)


def _slot_row(data: dict, day: dt.date, meal: str, clock: Clock, lunch_cutoff: str,
              dinner_cutoff: str) -> dict:
    return {
        "id": slot_id(day, meal),
        "day": day.isoformat(),
        "meal": meal,
        "cutoff": default_cutoff(day, meal, lunch_cutoff, dinner_cutoff, clock.tz).isoformat(),
        "capacity": data["meal_capacity"][meal],
        "price_cents": data["meal_prices_cents"][meal],
        "menu": demo_menu(data["dishes"], day, meal),
    }


def finished_meals(data: dict, clock: Clock, lunch_cutoff: str = "09:30",
                   dinner_cutoff: str = "15:00") -> tuple[list[dict], list[dict]]:
    """The demo's meals already eaten (assets/demo, finished_meals): their slots and their
    completed bookings, as a demo platform holds them, so the rating screen can be tried."""
    from kiosk.bookings import booking_number  # the booking rules: not before the first frame

    elders = {elder["id"]: elder for elder in data["elders"]}
    slots, bookings = [], []
    for done in data.get("finished_meals", []):
        day = clock.today() - dt.timedelta(days=done["days_ago"])
        slot = _slot_row(data, day, done["meal"], clock, lunch_cutoff, dinner_cutoff)
        price = slot["price_cents"]
        subsidy = min(price, data["subsidy_levels"][elders[done["elder_id"]]["subsidy_level"]])
        booked = dt.datetime.combine(day - dt.timedelta(days=1), dt.time(10), clock.tz)
        slots.append(slot)
        bookings.append({
            "id": done["id"], "number": booking_number(done["id"]),
            "elder_id": done["elder_id"], "service": "meal", "slot_id": slot["id"],
            "mode": done["mode"], "price_cents": price, "subsidy_cents": subsidy,
            "pay_cents": price - subsidy, "status": "completed",
            "origin": "remote",  # the platform's, as a demo platform sends it: never pushed
            "created_at": booked.isoformat(timespec="seconds"),
            "updated_at": booked.isoformat(timespec="seconds")})
    return slots, bookings
