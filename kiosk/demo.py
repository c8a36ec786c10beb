"""Demo data for a kiosk with no platform: one community, 50 elders, two weeks of meals."""
from __future__ import annotations

import datetime as dt
import json

from kiosk.clock import Clock
from kiosk.meals import default_cutoff, slot_id
from kiosk.paths import DEMO_COMMUNITY
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
    """Fill an empty store with the demo community; returns False if it already has elders."""
    if store.query_one("SELECT 1 FROM elders LIMIT 1"):
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
    return True


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
