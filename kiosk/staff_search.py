"""Finding an elder for staff: by name, pinyin initials ("wxy" → 王秀英), card or phone's last 4.

One query per keystroke, reading the index `elders_search` (kept in the order results are
shown, holding every column a search looks at) until it has the rows to show, then only those
rows (five digits or more: the card number's own index); an Elder is built for each of them
alone. The initials are the `initials` column, written with each elder (kiosk.name_initials):
nothing is computed here. At 20,000 elders a keystroke takes a few milliseconds on the GUI
thread, a search that finds nobody the longest.
"""
from __future__ import annotations

from kiosk.elders import Elder
from kiosk.store import Store

LIMIT = 60
ORDER = "ORDER BY active DESC, name, id LIMIT ?"  # active ones first; inactive to reactivate


def search(store: Store, query: str, limit: int = LIMIT) -> list[Elder]:
    """Matching elders, active ones first, then by name; inactive ones too (to reactivate)."""
    q = query.strip().lower()
    where, params = _condition(q)
    if not where:
        return []
    # Five digits or more are most of a card number: its own index finds the few at once.
    source = "elders" if q.isdigit() and len(q) >= 5 else "elders INDEXED BY elders_search"
    rows = store.query(f"SELECT * FROM {source} WHERE {where} {ORDER}", (*params, limit))
    return [Elder.from_row(row) for row in rows]


def _condition(q: str) -> tuple[str, tuple]:
    """The WHERE clause for what was typed, and its parameters."""
    if not q:
        return "", ()
    if q.isdigit():  # a card's first digits, or the phone's last four
        if len(q) == 4:
            return "(card_no GLOB ? OR substr(phone, -4) = ?)", (q + "*", q)
        return "card_no GLOB ?", (q + "*",)
    if q.isascii() and q.isalpha():  # initials of any of the name's spellings
        return "(initials GLOB ? OR initials GLOB ?)", (q + "*", "* " + q + "*")
    return "instr(lower(name), ?) > 0", (q,)
