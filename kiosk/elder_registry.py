"""Registering and editing elders (staff only): validation, one transaction with its
`elder.upsert` op (protocol §3.7), deactivation instead of deletion, and taking back an edit
the platform rejected."""
from __future__ import annotations

import contextlib
import json
import re
import sqlite3
import uuid
from dataclasses import asdict, dataclass, field

from kiosk import name_initials, outbox
from kiosk.cards import parse_card_input
from kiosk.clock import Clock
from kiosk.errors import InvalidCardInput, KnownError
from kiosk.store import Store

MOBILITY = ("independent", "walker", "wheelchair", "bedridden")
CODE = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
PHONE = re.compile(r"^[0-9]{7,15}$")
COLUMNS = ("id", "card_no", "name", "phone", "address", "subsidy_level", "delivery_allowed",
           "home_visit_allowed", "dietary", "active", "mobility", "emergency_name",
           "emergency_phone", "notify_family")


@dataclass
class ElderForm:
    """An elder's whole record as staff edit it; `id` is None for a newcomer."""

    id: str | None = None
    name: str = ""
    card_no: str = ""
    phone: str = ""
    address: str = ""
    subsidy_level: str = "none"
    delivery_allowed: bool = False
    home_visit_allowed: bool = False
    dietary: list[str] = field(default_factory=list)
    mobility: str | None = None
    emergency_name: str = ""
    emergency_phone: str = ""
    notify_family: bool = False  # the family may be told when a help call is escalated
    active: bool = True

    @classmethod
    def from_row(cls, row) -> ElderForm:
        return cls(id=row["id"], name=row["name"], card_no=row["card_no"], phone=row["phone"],
                   address=row["address"], subsidy_level=row["subsidy_level"],
                   delivery_allowed=bool(row["delivery_allowed"]),
                   home_visit_allowed=bool(row["home_visit_allowed"]),
                   dietary=list(json.loads(row["dietary"])), mobility=row["mobility"],
                   emergency_name=row["emergency_name"], emergency_phone=row["emergency_phone"],
                   notify_family=bool(row["notify_family"]), active=bool(row["active"]))

    def __repr__(self) -> str:  # personal data stays out of logs
        return f"ElderForm(id={self.id!r})"


class ElderInvalid(KnownError):
    """`problems` maps a field to the message key that says what is wrong with it."""

    message_key = "elder.error.invalid"

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__(", ".join(sorted(problems)))
        self.problems = problems


def load(store: Store, elder_id: str) -> ElderForm | None:
    row = store.query_one("SELECT * FROM elders WHERE id = ?", (elder_id,))
    return ElderForm.from_row(row) if row else None


def subsidy_levels(store: Store) -> list[str]:
    levels = [r["level"] for r in store.query(
        "SELECT level FROM subsidy_levels ORDER BY meal_subsidy_cents, level")]
    return levels or ["none"]


def digits(text: str) -> str:
    return "".join(ch for ch in text if not ch.isspace() and ch != "-")


def normalise(form: ElderForm) -> ElderForm:
    """Trimmed text, digits-only phones, a scanned card's number (EK1:…) as its number; the
    family is told of nothing without an emergency contact to tell."""
    card = form.card_no.strip()
    with contextlib.suppress(InvalidCardInput):
        card = parse_card_input(card)
    name, phone = form.emergency_name.strip(), digits(form.emergency_phone)
    return ElderForm(**{**asdict(form), "name": form.name.strip(), "card_no": card,
                        "phone": digits(form.phone), "address": form.address.strip(),
                        "emergency_name": name, "emergency_phone": phone,
                        "notify_family": form.notify_family and has_contact(name, phone),
                        "dietary": sorted(set(form.dietary))})


def has_contact(name: str, phone: str) -> bool:
    """Whether an emergency contact is given, so the family could be told (not validated)."""
    return bool(name.strip() and digits(phone))


def validate(store: Store, form: ElderForm) -> dict[str, str]:
    """Each field's problem as a message key; empty when the record may be saved."""
    problems: dict[str, str] = {}
    if not form.name or len(form.name) > 100:
        problems["name"] = "elder.error.name"
    if not re.fullmatch(r"[0-9]{6,18}", form.card_no):
        problems["card_no"] = "elder.error.card"
    elif store.query_one("SELECT 1 FROM elders WHERE card_no = ? AND id IS NOT ?",
                         (form.card_no, form.id)):
        problems["card_no"] = "elder.error.card_in_use"
    if form.phone and not PHONE.fullmatch(form.phone):
        problems["phone"] = "elder.error.phone"
    if len(form.address) > 200:
        problems["address"] = "elder.error.address"
    if form.delivery_allowed and not form.address:
        problems["address"] = "elder.error.address_for_delivery"
    if form.subsidy_level not in subsidy_levels(store):
        problems["subsidy_level"] = "elder.error.subsidy"
    if len(form.dietary) > 20 or not all(CODE.fullmatch(tag) for tag in form.dietary):
        problems["dietary"] = "elder.error.dietary"
    if form.mobility is not None and form.mobility not in MOBILITY:
        problems["mobility"] = "elder.error.mobility"
    if bool(form.emergency_name) != bool(form.emergency_phone) \
            or len(form.emergency_name) > 100:
        problems["emergency"] = "elder.error.emergency"
    elif form.emergency_phone and not PHONE.fullmatch(form.emergency_phone):
        problems["emergency"] = "elder.error.emergency_phone"
    return problems


def upsert_payload(form: ElderForm, staff_id: str) -> dict:
    """Exactly the fields of protocol §3.7."""
    contact = {"name": form.emergency_name, "phone": form.emergency_phone} \
        if form.emergency_name else None
    return {"id": form.id, "card_no": form.card_no, "name": form.name, "phone": form.phone,
            "address": form.address, "subsidy_level": form.subsidy_level,
            "delivery_allowed": form.delivery_allowed,
            "home_visit_allowed": form.home_visit_allowed, "dietary": list(form.dietary),
            "mobility": form.mobility, "emergency_contact": contact,
            "notify_family": form.notify_family, "active": form.active, "staff_id": staff_id}


def save(store: Store, clock: Clock, form: ElderForm, staff_id: str) -> ElderForm:
    """Validate, then write the elder and its `elder.upsert` op in one transaction."""
    form = normalise(form)
    if form.id is None:
        form.id = f"elder-{uuid.uuid4()}"
    stamp = clock.now().isoformat(timespec="seconds")
    with store.transaction() as conn:
        problems = validate(store, form)
        if problems:
            raise ElderInvalid(problems)
        previous = store.query_one("SELECT * FROM elders WHERE id = ?", (form.id,))
        row = _row(form, stamp)
        conn.execute(
            f"INSERT INTO elders ({', '.join(row)}) VALUES ({', '.join('?' * len(row))}) "
            f"ON CONFLICT (id) DO UPDATE SET "
            + ", ".join(f"{k} = excluded.{k}" for k in row if k != "id"), tuple(row.values()))
        op_id = outbox.enqueue(conn, "elder.upsert", upsert_payload(form, staff_id), stamp)
        conn.execute("INSERT INTO elder_edits (op_id, elder_id, previous, stamp) "
                     "VALUES (?, ?, ?, ?)",
                     (op_id, form.id, json.dumps(dict(previous), ensure_ascii=False)
                      if previous else None, stamp))
    return form


def set_active(store: Store, clock: Clock, elder_id: str, active: bool,
               staff_id: str) -> ElderForm:
    """Deactivate (or reactivate) instead of deleting: bookings and history stay."""
    form = load(store, elder_id)
    if form is None:
        raise KeyError(elder_id)
    form.active = active
    return save(store, clock, form, staff_id)


def _row(form: ElderForm, stamp: str) -> dict:
    return {"id": form.id, "card_no": form.card_no, "name": form.name,
            "initials": name_initials.column(form.name), "phone": form.phone,
            "address": form.address, "subsidy_level": form.subsidy_level,
            "delivery_allowed": int(form.delivery_allowed),
            "home_visit_allowed": int(form.home_visit_allowed),
            "dietary": json.dumps(form.dietary, ensure_ascii=False), "active": int(form.active),
            "mobility": form.mobility, "emergency_name": form.emergency_name,
            "emergency_phone": form.emergency_phone,
            "notify_family": int(form.notify_family), "updated_at": stamp}


def take_back(conn: sqlite3.Connection, op_ids: list[str], stamp: str) -> None:
    """The platform rejected these elder edits: restore the record each one replaced, unless
    a newer change (a later edit here, or the feed) has replaced it since (protocol §3.7).
    A rejected newcomer keeps the record, inactive, with its card freed for the pull."""
    for op_id in op_ids:
        edit = conn.execute("SELECT * FROM elder_edits WHERE op_id = ? AND settled = 0",
                            (op_id,)).fetchone()
        if edit is None:
            continue
        conn.execute("UPDATE elder_edits SET settled = 1 WHERE op_id = ?", (op_id,))
        current = conn.execute("SELECT updated_at FROM elders WHERE id = ?",
                               (edit["elder_id"],)).fetchone()
        if current is None or current["updated_at"] != edit["stamp"]:
            continue
        if edit["previous"] is None:
            conn.execute("UPDATE elders SET active = 0, card_no = 'rejected:' || id, "
                         "updated_at = ? WHERE id = ?", (stamp, edit["elder_id"]))
            continue
        before = json.loads(edit["previous"])
        values = {k: before[k] for k in COLUMNS if k in before and k != "id"}
        if "name" in values:
            values["initials"] = name_initials.column(values["name"])
        conn.execute(f"UPDATE elders SET {', '.join(f'{k} = ?' for k in values)}, "
                     f"updated_at = ? WHERE id = ?",
                     (*values.values(), stamp, edit["elder_id"]))
