"""After the drain: the journals, the kiosks' SQLite files and the platform's database, held
against the promises (docs/reliability.md lists them)."""
from __future__ import annotations

import json
import sqlite3
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from reliability import journal
from reliability.community import COMMUNITY
from service_platform.db import Database
from service_platform.schema import applied_ops, bookings, help_requests, meal_slots, ratings
from service_platform.schema import service_slots as platform_service_slots

INVARIANTS = {
    "accepted_exactly_once": "every accepted action is on the platform exactly once, in its "
                             "final state",
    "nothing_unaccepted": "nothing the kiosks did not accept is on the platform",
    "capacity": "no slot over capacity",
    "views_equal": "each kiosk's bookings, ratings and help requests equal the platform's",
    "nothing_stuck": "nothing stuck in an outbox, no booking left 待确认",
    "confirmed_kept": "nothing shown 已确认 later refused or lost",
    "kiosk_errors": "no bug raised by the core during an elder's action, no kiosk crash",
}
LIVE = ("confirmed", "completed")
# Refusals the elder was warned of (待确认) or that undo nothing promised.
TENTATIVE_REFUSALS = ("full", "closed", "duplicate")
BOOKING_KINDS = ("book_meal", "book_cleaning", "book_clinic", "book_health_check",
                 "book_home_visit")
OP_OF = {**dict.fromkeys(BOOKING_KINDS, "booking.create"), "cancel": "booking.cancel",
         "rate": "rating.create", "ask_help": "help.create"}


@dataclass
class Op:
    kiosk: str
    op_id: str
    type: str
    payload: dict
    state: str
    result: dict

    @property
    def data(self) -> dict:
        data = self.result.get("data")
        return data if isinstance(data, dict) else {}

    @property
    def applied(self) -> bool:
        return self.state == "applied"


@dataclass
class KioskFiles:
    name: str
    ops: list[Op]
    bookings: dict[str, dict]
    ratings: set[tuple]
    help: set[tuple]
    records: list[dict]
    torn_lines: int


@dataclass
class Findings:
    violations: dict[str, list[str]] = field(
        default_factory=lambda: {name: [] for name in INVARIANTS})
    counts: Counter = field(default_factory=Counter)

    def add(self, invariant: str, text: str) -> None:
        self.violations[invariant].append(text)

    @property
    def total(self) -> int:
        return sum(len(items) for items in self.violations.values())


def read_kiosk(name: str, data_dir: Path) -> KioskFiles:
    conn = sqlite3.connect(f"file:{data_dir / 'kiosk.sqlite3'}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    try:
        ops = [Op(name, r["op_id"], r["op_type"], json.loads(r["payload"]), r["state"],
                  json.loads(r["result"]) if r["result"] else {})
               for r in conn.execute("SELECT * FROM outbox ORDER BY seq")]
        booked = {r["id"]: dict(r) for r in conn.execute("SELECT * FROM bookings")}
        rated = {(r["id"], r["booking_id"], r["score"])
                 for r in conn.execute("SELECT * FROM ratings")}
        helped = {(r["id"], r["state"]) for r in conn.execute("SELECT * FROM help_requests")}
    finally:
        conn.close()
    records, torn = journal.read(data_dir / "journal.jsonl")
    return KioskFiles(name, ops, booked, rated, helped, records, torn)


@dataclass
class PlatformState:
    bookings: dict[str, dict]
    ratings: dict[str, dict]
    help: dict[str, dict]
    ops: dict[str, dict]
    capacity: dict[str, int]

    @classmethod
    def read(cls, db: Database) -> PlatformState:
        def rows(table) -> list[dict]:
            return [dict(r) for r in conn.execute(
                select(table).where(table.c.community_id == COMMUNITY)).mappings()]
        with db.read() as conn:
            booked = {r["id"]: r for r in rows(bookings)}
            rated = {r["id"]: r for r in rows(ratings)}
            helped = {r["id"]: r for r in rows(help_requests)}
            ops = {r["op_id"]: r for r in rows(applied_ops)}
            capacity = {r["id"]: r["capacity"] for r in rows(meal_slots)}
            capacity.update({r["id"]: r["capacity"] for r in rows(platform_service_slots)})
        return cls(booked, rated, helped, ops, capacity)


class Check:
    def __init__(self, platform: PlatformState, kiosks: list[KioskFiles]) -> None:
        self.platform = platform
        self.kiosks = kiosks
        self.found = Findings()
        self.ops = {op.op_id: op for k in kiosks for op in k.ops}
        # booking id the kiosk made → the platform's booking it became (itself, or the place
        # the elder already held: protocol §3.1's merge)
        self.place: dict[str, str] = {}
        for op in self.ops.values():
            if op.type == "booking.create" and op.applied:
                own = op.payload["id"].lower()
                self.place[own] = str(op.data.get("booking_id") or own).lower()
        self.cancelled_by_op: set[str] = {
            self.place.get(op.payload["booking_id"].lower(), op.payload["booking_id"].lower())
            for op in self.ops.values() if op.type == "booking.cancel" and op.applied}

    def run(self) -> Findings:
        told_ops = self._journals()
        for op, told in told_ops:
            self._accepted(op, told)
        self._nothing_unaccepted()
        self._capacity()
        for kiosk in self.kiosks:
            self._views(kiosk)
            self._stuck(kiosk)
        return self.found

    # --- journals: what each elder was told, matched with the operations written ----------
    def _journals(self) -> list[tuple[Op, dict | None]]:
        """Every operation of every kiosk with the `told` record of its action (None: the
        kiosk was killed before telling the elder)."""
        matched: list[tuple[Op, dict | None]] = []
        count = self.found.counts
        for kiosk in self.kiosks:
            count["journal_torn_lines"] += kiosk.torn_lines
            intents = {r["a"]: r for r in kiosk.records if r.get("p") == "intent"}
            told = {r["a"]: r for r in kiosk.records if r.get("p") == "told"}
            for record in kiosk.records:
                if record.get("p") == "self_kill":
                    count[f"kiosk_self_kills_{record['where']}"] += 1
            by_key = {(op.type, _key(op)): op for op in kiosk.ops}
            seen: set[str] = set()
            for action, intent in intents.items():
                count["actions_attempted"] += 1
                answer = told.get(action)
                if answer is None:
                    continue
                what = intent["what"]
                if not answer["ok"]:
                    count[f"refused_{answer['reason']}"] += 1
                    count["actions_refused"] += 1
                    if answer["reason"].startswith(("bug:", "error:")):
                        self.found.add("kiosk_errors", f"{kiosk.name}: {what} of "
                                       f"{intent['elder']}: {answer['reason']}")
                    continue
                count["actions_accepted"] += 1
                count[f"accepted_{what}"] += 1
                if what in BOOKING_KINDS:
                    count[f"told_{answer['status']}"] += 1
                op = by_key.get((OP_OF[what], answer["id"].lower()))
                if op is None:
                    self.found.add("accepted_exactly_once",
                                   f"{kiosk.name}: {what} {answer['id']} accepted and told, "
                                   "not in the kiosk's outbox (lost on the kiosk)")
                    continue
                seen.add(op.op_id)
                matched.append((op, {**answer, "what": what, "elder": intent["elder"]}))
            interrupted = [intents[a] for a in intents if a not in told]
            count["actions_interrupted"] += len(interrupted)
            for op in kiosk.ops:
                if op.op_id in seen:
                    continue
                intent = _interrupted_intent(op, interrupted)
                if intent is None:
                    self.found.add("nothing_unaccepted",
                                   f"{kiosk.name}: {op.type} {op.op_id} in the outbox, "
                                   "no elder asked for it")
                    continue
                interrupted.remove(intent)
                count["actions_committed_not_told"] += 1
                matched.append((op, None))
            count["actions_interrupted_rolled_back"] += len(interrupted)
        return matched

    # --- 1 and 6: accepted, exactly once, in its final state; 已确认 kept ------------------
    def _accepted(self, op: Op, told: dict | None) -> None:
        if op.state in ("pending", "failed"):
            return  # nothing_stuck names it
        where = f"{op.kiosk}: {op.type} {op.op_id}"
        stored = self.platform.ops.get(op.op_id)
        if stored is None:
            self.found.add("accepted_exactly_once",
                           f"{where}: the kiosk holds an answer, the platform no record")
            return
        if stored["status"] != op.state:
            self.found.add("accepted_exactly_once",
                           f"{where}: {op.state} on the kiosk, {stored['status']} on the platform")
            return
        check = {"booking.create": self._booking, "booking.cancel": self._cancel,
                 "rating.create": self._rating, "help.create": self._help}[op.type]
        check(op, told, where)

    def _booking(self, op: Op, told: dict | None, where: str) -> None:
        confirmed = told is not None and told.get("status") == "confirmed"
        if not op.applied:
            reason = op.result.get("reason")
            self.found.counts[f"platform_refused_booking_{reason}"] += 1
            if confirmed:
                self.found.add("confirmed_kept", f"{where}: shown 已确认, then refused {reason}")
            elif reason not in TENTATIVE_REFUSALS:
                self.found.add("accepted_exactly_once", f"{where}: refused {reason}")
            return
        own = op.payload["id"].lower()
        place = self.place[own]
        if place != own:
            self.found.counts["bookings_merged"] += 1
        found = self.platform.bookings.get(place)
        if found is None:
            self.found.add("confirmed_kept" if confirmed else "accepted_exactly_once",
                           f"{where}: booking {place} applied, not on the platform")
            return
        if place == own and found["op_id"].lower() != op.op_id.lower():
            self.found.add("accepted_exactly_once", f"{where}: booking {own} stored by "
                           f"another operation {found['op_id']}")
        cancelled = place in self.cancelled_by_op
        if found["status"] == "cancelled" and not cancelled:
            self.found.add("confirmed_kept" if confirmed else "accepted_exactly_once",
                           f"{where}: booking {place} cancelled on the platform, no elder "
                           "cancelled it")
        elif found["status"] != "cancelled" and cancelled:
            self.found.add("accepted_exactly_once",
                           f"{where}: booking {place} cancelled by an applied cancel, "
                           f"{found['status']} on the platform")

    def _cancel(self, op: Op, told: dict | None, where: str) -> None:
        target = op.payload["booking_id"].lower()
        place = self.place.get(target, target)
        if op.applied:
            found = self.platform.bookings.get(place)
            if found is None or found["status"] != "cancelled":
                self.found.add("accepted_exactly_once", f"{where}: cancel of {place} applied, "
                               f"platform has {found and found['status']}")
            return
        reason = op.result.get("reason")
        self.found.counts[f"platform_refused_cancel_{reason}"] += 1
        create = next((o for o in self.ops.values() if o.type == "booking.create"
                       and o.payload["id"].lower() == target), None)
        created_elsewhere = target in self.platform.bookings
        if reason == "closed":
            return  # after the cut-off the meal is being cooked: the kiosk shows it kept
        if self.platform.bookings.get(place, {}).get("status") == "cancelled":
            return  # cancelled all the same (at another kiosk)
        if reason == "unknown_booking" and not created_elsewhere and (
                create is None or not create.applied):
            return  # its booking was refused: nothing to cancel
        self.found.add("accepted_exactly_once",
                       f"{where}: the elder was told {target} is cancelled; the platform "
                       f"refused the cancel ({reason}) and keeps booking {place} "
                       f"({self.platform.bookings.get(place, {}).get('status')})")

    def _rating(self, op: Op, told: dict | None, where: str) -> None:
        rating_id = op.payload["id"].lower()
        booking_id = self.place.get(op.payload["booking_id"].lower(),
                                    op.payload["booking_id"].lower())
        if op.applied:
            found = self.platform.ratings.get(rating_id)
            if found is None or found["score"] != op.payload["score"]:
                self.found.add("accepted_exactly_once", f"{where}: rating {rating_id} applied, "
                               "not on the platform as sent")
            return
        reason = op.result.get("reason")
        self.found.counts[f"platform_refused_rating_{reason}"] += 1
        other = [r for r in self.platform.ratings.values() if r["booking_id"] == booking_id]
        if reason == "duplicate" and other:
            return  # another kiosk's rating of the booking came first: the kiosk shows that one
        rated = self.platform.bookings.get(booking_id)
        if reason == "not_done" and rated is not None and rated["status"] == "cancelled":
            return  # cancelled at another kiosk before this one heard of it: nothing to rate
        self.found.add("accepted_exactly_once", f"{where}: rating of {booking_id} refused "
                       f"({reason}) with no other rating of it")

    def _help(self, op: Op, told: dict | None, where: str) -> None:
        if not op.applied or op.payload["id"].lower() not in self.platform.help:
            self.found.add("accepted_exactly_once", f"{where}: help request not on the platform "
                           f"({op.result.get('reason')})")

    # --- 2: nothing the kiosks did not accept ----------------------------------------------
    def _nothing_unaccepted(self) -> None:
        for op_id, stored in self.platform.ops.items():
            if op_id not in self.ops:
                self.found.add("nothing_unaccepted",
                               f"platform holds {stored['type']} {op_id} that no kiosk wrote")
        for booking_id, found in self.platform.bookings.items():
            op = self.ops.get(found["op_id"])
            if op is None or op.payload.get("id", "").lower() != booking_id:
                self.found.add("nothing_unaccepted", f"booking {booking_id} on the platform "
                               "from no kiosk's booking operation")
        pairs = Counter((b["elder_id"], b["slot_id"]) for b in self.platform.bookings.values()
                        if b["status"] in LIVE)
        for (elder, slot), n in pairs.items():
            if n > 1:
                self.found.add("accepted_exactly_once", f"{elder} holds {n} live bookings of "
                               f"{slot}")
        written = {op.payload["id"].lower() for op in self.ops.values()
                   if op.type in ("rating.create", "help.create")}
        for kind, items in (("rating", self.platform.ratings), ("help", self.platform.help)):
            for item_id in items:
                if item_id not in written:
                    self.found.add("nothing_unaccepted", f"{kind} {item_id} from no kiosk")

    # --- 3: capacity ----------------------------------------------------------------------------
    def _capacity(self) -> None:
        used: Counter[str] = Counter()
        for found in self.platform.bookings.values():
            if found["status"] in LIVE:
                used[found["slot_id"]] += found["units"] or 1
        for slot, units in used.items():
            if units > self.platform.capacity.get(slot, 0):
                self.found.add("capacity", f"{slot}: {units} units booked, capacity "
                               f"{self.platform.capacity.get(slot)}")
        self.found.counts["slots_full"] = sum(
            1 for slot, units in used.items() if units == self.platform.capacity.get(slot))

    # --- 4 and 5: views, stuck --------------------------------------------------------------
    def _views(self, kiosk: KioskFiles) -> None:
        mine = {i.lower(): b for i, b in kiosk.bookings.items()}
        for booking_id, found in self.platform.bookings.items():
            here = mine.get(booking_id)
            if here is None or here["status"] != found["status"]:
                self.found.add("views_equal", f"{kiosk.name}: booking {booking_id} is "
                               f"{found['status']} on the platform, "
                               f"{here['status'] if here else 'absent'} here")
        refused = {op.payload["id"].lower() for op in self.ops.values()
                   if op.type == "booking.create" and not op.applied}
        for booking_id, here in mine.items():
            if booking_id in self.platform.bookings or here["status"] == "rejected":
                continue
            if here["status"] == "cancelled" and booking_id in refused:
                continue  # cancelled here before the platform refused it
            if here["status"] == "tentative":
                continue  # nothing_stuck names those
            place = self.place.get(booking_id, booking_id)
            merged = f", merged on the platform into {place}" if place != booking_id else ""
            self.found.add("views_equal", f"{kiosk.name}: booking {booking_id} "
                           f"{here['status']} here, not on the platform{merged}")
        platform_ratings = {(r["id"], r["booking_id"], r["score"])
                            for r in self.platform.ratings.values()}
        for item in sorted(kiosk.ratings ^ platform_ratings):
            side = "here only" if item in kiosk.ratings else "on the platform only"
            self.found.add("views_equal", f"{kiosk.name}: rating {item} {side}")
        platform_help = {(h["id"], h["state"]) for h in self.platform.help.values()}
        for item in sorted(kiosk.help ^ platform_help):
            side = "here only" if item in kiosk.help else "on the platform only"
            self.found.add("views_equal", f"{kiosk.name}: help request {item} {side}")

    def _stuck(self, kiosk: KioskFiles) -> None:
        for op in kiosk.ops:
            if op.state in ("pending", "failed"):
                self.found.add("nothing_stuck", f"{kiosk.name}: {op.type} {op.op_id} "
                               f"{op.state} {op.result.get('code', '')}")
        for booking_id, here in kiosk.bookings.items():
            if here["status"] == "tentative":
                self.found.add("nothing_stuck", f"{kiosk.name}: booking {booking_id} still "
                               "待确认")


def _key(op: Op) -> str:
    """The id the elder was told of for an operation."""
    name = "booking_id" if op.type == "booking.cancel" else "id"
    return str(op.payload.get(name, "")).lower()


def _interrupted_intent(op: Op, intents: list[dict]) -> dict | None:
    """The action, cut short by a kill before the elder was told, that wrote `op`."""
    for intent in intents:
        if OP_OF.get(intent["what"]) != op.type:
            continue
        if op.type == "booking.cancel":
            if intent.get("booking", "").lower() == _key(op):
                return intent
        elif op.type == "rating.create":
            if intent.get("booking", "").lower() == op.payload["booking_id"].lower():
                return intent
        elif intent["elder"] == op.payload.get("elder_id") and \
                intent.get("slot", op.payload.get("slot_id")) == op.payload.get("slot_id"):
            return intent
    return None


def check(db: Database, kiosk_dirs: dict[str, Path]) -> Findings:
    kiosks = [read_kiosk(name, path) for name, path in kiosk_dirs.items()]
    return Check(PlatformState.read(db), kiosks).run()

