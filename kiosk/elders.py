"""Elders as the kiosk knows them, and how little of them a shared screen may show."""
from __future__ import annotations

import json
from dataclasses import dataclass

from elder_wire.privacy import mask_name, mask_phone
from kiosk.cards import parse_card_input
from kiosk.errors import ElderInactive, UnknownCard
from kiosk.store import Store


@dataclass(frozen=True)
class Elder:
    id: str
    card_no: str
    name: str
    phone: str
    address: str
    subsidy_level: str
    delivery_allowed: bool
    home_visit_allowed: bool
    dietary: tuple[str, ...]
    active: bool

    @classmethod
    def from_row(cls, row) -> Elder:
        return cls(
            id=row["id"],
            card_no=row["card_no"],
            name=row["name"],
            phone=row["phone"],
            address=row["address"],
            subsidy_level=row["subsidy_level"],
            delivery_allowed=bool(row["delivery_allowed"]),
            home_visit_allowed=bool(row["home_visit_allowed"]),
            dietary=tuple(json.loads(row["dietary"])),
            active=bool(row["active"]),
        )

    def may(self, permission: str) -> bool:
        """A permission of her profile a service's policy names (elder_wire.catalogue's
        `requires`); one this kiosk does not know is not hers."""
        return {"home_visit_allowed": self.home_visit_allowed,
                "delivery_allowed": self.delivery_allowed}.get(permission, False)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)

    @property
    def masked_name(self) -> str:
        return mask_name(self.name)

    @property
    def partial_address(self) -> str:
        return partial_address(self.address)

    def __repr__(self) -> str:  # keeps personal data out of logs and tracebacks
        return f"Elder(id={self.id!r})"


def partial_address(address: str) -> str:
    """The estate and building only ("幸福里 3号楼"): never the flat on a shared screen."""
    return " ".join(address.split()[:2])


def find_by_card(store: Store, raw_input: str) -> Elder:
    """The active elder holding the card in `raw_input`; a KnownError otherwise."""
    card_no = parse_card_input(raw_input)
    row = store.query_one("SELECT * FROM elders WHERE card_no = ?", (card_no,))
    if row is None:
        raise UnknownCard()
    elder = Elder.from_row(row)
    if not elder.active:
        raise ElderInactive()
    return elder


def get_elder(store: Store, elder_id: str) -> Elder | None:
    row = store.query_one("SELECT * FROM elders WHERE id = ?", (elder_id,))
    return Elder.from_row(row) if row else None


def meal_subsidy_cents(store: Store, level: str) -> int:
    row = store.query_one(
        "SELECT meal_subsidy_cents FROM subsidy_levels WHERE level = ?", (level,)
    )
    return row["meal_subsidy_cents"] if row else 0
