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
from typing import TypeVar

from sqlalchemy import Connection

T = TypeVar("T")

_KEY = "platform_memo"


@contextmanager
def remembering(conn: Connection) -> Iterator[None]:
    conn.info[_KEY] = {}
    try:
        yield
    finally:
        conn.info.pop(_KEY, None)  # the DBAPI connection goes back to the pool: nothing stays


def recall(conn: Connection, key: Hashable, load: Callable[[], T]) -> T:
    """`load()`'s answer, remembered under `key` for the rest of the transaction."""
    memo: dict | None = conn.info.get(_KEY)
    if memo is None:
        return load()
    if key not in memo:
        memo[key] = load()
    return memo[key]


def adjust(conn: Connection, key: Hashable, change: Callable[[T], T]) -> None:
    """Update a remembered value after the transaction changed what it counts."""
    memo: dict | None = conn.info.get(_KEY)
    if memo is not None and key in memo:
        memo[key] = change(memo[key])


def forget(conn: Connection, *keys: Hashable) -> None:
    memo: dict | None = conn.info.get(_KEY)
    if memo is not None:
        for key in keys:
            memo.pop(key, None)


def forget_all(conn: Connection) -> None:
    memo: dict | None = conn.info.get(_KEY)
    if memo is not None:
        memo.clear()
