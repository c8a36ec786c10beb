"""Lookups remembered for the rest of one write transaction: a pushed batch's slots, elders…

A batch of 500 bookings of one community asks for the same few slots, elders and providers
again and again, and recounts a slot's confirmed places for each booking. Inside
`remembering(conn)` those lookups are made once; whoever changes what a lookup read in the
same transaction forgets it (`forget`) or keeps it up to date (`adjust`), and a savepoint
rolled back forgets everything. Outside `remembering`, every lookup goes to the database.

Only rows the transaction itself holds stay valid this way: slots are locked until commit
(`FOR UPDATE`, or SQLite's write lock on the whole database), and what depends on them —
confirmed places, leases — changes only under that lock.
"""
from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

from sqlalchemy import Connection

T = TypeVar("T")

# The connection remembering, and what it remembers: in the context of the request's thread
# (a pushed batch asks a dozen times an operation; `conn.info` costs a microsecond each time).
_CURRENT: ContextVar[tuple[Connection, dict] | None] = ContextVar("platform_memo", default=None)


@contextmanager
def remembering(conn: Connection) -> Iterator[None]:
    token = _CURRENT.set((conn, {}))
    try:
        yield
    finally:
        _CURRENT.reset(token)  # the DBAPI connection goes back to the pool: nothing stays


def _memo(conn: Connection) -> dict | None:
    current = _CURRENT.get()
    return current[1] if current is not None and current[0] is conn else None


def recall(conn: Connection, key: Hashable, load: Callable[[], T]) -> T:
    """`load()`'s answer, remembered under `key` for the rest of the transaction."""
    current = _CURRENT.get()  # `_memo`, written out: a pushed batch asks a dozen times an op
    if current is None or current[0] is not conn:
        return load()
    memo = current[1]
    value = memo.get(key, _MISSING)
    if value is _MISSING:
        value = memo[key] = load()
    return value


_MISSING = object()


def remember(conn: Connection, found: dict[Hashable, object]) -> None:
    """What a lookup of many found, each under its key as `recall` would have remembered it;
    a key remembered before keeps its value (the transaction may have changed it since)."""
    memo = _memo(conn)
    if memo is not None:
        for key, value in found.items():
            memo.setdefault(key, value)


def adjust(conn: Connection, key: Hashable, change: Callable[[T], T]) -> None:
    """Update a remembered value after the transaction changed what it counts."""
    memo = _memo(conn)
    if memo is not None and key in memo:
        memo[key] = change(memo[key])


def forget(conn: Connection, *keys: Hashable) -> None:
    memo = _memo(conn)
    if memo is not None:
        for key in keys:
            memo.pop(key, None)


def forget_all(conn: Connection) -> None:
    memo = _memo(conn)
    if memo is not None:
        memo.clear()
