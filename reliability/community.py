"""The campaign's community on the platform: twelve elders, small meal slots (so they fill up and
leases are shared), the demo's services for the next days, and short-fuse slots whose cut-off and
end fall inside the campaign, so bookings close, end and get rated while it runs."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from service_platform import catalogue, demo, operators, services
from service_platform.db import Database

TZ = ZoneInfo("Asia/Shanghai")
COMMUNITY = "community-campaign"
MEAL_CAPACITY = 6
FUSE_LENGTH_S = 4  # from a short-fuse slot's cut-off to its end


def elders() -> list[dict]:
    return [{"id": f"elder-{n:03d}", "card_no": f"9{n:07d}", "name": f"长者{n}", "phone": "",
             "address": "", "subsidy_level": "basic", "delivery_allowed": n % 2 == 1,
             "home_visit_allowed": n >= 10, "dietary": [], "active": True}
            for n in range(1, 13)]


def meal_slots(today: dt.date, early_cutoff: dt.datetime) -> list[dict]:
    """Lunch and dinner of the next three days; the first dinner's cut-off inside the run."""
    slots = []
    for offset in (1, 2, 3):
        day = today + dt.timedelta(days=offset)
        for meal in ("lunch", "dinner"):
            cutoff = demo.cutoff(day, meal, TZ)
            if offset == 1 and meal == "dinner":
                cutoff = early_cutoff
            slots.append({"id": demo.slot_id(day, meal), "day": day.isoformat(), "meal": meal,
                          "cutoff": cutoff.isoformat(), "capacity": MEAL_CAPACITY,
                          "price_cents": 1500, "menu": [{"name": "米饭", "tags": []}]})
    return slots


def service_slots(today: dt.date, start: dt.datetime, seconds: float) -> list[dict]:
    """The demo timetable from tomorrow for three days, and short-fuse health checks and
    cleanings whose cut-offs are spread over the run (then they end and can be rated)."""
    timetable = demo.load_services()
    slots = [slot for slot in demo.service_slots(timetable, today + dt.timedelta(days=1), TZ)
             if slot["day"] <= (today + dt.timedelta(days=3)).isoformat()]
    count = max(4, int(seconds // 10))
    for n in range(count):
        cutoff = start + dt.timedelta(seconds=seconds * (n + 1) / (count + 1))
        end = cutoff + dt.timedelta(seconds=FUSE_LENGTH_S)
        common = {"day": today.isoformat(), "department": None, "doctor": None,
                  "start": cutoff.isoformat(), "end": end.isoformat(),
                  "cutoff": cutoff.isoformat()}
        slots.append({**common, "id": f"health_check:fuse-{n:03d}", "service": "health_check",
                      "provider_id": "provider-xingfu-station", "window": None,
                      "capacity": 8, "price_cents": 0})
        slots.append({**common, "id": f"cleaning:fuse-{n:03d}", "service": "cleaning",
                      "provider_id": "provider-sunshine", "window": "am", "capacity": 3,
                      "price_cents": None})
    return slots


def set_up(db: Database, start: dt.datetime, seconds: float, kiosks: int) -> list[str]:
    """The community, its catalogue, and one enrolment code per kiosk."""
    today = dt.datetime.now(TZ).date()
    operators.add_community(db, COMMUNITY, "故障演练社区")

    def write(conn):
        catalogue.put_elders(conn, COMMUNITY, elders())
        catalogue.put_subsidy_levels(conn, COMMUNITY, {"none": 0, "basic": 300})
        catalogue.put_meal_slots(conn, COMMUNITY, meal_slots(
            today, start + dt.timedelta(seconds=seconds / 2)))
        services.put_providers(conn, COMMUNITY, demo.load_services()["providers"])
        services.put_slots(conn, COMMUNITY, service_slots(today, start, seconds))
    db.run_write(write)
    return [operators.add_kiosk(db, COMMUNITY, f"演练终端{n + 1}")[1] for n in range(kiosks)]
