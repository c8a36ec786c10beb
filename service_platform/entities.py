"""How each entity looks on the wire (pull feed data), built from its database row."""
from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import RowMapping

from service_platform import clock

ELDER_FIELDS = ("id", "card_no", "name", "phone", "address", "subsidy_level",
                "delivery_allowed", "home_visit_allowed", "dietary", "active")
BOOKING_FIELDS = ("id", "elder_id", "service", "slot_id", "mode", "price_cents",
                  "subsidy_cents", "staff_id", "status", "created_at", "updated_at",
                  "kiosk_id", "lease_id")


def elder(row: RowMapping) -> dict:
    data = {name: row[name] for name in ELDER_FIELDS}
    data["dietary"] = json.loads(row["dietary"])
    for flag in ("delivery_allowed", "home_visit_allowed", "active"):
        data[flag] = bool(data[flag])
    return data


def subsidy_level(row: RowMapping) -> dict:
    return {"level": row["level"], "meal_subsidy_cents": row["meal_subsidy_cents"]}


def meal_slot(row: RowMapping) -> dict:
    return {"id": row["id"], "day": row["day"], "meal": row["meal"], "cutoff": row["cutoff"],
            "capacity": row["capacity"], "price_cents": row["price_cents"],
            "menu": json.loads(row["menu"])}


def booking(row: RowMapping) -> dict:
    return {name: row[name] for name in BOOKING_FIELDS}


def lease(row: RowMapping, now: dt.datetime) -> dict:
    expired = clock.parse(row["expires_at"]) <= now
    state = "expired" if row["state"] == "active" and expired else row["state"]
    return {"lease_id": row["id"], "slot_id": row["slot_id"], "places": row["places"],
            "uses": row["uses"], "used": row["used_final"], "state": state,
            "granted_at": row["granted_at"], "expires_at": row["expires_at"]}
