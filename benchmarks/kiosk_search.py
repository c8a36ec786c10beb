"""Finding an elder among 20,000 on a store with 500,000 past bookings.

- name_search_p95_ms: staff search (kiosk.staff_search.search, as the staff home screen calls
  it on each keystroke, on the GUI thread) for what staff type, keystroke by keystroke: pinyin
  initials (w, wx, wxy), characters (王, 王秀), a card's first digits and a phone's last four.
  The queries come from elders of the register, so some find thousands, some one. Reference:
  a plain SQL LIKE over the names for the same keystrokes (the cheapest full answer).
- card_lookup_p95_ms: a card held to the scanner, found (kiosk.elders.find_by_card, the
  sign-in's lookup) for elders drawn at random; reference: the bare SELECT by card number.
"""
from __future__ import annotations

import random
import time

from benchmarks import kiosk_data
from benchmarks.harness import Figure, percentile_figure, scratch
from benchmarks.names import people


def run(rounds: int, smoke: bool) -> dict[str, Figure]:
    from kiosk.elders import find_by_card
    from kiosk.name_initials import spellings
    from kiosk.staff_search import search
    from kiosk.store import Store

    data = kiosk_data.store_copy(scratch("bench-search-"), smoke)
    store = Store(data / kiosk_data.DB_NAME)
    elders = kiosk_data.sizes(smoke)[0]
    sought = list(people(elders))
    rng = random.Random(7)
    search_values, search_refs, card_values, card_refs = [], [], [], []
    for _ in range(rounds):
        typed = _keystrokes(rng.sample(sought, 20 if smoke else 100), spellings)
        search_values.append(_timed(typed, lambda q: search(store, q)))
        search_refs.append(_timed(typed, lambda q: store.query(
            "SELECT * FROM elders WHERE name LIKE ? LIMIT 60", (f"%{q}%",))))
        cards = [kiosk_data.card(rng.randrange(elders)) for _ in range(200 if smoke else 2000)]
        card_values.append(_timed(cards, lambda c: find_by_card(store, c)))
        card_refs.append(_timed(cards, lambda c: store.query_one(
            "SELECT * FROM elders WHERE card_no = ?", (c,))))
    store.close()
    return {
        "name_search_p95_ms": percentile_figure(
            search_values, search_refs, "ms", "≤ 20",
            "staff search per keystroke: initials, characters, card prefix, phone last 4; "
            "plain SQL LIKE over names as reference"),
        "card_lookup_p95_ms": percentile_figure(
            card_values, card_refs, "ms", "≤ 2",
            "find_by_card for random elders; bare SELECT by card number as reference"),
    }


def _keystrokes(chosen, spellings) -> list[str]:
    """Each prefix of what staff would type to find these elders, in four ways."""
    typed: list[str] = []
    for n, person in enumerate(chosen):
        whole = (spellings(person.name)[0], person.name[:2], person.card,
                 person.phone[-4:])[n % 4]
        typed.extend(whole[:end] for end in range(1, len(whole) + 1))
    return typed


def _timed(inputs: list[str], action) -> list[float]:
    times = []
    for value in inputs:
        started = time.perf_counter()
        action(value)
        times.append((time.perf_counter() - started) * 1000)
    return times
