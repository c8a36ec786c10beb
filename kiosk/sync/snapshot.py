"""The community's current state from the platform (protocol §5.2), for a kiosk joining or one
whose cursor fell below the feed's horizon: checked, each kind kept as its columns and rows,
with the feed cursor the state holds."""
from __future__ import annotations

from dataclasses import dataclass

from kiosk.sync import errors
from kiosk.sync.client import PlatformClient
from kiosk.sync.columns import Columns


@dataclass(frozen=True)
class Kind:
    """One kind's entities: rows of values by `columns`, and the ids of those removed."""
    columns: list[str]
    rows: list[list]
    deleted: list[str]

    def upserts(self) -> Columns:
        return Columns(self.columns, self.rows)

    def changes(self) -> list[dict]:
        """As the changes a pull applies (one per entity): upserts, then removals."""
        return [{"op": "upsert", "data": dict(zip(self.columns, row, strict=True))}
                for row in self.rows] \
            + [{"op": "delete", "id": entity_id, "data": None} for entity_id in self.deleted]


@dataclass(frozen=True)
class Snapshot:
    cursor: int
    horizon: int
    kinds: dict[str, Kind]
    count: int  # entities in it


def fetch(client: PlatformClient) -> Snapshot | None:
    """The platform's snapshot, or None from a platform without one (it answers 404)."""
    answer = client.snapshot()
    return None if answer is None else read(answer)


def read(answer: dict) -> Snapshot:
    cursor, horizon, kinds = answer.get("cursor"), answer.get("horizon"), answer.get("kinds")
    if not _count(cursor) or not _count(horizon) or not isinstance(kinds, dict):
        raise errors.PlatformAnswerInvalid("snapshot: not a snapshot")
    read_kinds, count = {}, 0
    for kind, entry in kinds.items():
        columns, rows, deleted = _parts(entry)
        width = len(columns)
        if any(not isinstance(row, list) or len(row) != width for row in rows):
            raise errors.PlatformAnswerInvalid(f"snapshot: a row of {kind} is malformed")
        read_kinds[kind] = Kind(columns, rows, deleted)
        count += len(rows) + len(deleted)
    return Snapshot(cursor, horizon, read_kinds, count)


def _parts(entry: object) -> tuple[list[str], list, list[str]]:
    if not isinstance(entry, dict):
        raise errors.PlatformAnswerInvalid("snapshot: a kind is malformed")
    columns, rows, deleted = entry.get("columns"), entry.get("rows"), entry.get("deleted", [])
    if not isinstance(columns, list) or not all(isinstance(c, str) for c in columns) \
            or len(set(columns)) != len(columns) or not isinstance(rows, list) \
            or not isinstance(deleted, list) or not all(isinstance(i, str) for i in deleted):
        raise errors.PlatformAnswerInvalid("snapshot: a kind is malformed")
    return columns, rows, deleted


def _count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0
