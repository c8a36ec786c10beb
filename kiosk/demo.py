"""Demo data for a kiosk with no platform: one community, 50 elders, two weeks of meals,
cleaning and health-station slots."""
from __future__ import annotations

import datetime as dt
import json

from kiosk import demo_services
from kiosk.clock import Clock
from kiosk.meals import default_cutoff, slot_id
from kiosk.paths import DEMO_COMMUNITY
from kiosk.services import provider_row, service_slot_row
from kiosk.store import Store

MENU_DAYS = 14


def load_community() -> dict:
    return json.loads(DEMO_COMMUNITY.read_text(encoding="utf-8"))


def demo_menu(dishes: list[dict], day: dt.date, meal: str) -> list[dict]:
    """A varied menu: a different set of dishes each day and meal, the same on every run."""
    count = 4 if meal == "lunch" else 3
    start = (day.toordinal() * 5 + (0 if meal == "lunch" else 11)) % len(dishes)
    return [dishes[(start + i * 3) % len(dishes)] for i in range(count)]


def seed_demo(store: Store, clock: Clock, lunch_cutoff: str = "09:30",
              dinner_cutoff: str = "15:00") -> bool:
    """Fill an empty store with the demo community; returns False if it already has elders.
    Service slots missing from an existing demo store are added either way."""
    if store.query_one("SELECT 1 FROM elders LIMIT 1"):
        seed_demo_services(store, clock)
        return False
    data = load_community()
    stamp = clock.now().isoformat(timespec="seconds")
    with store.transaction():
        store.db["subsidy_levels"].insert_all(
            {"level": k, "meal_subsidy_cents": v} for k, v in data["subsidy_levels"].items()
        )
        store.db["elders"].insert_all(
            {**e, "dietary": json.dumps(e["dietary"]), "updated_at": stamp}
            for e in data["elders"]
        )
        store.db["meal_slots"].insert_all(
            _slot_rows(data, clock, lunch_cutoff, dinner_cutoff)
        )
        seed_demo_services(store, clock)
    return True


def seed_demo_services(store: Store, clock: Clock) -> None:
    """Providers and 14 days of service slots, the same ids a demo platform sends; what is
    there already stays as it is."""
    stamp = clock.now().isoformat(timespec="seconds")
    with store.transaction():
        store.db["providers"].insert_all(
            (provider_row(p, stamp) for p in demo_services.providers()), ignore=True)
        store.db["service_slots"].insert_all(
            (service_slot_row(s) for s in demo_services.service_slots(clock.today(), clock.tz)),
            ignore=True)


def _slot_rows(data: dict, clock: Clock, lunch_cutoff: str, dinner_cutoff: str):
    today = clock.today()
    for offset in range(MENU_DAYS):
        day = today + dt.timedelta(days=offset)
        for meal in ("lunch", "dinner"):
            yield {
                "id": slot_id(day, meal),
                "day": day.isoformat(),
                "meal": meal,
                "cutoff": default_cutoff(day, meal, lunch_cutoff, dinner_cutoff,
                                         clock.tz).isoformat(),
                "capacity": data["meal_capacity"][meal],
                "price_cents": data["meal_prices_cents"][meal],
                "menu": json.dumps(demo_menu(data["dishes"], day, meal), ensure_ascii=False),
            }
