"""A minimal kiosk-side client of protocol v1 for the tests, written from docs/protocol.md."""
from __future__ import annotations

import datetime as dt
import itertools
import uuid

import requests

from service_platform import catalogue, demo, operators, services
from service_platform.db import Database

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
# The demo's providers (assets/demo/services.json, protocol §10.1).
CLEANER, STATION = "provider-sunshine", "provider-xingfu-station"
CANTEEN = "provider-xingfu-canteen"
_days = itertools.count(1)
_communities = itertools.count(1)


def stamp(moment: dt.datetime | None = None) -> str:
    return (moment or dt.datetime.now(SHANGHAI)).isoformat(timespec="seconds")


def booking_op(elder_id: str, slot_id: str, lease_id: str | None = None,
               created_at: str | None = None, mode: str = "pickup", **extra) -> dict:
    created = created_at or stamp()
    payload = {"id": str(uuid.uuid4()), "elder_id": elder_id, "service": "meal",
               "slot_id": slot_id, "mode": mode, "price_cents": 1500, "subsidy_cents": 300,
               "staff_id": None, "created_at": created, **extra}
    if lease_id is not None:
        payload["lease_id"] = lease_id
    return {"op_id": str(uuid.uuid4()), "type": "booking.create", "payload": payload,
            "created_at": created}


def op(kind: str, payload: dict, created_at: str | None = None) -> dict:
    return {"op_id": str(uuid.uuid4()), "type": kind, "payload": payload,
            "created_at": created_at or stamp()}


def service_op(service: str, elder_id: str, slot_id: str, **fields) -> dict:
    """A booking.create of a service other than meals (cleaning needs `kind`, clinic
    `department`)."""
    created = stamp()
    return op("booking.create", {
        "id": str(uuid.uuid4()), "elder_id": elder_id, "service": service, "slot_id": slot_id,
        "price_cents": 0, "subsidy_cents": 0, "staff_id": None, "created_at": created,
        **fields}, created)


def rating_op(booking_id: str, elder_id: str, score: str = "satisfied",
              reasons: tuple = ()) -> dict:
    return op("rating.create", {"id": str(uuid.uuid4()), "booking_id": booking_id,
                                "elder_id": elder_id, "score": score, "reasons": list(reasons),
                                "created_at": stamp()})


def complaint_op(elder_id: str, booking_id: str | None = None, reasons: tuple = ("late",),
                 staff_id: str | None = None, **fields) -> dict:
    """A complaint.create; `fields`: about, provider_id, call_back, note (§3.5)."""
    return op("complaint.create", {"id": str(uuid.uuid4()), "booking_id": booking_id,
                                   "elder_id": elder_id, "reasons": list(reasons),
                                   "staff_id": staff_id, "created_at": stamp(), **fields})


def answer_op(complaint_id: str, elder_id: str, score: str = "satisfied") -> dict:
    """The elder's view of how her resolved complaint was handled (complaint.answer)."""
    return op("complaint.answer", {"complaint_id": complaint_id, "elder_id": elder_id,
                                   "score": score, "staff_id": None, "answered_at": stamp()})


def help_op(elder_id: str | None = None, kind: str = "urgent") -> dict:
    return op("help.create", {"id": str(uuid.uuid4()), "elder_id": elder_id, "kind": kind,
                              "created_at": stamp()})


def help_update_op(help_id: str, state: str, staff_id: str = "staff-zhang") -> dict:
    return op("help.update", {"id": help_id, "state": state, "staff_id": staff_id})


def elder_op(elder_id: str, card_no: str, **fields) -> dict:
    return op("elder.upsert", {
        "id": elder_id, "card_no": card_no, "name": "赵桂兰", "phone": "13800000000",
        "address": "幸福里 3号楼", "subsidy_level": "basic", "delivery_allowed": False,
        "home_visit_allowed": True, "dietary": ["low_salt"], "mobility": "walker",
        "emergency_contact": {"name": "赵明", "phone": "13900000000"}, "active": True,
        "staff_id": "staff-zhang", **fields})


def audit_op(action: str = "elder.edit", subject: str = "elder-001") -> dict:
    return op("audit.append", {"id": str(uuid.uuid4()), "staff_id": "staff-zhang",
                               "action": action, "subject": subject, "created_at": stamp()})


def cancel_op(booking_id: str) -> dict:
    return {"op_id": str(uuid.uuid4()), "type": "booking.cancel",
            "payload": {"booking_id": booking_id, "staff_id": None}, "created_at": stamp()}


class KioskClient:
    """One enrolled kiosk talking HTTP to the platform."""

    def __init__(self, base_url: str, token: str | None, kiosk_id: str = "") -> None:
        self.base_url = base_url
        self.kiosk_id = kiosk_id
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def get(self, path: str, **params) -> requests.Response:
        return requests.get(self.base_url + path, params=params, headers=self.headers, timeout=30)

    def post(self, path: str, body=None, headers: dict | None = None,
             **kwargs) -> requests.Response:
        return requests.post(self.base_url + path, json=body,
                             headers={**self.headers, **(headers or {})}, timeout=30, **kwargs)

    def push(self, *ops: dict) -> list[dict]:
        answer = self.post("/v1/push", {"operations": list(ops)})
        assert answer.status_code == 200, answer.text
        return answer.json()["results"]

    def leases(self, want=(), returns=()) -> dict:
        answer = self.post("/v1/leases", {"want": list(want), "return": list(returns)})
        assert answer.status_code == 200, answer.text
        return answer.json()

    def pull_all(self, since: int = 0, limit: int = 500) -> tuple[list[dict], int]:
        changes = []
        while True:
            answer = self.get("/v1/changes", since=since, limit=limit)
            assert answer.status_code == 200, answer.text
            page = answer.json()
            changes += page["changes"]
            since = page["next"]
            if not page["more"]:
                return changes, since


class TestPlatform:
    """A running platform and the operator's hand on its database."""

    __test__ = False

    def __init__(self, base_url: str, db: Database) -> None:
        self.base_url = base_url
        self.db = db

    def community(self, elders: int = 10) -> str:
        """A fresh community with its own elders (elder-001… active, delivery allowed)."""
        community_id = f"test-community-{next(_communities)}-{uuid.uuid4().hex[:6]}"
        operators.add_community(self.db, community_id, "测试社区")
        people = [{"id": f"elder-{n:03d}", "card_no": f"9{n:07d}", "name": f"长者{n}",
                   "phone": "", "address": "", "subsidy_level": "basic",
                   "delivery_allowed": True, "home_visit_allowed": False,
                   "dietary": [], "active": n != elders}  # the last one is inactive
                  for n in range(1, elders + 1)]
        self.db.run_write(lambda conn: catalogue.put_elders(conn, community_id, people))
        return community_id

    def slot(self, community_id: str, capacity: int, meal: str = "lunch") -> str:
        """A new meal slot on a far-away day, open for booking."""
        day = dt.date(2040, 1, 1) + dt.timedelta(days=next(_days))
        slot_id = f"meal:{day.isoformat()}:{meal}"
        operators.add_meal_slot(self.db, community_id, {
            "id": slot_id, "day": day.isoformat(), "meal": meal,
            "cutoff": dt.datetime.combine(day, dt.time(9, 30), SHANGHAI).isoformat(),
            "capacity": capacity, "price_cents": 1500, "menu": [{"name": "米饭", "tags": []}]})
        return slot_id

    def services(self, community_id: str, teams: int = 3) -> None:
        """The demo providers (cleaning with `teams` teams, the health station, the canteen)."""
        items = demo.load_services()["providers"]
        items[0] = {**items[0], "teams": teams}
        self.db.run_write(lambda conn: services.put_providers(conn, community_id, items))

    def service_slot(self, community_id: str, service: str, capacity: int,
                     department: str | None = None, window: str | None = None) -> str:
        """A slot of `service` on a far-away day, open for booking."""
        day = dt.date(2040, 1, 1) + dt.timedelta(days=next(_days))
        start = dt.datetime.combine(day, dt.time(8, 30), SHANGHAI)
        part = department or window or "day"
        slot = {"id": f"{service}:{day.isoformat()}:{part}", "service": service,
                "provider_id": CLEANER if service == "cleaning" else STATION,
                "day": day.isoformat(), "window": window,
                "department": department, "doctor": None, "start": start.isoformat(),
                "end": (start + dt.timedelta(hours=3)).isoformat(),
                "cutoff": (start - dt.timedelta(hours=14)).isoformat(), "capacity": capacity,
                "price_cents": None if service == "cleaning" else 0}
        self.db.run_write(lambda conn: services.put_slots(conn, community_id, [slot]))
        return slot["id"]

    def pass_slot(self, community_id: str, slot_id: str, ends_in_hours: float = -1) -> None:
        """Time passes: the slot's cut-off is over, and it ends `ends_in_hours` from now."""
        now = dt.datetime.now(SHANGHAI)
        end = now + dt.timedelta(hours=ends_in_hours)

        def work(conn):
            from service_platform import entities
            slot = entities.service_slot(services.get_slot(conn, community_id, slot_id))
            slot.update(cutoff=stamp(now - dt.timedelta(minutes=10)),
                        start=stamp(end - dt.timedelta(hours=1)), end=stamp(end))
            services.put_slots(conn, community_id, [slot])
        self.db.run_write(work)

    def kiosk(self, community_id: str, name: str = "测试终端") -> KioskClient:
        kiosk_id, code = operators.add_kiosk(self.db, community_id, name)
        answer = requests.post(self.base_url + "/v1/enrol", json={"code": code}, timeout=30)
        assert answer.status_code == 200, answer.text
        return KioskClient(self.base_url, answer.json()["token"], kiosk_id)

    def anonymous(self, token: str | None = None) -> KioskClient:
        return KioskClient(self.base_url, token)


def confirmed_in_feed(changes: list[dict], slot_id: str) -> int:
    """Bookings of a slot whose latest state in the feed is confirmed."""
    latest = {}
    for change in changes:
        if change["kind"] == "booking":
            latest[change["id"]] = change["data"]
    return sum(1 for b in latest.values() if b["slot_id"] == slot_id and b["status"] == "confirmed")


def latest(changes: list[dict], kind: str) -> dict[str, dict]:
    """The last state of each entity of a kind in the feed."""
    return {c["id"]: c["data"] for c in changes if c["kind"] == kind}


def statuses(results: list[dict]) -> list[tuple]:
    return [(r["status"], r["reason"]) for r in results]
