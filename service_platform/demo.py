"""Demo data: the demo community of assets/demo, two weeks of meals identical to the kiosk's, and
two weeks of cleaning, clinic, home-visit and health-check slots with their providers and staff."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import Connection

from service_platform import catalogue, demo_services, services

DEMO_COMMUNITY = Path(__file__).resolve().parent.parent / "assets" / "demo" / "community.json"
MENU_DAYS = 14
DEMO_TZ = "Asia/Shanghai"
LUNCH_CUTOFF = "09:30"
DINNER_CUTOFF = "15:00"
ELDER_FIELDS = ("id", "card_no", "name", "phone", "address", "subsidy_level",
                "delivery_allowed", "home_visit_allowed", "dietary", "active")


def load_community(path: Path = DEMO_COMMUNITY) -> dict:
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
    return True


def seed_services(conn: Connection, community_id: str, today: dt.date, tz: dt.tzinfo) -> int:
    """Add the demo providers, staff and service slots from `today` that are missing (a demo
    database made before services existed, or one whose two weeks have run out); returns how
    many slots were added. Existing rows are left as they are."""
    if services.get_provider(conn, community_id, demo_services.CLEANER) is None:
        services.put_providers(conn, community_id, demo_services.providers())
    for staff_id, name in demo_services.STAFF:
        if services.get_staff(conn, staff_id) is None:
            services.put_staff(conn, community_id, staff_id, name)
    missing = [slot for slot in demo_services.service_slots(today, tz)
               if services.get_slot(conn, community_id, slot["id"]) is None]
    services.put_slots(conn, community_id, missing)
    return len(missing)
