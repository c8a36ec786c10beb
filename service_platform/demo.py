"""Demo data: the demo community and services timetable of assets/demo, with their providers and
staff; the standard catalogue; two weeks of meals and of cleaning, clinic, home-visit,
health-check, activity (书法, 合唱, 棋牌, 健康讲座) and companion-visit slots, and the meals
already eaten (yesterday's lunch of 曹建国, to rate), identical to the kiosk's; and one
calligraphy class booked full with two elders waiting (the platform's alone)."""
from __future__ import annotations

import datetime as dt
import json
import uuid
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, insert, select

from elder_wire.operations import BookingCreate
from service_platform import bookings, catalogue, clock, entities, feed, services
from service_platform.auth import Kiosk
from service_platform.completion import meal_end
from service_platform.feed import Change
from service_platform.schema import bookings as bookings_table

DEMO_COMMUNITY = Path(__file__).resolve().parent.parent / "assets" / "demo" / "community.json"
DEMO_SERVICES = DEMO_COMMUNITY.with_name("services.json")
# How a slot of a service the file gives no `slot_ids` pattern for is named.
DEFAULT_SLOT_ID = "{service}:{day}:{hhmm}"
FULL_TITLE = "书法"  # the demo's session that is full, with WAITING elders on its waiting list
WAITING = 2
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MENU_DAYS = 14
DEMO_TZ = "Asia/Shanghai"
LUNCH_CUTOFF = "09:30"
DINNER_CUTOFF = "15:00"
DEMO_KIOSK = "demo-seed"  # who "made" the demo's finished bookings: no kiosk of the demo
ELDER_FIELDS = ("id", "card_no", "name", "phone", "address", "subsidy_level",
                "delivery_allowed", "home_visit_allowed", "dietary", "active")


def load_community(path: Path = DEMO_COMMUNITY) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def load_services(path: Path = DEMO_SERVICES) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def slot_id(day: dt.date, meal: str) -> str:
    return f"meal:{day.isoformat()}:{meal}"


def demo_menu(dishes: list[dict], day: dt.date, meal: str) -> list[dict]:
    """The rotation of kiosk/demo.py, repeated here: same dishes for the same day and meal."""
    count = 4 if meal == "lunch" else 3
    start = (day.toordinal() * 5 + (0 if meal == "lunch" else 11)) % len(dishes)
    return [dishes[(start + i * 3) % len(dishes)] for i in range(count)]


def cutoff(day: dt.date, meal: str, tz: dt.tzinfo) -> dt.datetime:
    hour, minute = (int(part) for part in
                    (LUNCH_CUTOFF if meal == "lunch" else DINNER_CUTOFF).split(":"))
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=tz)


def meal_slots(data: dict, today: dt.date, tz: dt.tzinfo) -> list[dict]:
    """Lunch and dinner from `today` for MENU_DAYS days, in the wire shape."""
    slots = []
    for offset in range(MENU_DAYS):
        day = today + dt.timedelta(days=offset)
        for meal in ("lunch", "dinner"):
            slots.append({
                "id": slot_id(day, meal), "day": day.isoformat(), "meal": meal,
                "cutoff": cutoff(day, meal, tz).isoformat(),
                "capacity": data["meal_capacity"][meal],
                "price_cents": data["meal_prices_cents"][meal],
                "menu": demo_menu(data["dishes"], day, meal),
            })
    return slots


def seed(conn: Connection, today: dt.date | None = None) -> bool:
    """Create the demo community with its elders, meals and services; False if it already
    existed (then only its missing providers, staff and service slots are added)."""
    data = load_community()
    community = data["community"]
    tz = ZoneInfo(DEMO_TZ)
    today = today or dt.datetime.now(tz).date()
    if catalogue.get_community(conn, community["id"]) is not None:
        seed_services(conn, community["id"], today, tz)
        return False
    catalogue.create_community(conn, community["id"], community["name"], DEMO_TZ)
    catalogue.put_subsidy_levels(conn, community["id"], data["subsidy_levels"])
    catalogue.put_elders(conn, community["id"],
                         ({name: elder[name] for name in ELDER_FIELDS} for elder in data["elders"]))
    catalogue.put_meal_slots(conn, community["id"], meal_slots(data, today, tz))
    seed_services(conn, community["id"], today, tz)
    finished_slots, finished = finished_meals(data, today, tz)
    catalogue.put_meal_slots(conn, community["id"], finished_slots)
    put_finished(conn, community["id"], finished)
    fill_a_session(conn, community["id"], [elder["id"] for elder in data["elders"]
                                           if elder["active"]], today, tz)
    return True


def fill_a_session(conn: Connection, community_id: str, elder_ids: list[str], today: dt.date,
                   tz: dt.tzinfo) -> str | None:
    """The first FULL_TITLE session from the day after tomorrow booked full, and WAITING
    elders more on its waiting list, booked as a kiosk books (bookings.create); the demo's
    personas (the first elders) are left free to try it. Returns the slot's id."""
    slots = [slot for slot in service_slots(load_services(), today, tz)
             if slot.get("title") == FULL_TITLE and slot["day"] > (
                 today + dt.timedelta(days=1)).isoformat()]
    if not slots:
        return None
    slot = min(slots, key=lambda item: item["start"])
    kiosk = Kiosk(DEMO_KIOSK, community_id, "演示")
    now = clock.now()
    chosen = elder_ids[-(slot["capacity"] + WAITING):]
    for n, elder_id in enumerate(chosen):
        made = (now - dt.timedelta(hours=len(chosen) - n)).astimezone(tz)
        order = BookingCreate(
            id=uuid.uuid5(uuid.NAMESPACE_URL, f"demo:{slot['id']}:{elder_id}"),
            elder_id=elder_id, service=slot["service"], slot_id=slot["id"], mode=None,
            price_cents=0, subsidy_cents=0, staff_id=None, created_at=made)
        bookings.create(conn, kiosk, str(order.id), order, now + dt.timedelta(seconds=n))
    return slot["id"]


def finished_meals(data: dict, today: dt.date, tz: dt.tzinfo) -> tuple[list[dict], list[dict]]:
    """The demo's meals already eaten (assets/demo, finished_meals), as kiosk/demo.py seeds
    them: their slots in the wire shape, and their bookings, completed."""
    elders = {elder["id"]: elder for elder in data["elders"]}
    slots, finished = [], []
    for done in data.get("finished_meals", []):
        day = today - dt.timedelta(days=done["days_ago"])
        meal = done["meal"]
        slot = {"id": slot_id(day, meal), "day": day.isoformat(), "meal": meal,
                "cutoff": cutoff(day, meal, tz).isoformat(),
                "capacity": data["meal_capacity"][meal],
                "price_cents": data["meal_prices_cents"][meal],
                "menu": demo_menu(data["dishes"], day, meal)}
        price = slot["price_cents"]
        subsidy = min(price, data["subsidy_levels"][elders[done["elder_id"]]["subsidy_level"]])
        booked = dt.datetime.combine(day - dt.timedelta(days=1), dt.time(10), tz)
        eaten = dt.datetime.combine(day, meal_end(meal), tz)
        slots.append(slot)
        finished.append({"id": done["id"], "elder_id": done["elder_id"], "service": "meal",
                         "slot_id": slot["id"], "mode": done["mode"], "price_cents": price,
                         "subsidy_cents": subsidy, "status": "completed",
                         "created_at": booked, "completed_at": eaten})
    return slots, finished


def put_finished(conn: Connection, community_id: str, finished: list[dict]) -> None:
    """The completed bookings, each in the feed as any booking is (the kiosks pull them), with
    the provider a meal booked at a kiosk gets (the canteen)."""
    canteen = services.provider_for(conn, community_id, "meal")
    for done in finished:
        booked = clock.stamp(done["created_at"])
        conn.execute(insert(bookings_table).values(
            {**done, "community_id": community_id, "kiosk_id": DEMO_KIOSK, "op_id": done["id"],
             "provider_id": canteen["id"] if canteen else None,
             "created_at": booked, "received_at": booked,
             "completed_at": clock.stamp(done["completed_at"]),
             "updated_at": clock.stamp(done["completed_at"])}))
        row = conn.execute(select(bookings_table).where(
            bookings_table.c.id == done["id"])).mappings().one()
        feed.append(conn, community_id, [Change("booking", done["id"], entities.booking(row))])


def seed_services(conn: Connection, community_id: str, today: dt.date, tz: dt.tzinfo) -> int:
    """Add the demo providers, staff and service slots from `today` that are missing (a demo
    database made before services existed, or one whose two weeks have run out); returns how
    many slots were added. Existing rows are left as they are."""
    timetable = load_services()
    new_providers = [provider for provider in timetable["providers"]
                     if services.get_provider(conn, community_id, provider["id"]) is None]
    if new_providers:
        services.put_providers(conn, community_id, new_providers)
    for member in timetable["staff"]:
        if services.get_staff(conn, member["id"]) is None:
            services.put_staff(conn, community_id, member["id"], member["name"])
    missing = [slot for slot in service_slots(timetable, today, tz)
               if services.get_slot(conn, community_id, slot["id"]) is None]
    services.put_slots(conn, community_id, missing)
    return len(missing)


def service_slots(timetable: dict, today: dt.date, tz: dt.tzinfo) -> list[dict]:
    """The timetable's slots from `today` for its `days` days, in the wire shape (protocol
    §10.2); the expansion of kiosk/demo.py, repeated here: the same slots for the same day."""
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
              "day": day.isoformat(), "window": session.get("window"), "department": department,
              "doctor": provider["departments"][department]["doctor"] if department else None}
    capacity = provider["teams"] if session["capacity"] == "teams" else session["capacity"]
    pattern = slot_ids.get(session["service"], DEFAULT_SLOT_ID)
    slots = []
    for n in range((last - first) // step):
        start = first + step * n
        slots.append({"id": pattern.format(**fields, hhmm=f"{start:%H%M}"),
                      **fields, "start": start.isoformat(), "end": (start + step).isoformat(),
                      "cutoff": _cutoff(session["cutoff"], start, tz).isoformat(),
                      "capacity": capacity, "price_cents": session["price_cents"],
                      "title": session.get("title"), "place": session.get("place"),
                      "host": session.get("host")})
    return slots


def _at(day: dt.date, time: str, tz: dt.tzinfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.fromisoformat(time), tzinfo=tz)


def _cutoff(rule: dict, start: dt.datetime, tz: dt.tzinfo) -> dt.datetime:
    """`minutes_before` the start, or at `day_before_at` on the day before."""
    if "minutes_before" in rule:
        return start - dt.timedelta(minutes=rule["minutes_before"])
    return _at(start.date() - dt.timedelta(days=1), rule["day_before_at"], tz)


# Console accounts for the demo community only: one of each role, with published passwords.
DEMO_OPERATORS = (
    # username, display name, role, password, provider
    ("admin", "区管理员（演示）", "district_admin", "demo-admin-pass", None),
    ("manager", "陈主任（演示）", "centre_manager", "demo-manager-pass", None),
    ("duty", "小刘（演示）", "duty_worker", "demo-duty-pass", None),
    ("provider", "阳光家政（演示）", "provider", "demo-provider-pass", "provider-sunshine"),
)


def seed_operators(conn: Connection) -> list[tuple[str, str, str]]:
    """Add the demo console accounts that are missing; returns (username, password, role) of
    every demo account, to print at start."""
    from service_platform.console import accounts

    community_id = load_community()["community"]["id"]
    for username, name, role, password, provider_id in DEMO_OPERATORS:
        if accounts.by_username(conn, username) is None:
            accounts.create(conn, username, name, role, password,
                            [] if role == "district_admin" else [community_id], provider_id)
    return [(username, password, role) for username, _, role, password, _ in DEMO_OPERATORS]
