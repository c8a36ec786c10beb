"""Entities' fields as one sequence of values per field: how the snapshot sends the two kinds
that make up nearly all of a community (protocol §5.2), and how their table rows are built,
a column at a time, whether they came from the snapshot or from the feed's changes."""
from __future__ import annotations

from collections.abc import Sequence


class Columns:
    """From a column list and rows of values (each as wide as the list)."""

    def __init__(self, names: list[str], rows: list[list]) -> None:
        self._by_name = dict(zip(names, zip(*rows, strict=True), strict=True)) if rows else {}
        self.count = len(rows)

    def __getitem__(self, name: str) -> Sequence:
        """A field every entity has: KeyError when it is not sent, or null for one."""
        values = self.get(name)
        if None in values:
            raise KeyError(name)
        return values

    def get(self, name: str, default: object = None) -> Sequence:
        """A field that may be absent: `default` where it is."""
        found = self._by_name.get(name)
        return (default,) * self.count if found is None else found


class ObjectColumns(Columns):
    """From one object per entity."""

    def __init__(self, objects: list[dict]) -> None:
        self._objects = objects
        self.count = len(objects)

    def get(self, name: str, default: object = None) -> Sequence:
        return [data.get(name, default) for data in self._objects]
