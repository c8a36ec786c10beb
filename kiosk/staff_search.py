"""Finding an elder for staff: by name, pinyin initials ("wxy" → 王秀英), card or phone's last 4."""
from __future__ import annotations

import itertools
from functools import lru_cache

from kiosk.elders import Elder
from kiosk.store import Store

MAX_VARIANTS = 16  # heteronyms (曾 z/c, 单 s/d …) multiply; a name has few that matter


@lru_cache(maxsize=4096)
def initials(name: str) -> frozenset[str]:
    """Every pinyin-initials spelling of a name: 王秀英 → {"wxy"}; 曾 gives z and c."""
    from pypinyin import Style, pinyin  # loaded on the first search, not at start-up

    letters = [sorted({(s[:1] or "").lower() for s in syllable if s[:1].isascii()}) or [""]
               for syllable in pinyin(name, style=Style.FIRST_LETTER, heteronym=True)]
    spellings = itertools.islice(itertools.product(*letters), MAX_VARIANTS)
    return frozenset("".join(parts) for parts in spellings)


def matches(elder: Elder, query: str) -> bool:
    q = query.strip().lower()
    if not q:
        return False
    if q.isdigit():
        phone = "".join(ch for ch in elder.phone if ch.isdigit())
        return elder.card_no.startswith(q) or (len(q) == 4 and phone.endswith(q))
    if q.isascii() and q.isalpha():
        return any(spelling.startswith(q) for spelling in initials(elder.name))
    return q in elder.name.lower()


def search(store: Store, query: str, limit: int = 60) -> list[Elder]:
    """Matching elders, active ones first, then by name; inactive ones too (to reactivate)."""
    if not query.strip():
        return []
    rows = store.query("SELECT * FROM elders ORDER BY active DESC, name, id")
    found = [e for e in map(Elder.from_row, rows) if matches(e, query)]
    return found[:limit]
