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
                  "kiosk_id", "lease_id", "kind", "department", "units", "provider_id",
                  "waitlist_position")


def _json_or_none(value: str | None):
    return None if value is None else json.loads(value)


# An elder's and a booking's wire fields, in order, each its table's column of that name, and
# how a column's stored value becomes the wire's (the others go as stored): one object per
# row for the feed (`elder`, `booking`), a column at a time for the snapshot (`wire_rows`).
ELDER_WIRE = (*ELDER_FIELDS, "mobility", "emergency_contact", "notify_family")
ELDER_CONVERSIONS = {"dietary": json.loads, "emergency_contact": _json_or_none,
                     **dict.fromkeys(("delivery_allowed", "home_visit_allowed", "active",
                                      "notify_family"), bool)}
BOOKING_WIRE = (*BOOKING_FIELDS, "needs")
BOOKING_CONVERSIONS = {
    "needs": lambda needs: json.loads(needs) if needs else [],
    "mode": lambda mode: mode or None,  # stored "" for a service without modes
}


def elder(row: RowMapping) -> dict:
    return _wire(row, ELDER_WIRE, ELDER_CONVERSIONS)


def booking(row: RowMapping) -> dict:
    return _wire(row, BOOKING_WIRE, BOOKING_CONVERSIONS)


def _wire(row: RowMapping, names: tuple[str, ...], conversions: dict) -> dict:
    data = {name: row[name] for name in names}
    for name, convert in conversions.items():
        data[name] = convert(data[name])
    return data


def wire_rows(rows: list[tuple], names: tuple[str, ...], conversions: dict) -> list[tuple]:
    """Table rows of these columns (in this order) as rows of the wire's values, converted a
    column at a time."""
    if not rows:
        return []
    columns = list(zip(*rows, strict=True))
    for at, name in enumerate(names):
        if name in conversions:
            columns[at] = list(map(conversions[name], columns[at]))
    return list(zip(*columns, strict=True))


def subsidy_level(row: RowMapping) -> dict:
    return {"level": row["level"], "meal_subsidy_cents": row["meal_subsidy_cents"]}


def meal_slot(row: RowMapping) -> dict:
    return {"id": row["id"], "day": row["day"], "meal": row["meal"], "cutoff": row["cutoff"],
            "capacity": row["capacity"], "price_cents": row["price_cents"],
            "menu": json.loads(row["menu"])}


def service(row: RowMapping) -> dict:
    """A catalogue entry (elder_wire.catalogue.Service.to_wire())."""
    return json.loads(row["data"])


def attendance(row: RowMapping) -> dict:
    return {"id": row["id"], "slot_id": row["slot_id"], "elder_id": row["elder_id"],
            "booking_id": row["booking_id"], "staff_id": row["staff_id"],
            "kiosk_id": row["kiosk_id"], "created_at": row["created_at"]}


def provider(row: RowMapping) -> dict:
    details = json.loads(row["details"])
    return {"id": row["id"], "name": row["name"], "services": json.loads(row["services"]),
            "teams": row["teams"], "kinds": details.get("kinds", {}),
            "subsidy_cents": details.get("subsidy_cents", {}), "needs": details.get("needs", []),
            "departments": details.get("departments", {}), "active": bool(row["active"])}


def service_slot(row: RowMapping) -> dict:
    return {"id": row["id"], "service": row["service"], "provider_id": row["provider_id"],
            "day": row["day"], "window": row["window"], "department": row["department"],
            "doctor": row["doctor"], "start": row["start_at"], "end": row["end_at"],
            "cutoff": row["cutoff"], "capacity": row["capacity"],
            "price_cents": row["price_cents"], "title": row["title"], "place": row["place"],
            "host": row["host"]}


def staff(row: RowMapping) -> dict:
    return {"id": row["id"], "name": row["name"], "active": bool(row["active"])}


def rating(row: RowMapping) -> dict:
    return {"id": row["id"], "booking_id": row["booking_id"], "elder_id": row["elder_id"],
            "provider_id": row["provider_id"], "score": row["score"],
            "reasons": json.loads(row["reasons"]), "staff_id": row["staff_id"],
            "created_at": row["created_at"], "kiosk_id": row["kiosk_id"]}


def complaint(row: RowMapping) -> dict:
    return {"id": row["id"], "booking_id": row["booking_id"], "elder_id": row["elder_id"],
            "provider_id": row["provider_id"], "reasons": json.loads(row["reasons"]),
            "staff_id": row["staff_id"], "state": row["state"],
            "created_at": row["created_at"], "kiosk_id": row["kiosk_id"],
            "about": row["about"], "call_back": bool(row["call_back"]), "note": row["note"],
            "resolution": row["resolution"], "resolved_at": row["resolved_at"],
            "answer": row["answer"], "answered_at": row["answered_at"]}


HELP_FIELDS = ("id", "elder_id", "kind", "state", "staff_id", "created_at", "kiosk_id",
               "acknowledged_by", "acknowledged_at", "resolved_by", "resolved_at",
               "acknowledged_by_name", "resolved_by_name", "resolution_note", "escalated_at")


def help_request(row: RowMapping) -> dict:
    return {name: row[name] for name in HELP_FIELDS}


def lease(row: RowMapping, now: dt.datetime) -> dict:
    expired = clock.parse(row["expires_at"]) <= now
    state = "expired" if row["state"] == "active" and expired else row["state"]
    return {"lease_id": row["id"], "slot_id": row["slot_id"], "places": row["places"],
            "uses": row["uses"], "used": row["used_final"], "state": state,
            "granted_at": row["granted_at"], "expires_at": row["expires_at"]}
