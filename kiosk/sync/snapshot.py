"""The community's current state from the platform (protocol §5.2), for a kiosk joining or one
whose cursor fell below the feed's horizon: the feed cursor it holds, then its parts, each
checked as it comes, in the order they are applied.

A platform streams it a part a line (`application/x-ndjson`), ending with a line that counts
the parts, so the kiosk applies one while the platform makes the next; an older platform
sends it in one answer, its kinds then taken one at a time in the same order."""
from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass

from kiosk.sync import errors
from kiosk.sync.client import PlatformClient
from kiosk.sync.columns import Columns

# The order kinds are applied in (§5.2): a booking never before its elder or its slot; the
# other kinds after these, in any order.
APPLY_FIRST = ("service", "subsidy_level", "elder", "provider", "meal_slot", "service_slot",
               "booking")


@dataclass(frozen=True)
class Part:
    """Entities of one kind: rows of values by `columns`, and the ids of those removed."""
    kind: str
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


class Snapshot:
    """The cursor and horizon it holds, and its parts to be taken one at a time (`parts()`),
    each read from the platform's answer as it is asked for."""

    def __init__(self, head: dict, objects: Iterator[dict], whole: bool) -> None:
        cursor, horizon = head.get("cursor"), head.get("horizon")
        if not _count(cursor) or not _count(horizon):
            raise errors.PlatformAnswerInvalid("snapshot: not a snapshot")
        self.cursor: int = cursor
        self.horizon: int = horizon
        self.count = 0  # entities taken so far
        self._objects = objects
        self._whole = head if whole else None

    def parts(self) -> Iterator[Part]:
        """In the order they are applied; raises PlatformUnreachable when the answer ends
        before its last part (cut short on the way)."""
        if self._whole is not None:
            yield from self._counted(_parts_of_whole(self._whole))
            return
        taken, rank = 0, 0
        for line in self._objects:
            if "end" in line:
                end = line["end"]
                if not isinstance(end, dict) or end.get("parts") != taken:
                    raise errors.PlatformAnswerInvalid("snapshot: parts missing")
                return
            part = _part(line.get("kind"), line)
            if _rank(part.kind) < rank:
                raise errors.PlatformAnswerInvalid(f"snapshot: {part.kind} out of order")
            rank, taken = _rank(part.kind), taken + 1
            yield from self._counted([part])
        raise errors.PlatformUnreachable("snapshot: answer cut short")

    def _counted(self, parts) -> Iterator[Part]:
        for part in parts:
            self.count += len(part.rows) + len(part.deleted)
            yield part


@contextlib.contextmanager
def fetch(client: PlatformClient) -> Iterator[Snapshot | None]:
    """The platform's snapshot as it begins to arrive, or None from a platform without one
    (it answers 404); its answer let go of at the end."""
    objects = client.snapshot()
    if objects is None:
        yield None
        return
    try:
        head = next(objects, None)
        if not isinstance(head, dict):
            raise errors.PlatformUnreachable("snapshot: answer cut short")
        whole = "kinds" in head  # an older platform's answer, all of it in one object
        if whole and not isinstance(head["kinds"], dict):
            raise errors.PlatformAnswerInvalid("snapshot: not a snapshot")
        taken = Snapshot(head, objects, whole)
        yield taken
    finally:
        close = getattr(objects, "close", None)
        if close is not None:
            close()


def _parts_of_whole(answer: dict) -> list[Part]:
    """Every kind of a snapshot sent in one answer, checked, in the order they are applied."""
    parts = [_part(kind, entry) for kind, entry in answer["kinds"].items()]
    return sorted(parts, key=lambda part: _rank(part.kind))


def _part(kind: object, entry: object) -> Part:
    if not isinstance(kind, str) or not isinstance(entry, dict):
        raise errors.PlatformAnswerInvalid("snapshot: a kind is malformed")
    columns, rows, deleted = entry.get("columns"), entry.get("rows"), entry.get("deleted", [])
    if not isinstance(columns, list) or not all(isinstance(c, str) for c in columns) \
            or len(set(columns)) != len(columns) or not isinstance(rows, list) \
            or not isinstance(deleted, list) or not all(isinstance(i, str) for i in deleted):
        raise errors.PlatformAnswerInvalid("snapshot: a kind is malformed")
    if rows and (set(map(type, rows)) != {list} or set(map(len, rows)) != {len(columns)}):
        raise errors.PlatformAnswerInvalid(f"snapshot: a row of {kind} is malformed")
    return Part(kind, columns, rows, deleted)


def _rank(kind: str) -> int:
    return APPLY_FIRST.index(kind) if kind in APPLY_FIRST else len(APPLY_FIRST)


def _count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0
