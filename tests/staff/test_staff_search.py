"""Staff search from the store: initials written with each elder (registered here, pulled from
the platform, or already in an older store), and card, phone and name answered by one query."""
from __future__ import annotations

import sqlite3
import subprocess
import sys

import pytest

from kiosk import elder_registry, name_initials, staff
from kiosk.elder_registry import ElderForm
from kiosk.migrations import MIGRATIONS
from kiosk.staff_search import search
from kiosk.store import Store
from kiosk.sync.pull import apply_page


@pytest.fixture
def desk(core):
    staff.seed_demo_staff(core.store, core.clock)
    return core


def register(desk, name: str, card: str, phone: str = "13800000000") -> str:
    form = ElderForm(name=name, card_no=card, phone=phone, address="幸福里 3号楼",
                     subsidy_level="basic")
    return elder_registry.save(desk.store, desk.clock, form, "staff-zhang").id


def pulled(elder_id: str, name: str, card: str, phone: str, seq: int = 1) -> dict:
    return {"seq": seq, "kind": "elder", "op": "upsert", "id": elder_id,
            "data": {"id": elder_id, "card_no": card, "name": name, "phone": phone,
                     "address": "", "subsidy_level": "basic", "dietary": [], "active": True}}


def initials_of(store: Store, elder_id: str) -> str:
    return store.query_one("SELECT initials FROM elders WHERE id = ?", (elder_id,))["initials"]


def test_spellings_of_a_name_with_heteronyms_and_latin_letters():
    assert name_initials.spellings("王秀英")[0] == "wxy"  # the most common reading first
    assert name_initials.spellings("孙德明") == ["sdm"]
    assert set(name_initials.spellings("曾桂兰")) == {"zgl", "cgl"}
    assert name_initials.column("欧阳 Anna") == "oya"
    assert name_initials.column("  ") == ""


def test_initials_are_written_when_staff_register_and_rename_an_elder(desk):
    elder_id = register(desk, "赵桂兰", "10000051")
    assert initials_of(desk.store, elder_id) == "zgl"
    form = elder_registry.load(desk.store, elder_id)
    form.name = "钱桂兰"
    elder_registry.save(desk.store, desk.clock, form, "staff-zhang")
    assert initials_of(desk.store, elder_id) == "qgl"
    assert [e.id for e in search(desk.store, "qgl")] == [elder_id]
    assert search(desk.store, "zgl") == []


def test_initials_are_written_for_elders_pulled_from_the_platform(store, clock):
    apply_page(store, clock, [pulled("elder-p1", "曾秀英", "30000001", "13911112222"),
                              pulled("elder-p2", "孙德明", "30000002", "13933334444", seq=2)], 2)
    assert set(initials_of(store, "elder-p1").split()) == {"cxy", "zxy"}
    assert [e.name for e in search(store, "zx")] == ["曾秀英"]  # either reading finds her
    assert [e.name for e in search(store, "cx")] == ["曾秀英"]
    assert [e.name for e in search(store, "sdm")] == ["孙德明"]


@pytest.mark.parametrize(("query", "expected"), [
    ("wxy", {"王秀英", "吴晓燕"}), ("WXY", {"王秀英", "吴晓燕"}), ("wxyi", set()),
    ("秀", {"王秀英", "吴秀兰"}), ("王秀英", {"王秀英"}),
    ("4000000", {"王秀英", "吴晓燕", "吴秀兰"}), ("40000002", {"吴晓燕"}),
    ("5678", {"吴秀兰"}), ("567", set()),
])
def test_search_by_initials_characters_card_prefix_and_phone_last_four(store, clock, query,
                                                                         expected):
    apply_page(store, clock, [pulled("e1", "王秀英", "40000001", "13811111234"),
                              pulled("e2", "吴晓燕", "40000002", "13822221234", seq=2),
                              pulled("e3", "吴秀兰", "40000003", "13833335678", seq=3)], 3)
    assert {e.name for e in search(store, query)} == expected


def test_a_broad_search_builds_only_the_rows_asked_for_active_ones_first(store, clock):
    changes = [pulled(f"e{n:03}", "王" + "秀英建国"[n % 4], f"{50000000 + n}", "13800000000",
                      seq=n + 1) for n in range(100)]
    changes[-1]["data"]["active"] = False
    changes[-1]["data"]["name"] = "王一"
    apply_page(store, clock, changes, 100)
    found = search(store, "w", limit=12)
    assert len(found) == 12 and all(e.active for e in found)
    assert [e.name for e in found] == sorted(e.name for e in found)
    assert len(search(store, "w")) == 60
    assert not search(store, "wy")[-1].active  # the inactive one still found, last


def test_an_older_store_gets_the_initials_of_its_elders_when_opened(tmp_path):
    before = next(n for n, sql in enumerate(MIGRATIONS) if "initials" in sql)
    path = tmp_path / "older.sqlite"
    conn = sqlite3.connect(path)
    for script in MIGRATIONS[:before]:
        conn.executescript(script)
    conn.execute(f"PRAGMA user_version = {before}")
    conn.executemany("INSERT INTO elders (id, card_no, name, phone, updated_at) "
                     "VALUES (?, ?, ?, ?, 'x')",
                     [("o1", "60000001", "李建国", "13800001111"),
                      ("o2", "60000002", "单玉梅", "13800002222")])
    conn.commit()
    conn.close()
    store = Store(path)
    try:
        assert store.schema_version == len(MIGRATIONS)
        assert initials_of(store, "o1") == "ljg"
        assert {"sym", "dym"} <= set(initials_of(store, "o2").split())
        assert {e.name for e in search(store, "ljg")} == {"李建国"}
        assert {e.name for e in search(store, "sym")} == {"单玉梅"}  # 单 as a surname: shan
        assert {e.name for e in search(store, "dym")} == {"单玉梅"}
        assert {e.name for e in search(store, "2222")} == {"单玉梅"}
    finally:
        store.close()


def test_searching_and_writing_initials_never_load_pypinyin(tmp_path):
    script = f"""
import sys
from kiosk import name_initials
from kiosk.staff_search import search
from kiosk.store import Store
store = Store({str(tmp_path / 'k.sqlite')!r})
assert name_initials.column("孙德明") == "sdm"
search(store, "wxy")
assert not [m for m in sys.modules if m.startswith("pypinyin")], "pypinyin was imported"
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
