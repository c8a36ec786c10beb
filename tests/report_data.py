"""Fixtures for the reports' tests, inserted straight into a platform's database as kiosks and
operators would have left them: two communities around a month boundary (30 Nov / 1 Dec 2025,
Asia/Shanghai), two providers in the first (a canteen; home services with cleaning and
activities), a cancelled booking with its refund, three subsidy levels, the three ways of
eating, ratings, complaints and help calls. The tests compute what they expect from these
lists on their own, never through the code under test."""
from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import insert

from service_platform import catalogue, clock, services
from service_platform.schema import (
    attendance,
    bookings,
    complaints,
    help_requests,
    ratings,
    service_slots,
)

TZ = ZoneInfo("Asia/Shanghai")
A, B = "community-rpt", "community-rpt2"  # B: one more community, for the district's sums
CANTEEN, HOME, B_CANTEEN = "prov-canteen", "prov-home", "prov-b-canteen"
LEVELS = {"none": 0, "basic": 300, "special": 1000}
ELDERS = [
    # id, name, phone, address, level, dietary
    ("r-e1", "王秀英", "13530246633", "幸福里 3号楼 2单元 501室", "basic", ["low_salt", "soft"]),
    ("r-e2", "李建国", "13078106871", "幸福里 5号楼 1单元 102室", "special", []),
    ("r-e3", "张桂兰", "13918302983", "安康苑 11号楼 1单元 301室", "none", ["halal"]),
]
MENUS = {
    ("2025-11-30", "lunch"): ["清蒸鲈鱼", "番茄炒蛋"],
    ("2025-12-01", "lunch"): ["香菇青菜", "红烧豆腐", "米饭"],
    ("2025-12-01", "dinner"): ["小米粥", "蒸南瓜"],
}
PRICES = {"lunch": 1500, "dinner": 1200}


@dataclass(frozen=True)
class Booked:
    key: str
    community: str
    elder: str
    service: str
    slot: str  # meal slots: "2025-12-01:lunch"; service slots: their id
    day: str
    provider: str
    mode: str | None
    price: int
    subsidy: int
    status: str
    meal: str | None = None


def _meal(key, elder, day, meal, mode, status, community=A, provider=CANTEEN, level=None):
    subsidy = LEVELS[level or dict((e[0], e[4]) for e in ELDERS)[elder]]
    return Booked(key, community, elder, "meal", f"meal:{day}:{meal}", day, provider, mode,
                  PRICES[meal], subsidy, status, meal)


BOOKINGS = [
    _meal("b1", "r-e1", "2025-11-30", "lunch", "dine_in", "completed"),
    _meal("b2", "r-e2", "2025-11-30", "lunch", "delivery", "completed"),
    _meal("b3", "r-e3", "2025-12-01", "lunch", "pickup", "completed"),  # booked in November
    _meal("b4", "r-e1", "2025-12-01", "lunch", "delivery", "cancelled"),  # refunded
    _meal("b5", "r-e2", "2025-12-01", "dinner", "delivery", "completed"),
    _meal("b6", "r-e1", "2025-12-01", "dinner", "dine_in", "completed"),
    Booked("c1", A, "r-e1", "cleaning", "cleaning:2025-11-30:am", "2025-11-30", HOME, None,
           6000, 2000, "completed"),
    Booked("c2", A, "r-e2", "cleaning", "cleaning:2025-12-01:am", "2025-12-01", HOME, None,
           6000, 4000, "cancelled"),
    Booked("c3", A, "r-e3", "cleaning", "cleaning:2025-12-02:am", "2025-12-02", HOME, None,
           6000, 0, "completed"),
    Booked("a1", A, "r-e1", "activity", "activity:2025-12-02:0900", "2025-12-02", HOME, None,
           0, 0, "completed"),  # came (attendance)
    Booked("a2", A, "r-e2", "activity", "activity:2025-12-02:0900", "2025-12-02", HOME, None,
           0, 0, "completed"),  # did not come: a no-show
    Booked("a3", A, "r-e3", "activity", "activity:2025-12-02:0900", "2025-12-02", HOME, None,
           0, 0, "waitlisted"),
    _meal("bb1", "r-e1", "2025-12-01", "lunch", "dine_in", "completed", community=B,
          provider=B_CANTEEN),
]
ATTENDED = {"a1"}
RATINGS = [  # booking key, score
    ("b1", "satisfied"), ("b2", "unsatisfied"), ("b3", "satisfied"), ("b5", "satisfied"),
    ("b6", "neutral"), ("c1", "satisfied"), ("c3", "unsatisfied"),
]


def utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


COMPLAINTS = [  # key, provider, received (UTC), due, resolved or None, state
    # 00:30 on 1 Dec in Shanghai: December's, though November's in UTC
    ("k1", CANTEEN, "2025-11-30T16:30", "2025-12-03T16:30", "2025-12-01T16:30", "resolved"),
    ("k2", CANTEEN, "2025-12-05T02:00", "2025-12-08T02:00", "2025-12-10T02:00", "closed"),
    ("k3", HOME, "2025-12-10T02:00", "2025-12-15T02:00", None, "open"),
    ("k4", CANTEEN, "2025-11-30T10:00", "2025-12-03T10:00", "2025-11-30T12:00", "resolved"),
]
HELP = [  # key, received (UTC), seconds until acknowledged or None
    ("h0", "2025-11-30T17:00", 30),  # 01:00 on 1 Dec in Shanghai
    ("h1", "2025-12-01T01:00", 60),
    ("h2", "2025-12-02T01:00", 180),
    ("h3", "2025-12-03T01:00", 600),
    ("h4", "2025-12-04T01:00", None),
    ("h5", "2025-11-29T01:00", 45),  # November's
]


def seed(conn) -> dict[str, str]:
    """Insert everything; returns booking key → booking id."""
    for community, name in ((A, "报表测试社区"), (B, "报表第二社区")):
        catalogue.create_community(conn, community, name, "Asia/Shanghai")
        catalogue.put_subsidy_levels(conn, community, LEVELS)
        catalogue.put_elders(conn, community, [
            {"id": e[0], "card_no": e[0][-2:] + community[-1], "name": e[1], "phone": e[2],
             "address": e[3], "subsidy_level": e[4], "delivery_allowed": True,
             "home_visit_allowed": True, "dietary": e[5], "active": True} for e in ELDERS])
        catalogue.put_meal_slots(conn, community, [
            {"id": f"meal:{day}:{meal}", "day": day, "meal": meal,
             "cutoff": dt.datetime.combine(dt.date.fromisoformat(day), dt.time(9, 30),
                                           TZ).isoformat(),
             "capacity": 50, "price_cents": PRICES[meal],
             "menu": [{"name": dish, "tags": []} for dish in dishes]}
            for (day, meal), dishes in MENUS.items()])
    services.put_providers(conn, A, [
        {"id": CANTEEN, "name": "幸福食堂", "services": ["meal"]},
        {"id": HOME, "name": "阳光家政", "services": ["cleaning", "activity"]}])
    services.put_providers(conn, B, [{"id": B_CANTEEN, "name": "第二食堂", "services": ["meal"]}])
    for item in BOOKINGS:
        if item.service != "meal" and item.key in ("c1", "c2", "c3", "a1"):
            _service_slot(conn, item)
    ids = {item.key: str(uuid.uuid5(uuid.NAMESPACE_URL, f"report-test:{item.key}"))
           for item in BOOKINGS}
    stamp = clock.stamp(clock.now())
    conn.execute(insert(bookings), [{
        "id": ids[item.key], "community_id": item.community, "elder_id": item.elder,
        "service": item.service, "slot_id": item.slot, "mode": item.mode or "",
        "price_cents": item.price, "subsidy_cents": item.subsidy, "status": item.status,
        "kiosk_id": "kiosk-test", "op_id": ids[item.key], "created_at": stamp,
        "received_at": stamp, "updated_at": stamp, "units": 1, "provider_id": item.provider,
        "waitlist_position": 1 if item.status == "waitlisted" else None,
    } for item in BOOKINGS])
    by_key = {item.key: item for item in BOOKINGS}
    conn.execute(insert(attendance), [{
        "community_id": A, "id": str(uuid.uuid4()), "slot_id": by_key[key].slot,
        "elder_id": by_key[key].elder, "booking_id": ids[key], "kiosk_id": "kiosk-test",
        "created_at": stamp, "received_at": stamp} for key in ATTENDED])
    conn.execute(insert(ratings), [{
        "community_id": A, "id": str(uuid.uuid4()), "booking_id": ids[key],
        "elder_id": by_key[key].elder, "provider_id": by_key[key].provider, "score": score,
        "reasons": "[]", "kiosk_id": "kiosk-test", "created_at": stamp, "received_at": stamp}
        for key, score in RATINGS])
    conn.execute(insert(complaints), [{
        "community_id": A, "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"report-test:{key}")),
        "elder_id": "r-e1", "provider_id": provider, "reasons": json.dumps(["late"]),
        "state": state, "kiosk_id": "kiosk-test", "created_at": clock.stamp(utc(received)),
        "received_at": clock.stamp(utc(received)), "due_at": clock.stamp(utc(due)),
        "resolved_at": clock.stamp(utc(resolved)) if resolved else None}
        for key, provider, received, due, resolved, state in COMPLAINTS])
    conn.execute(insert(help_requests), [{
        "community_id": A, "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"report-test:{key}")),
        "elder_id": "r-e1", "kind": "urgent",
        "state": "acknowledged" if seconds is not None else "open", "kiosk_id": "kiosk-test",
        "created_at": clock.stamp(utc(received)), "received_at": clock.stamp(utc(received)),
        "acknowledged_at": clock.stamp(utc(received) + dt.timedelta(seconds=seconds))
        if seconds is not None else None}
        for key, received, seconds in HELP])
    return ids


def _service_slot(conn, item: Booked) -> None:
    day = dt.date.fromisoformat(item.day)
    start = dt.datetime.combine(day, dt.time(9), TZ)
    conn.execute(insert(service_slots).values(
        community_id=A, id=item.slot, service=item.service, provider_id=item.provider, day=item.day,
        window="am", start_at=start.isoformat(),
        end_at=(start + dt.timedelta(hours=2)).isoformat(),
        cutoff=(start - dt.timedelta(hours=12)).isoformat(), capacity=5,
        updated_at=clock.stamp(clock.now())))

