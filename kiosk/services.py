"""Providers of services (protocol §10.1): their kinds of cleaning, subsidies, extra needs and
departments, as pulled from the platform (or seeded by the demo)."""
from __future__ import annotations

import json
from dataclasses import dataclass

from kiosk.store import Store


@dataclass(frozen=True)
class CleaningKind:
    code: str
    name: str
    hours: int
    units: int
    price_cents: int


@dataclass(frozen=True)
class Provider:
    id: str
    name: str
    services: tuple[str, ...]
    teams: int | None
    kinds: dict[str, CleaningKind]
    subsidy_cents: dict[str, dict[str, int]]
    needs: tuple[str, ...]
    departments: dict[str, dict]
    active: bool

    @classmethod
    def from_row(cls, row) -> Provider:
        kinds = {code: CleaningKind(code, k.get("name", code), int(k.get("hours") or 0),
                                    int(k.get("units") or 1), int(k.get("price_cents") or 0))
                 for code, k in json.loads(row["kinds"]).items()}
        return cls(row["id"], row["name"], tuple(json.loads(row["services"])), row["teams"],
                   kinds, json.loads(row["subsidy_cents"]), tuple(json.loads(row["needs"])),
                   json.loads(row["departments"]), bool(row["active"]))

    def subsidy_for(self, level: str, kind: str) -> int:
        """The elder's subsidy for a kind of cleaning, never more than its price."""
        price = self.kinds[kind].price_cents if kind in self.kinds else 0
        return min(price, int(self.subsidy_cents.get(level, {}).get(kind, 0)))


# --- the catalogue as pulled (or seeded by the demo) ---------------------------------------
def provider_row(data: dict, stamp: str) -> dict:
    return {"id": data["id"], "name": data.get("name") or data["id"],
            "services": json.dumps(list(data.get("services") or []), ensure_ascii=False),
            "teams": data.get("teams"),
            "kinds": json.dumps(data.get("kinds") or {}, ensure_ascii=False),
            "subsidy_cents": json.dumps(data.get("subsidy_cents") or {}, ensure_ascii=False),
            "needs": json.dumps(list(data.get("needs") or []), ensure_ascii=False),
            "departments": json.dumps(data.get("departments") or {}, ensure_ascii=False),
            "active": int(bool(data.get("active", True))), "updated_at": stamp}


def get_provider(store: Store, provider_id: str) -> Provider | None:
    row = store.query_one("SELECT * FROM providers WHERE id = ?", (provider_id,))
    return Provider.from_row(row) if row else None


def provider_of(store: Store, service: str) -> Provider | None:
    """The community's active provider of a service (the first by id, as the platform does)."""
    for row in store.query("SELECT * FROM providers WHERE active = 1 ORDER BY id"):
        provider = Provider.from_row(row)
        if service in provider.services:
            return provider
    return None
