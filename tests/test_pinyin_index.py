"""The pinyin index file: built whole or not at all, one per pinyinIME version and build rule,
found where set-up or the kiosk built it, read-only; here from a small made-up dictionary."""
from __future__ import annotations

import sqlite3
import subprocess
import sys

import pytest

from kiosk import pinyin_index
from kiosk.pinyin_input import PinyinDictionary

SYLLABLES = ["n", "ni", "wang", "xiu", "ying"]
ROWS = [("w", "wang", 0, "王", 900), ("w", "wang", 1, "网", 900), ("xy", "xiu ying", 0, "秀英", 50),
        ("n", "ni", 0, "你", 5000), ("n", "n", 0, "嗯", 10)]


def source():
    return SYLLABLES, iter(ROWS)


@pytest.fixture
def places(tmp_path, monkeypatch):
    setup, cache = tmp_path / "setup", tmp_path / "cache"
    monkeypatch.setattr(pinyin_index, "locations", lambda: [setup, cache])
    monkeypatch.setattr(pinyin_index, "tag", lambda: "0.2.0-r1")
    return setup, cache


def test_built_whole_then_found_and_read(places):
    setup, _cache = places
    built = pinyin_index.build(setup, source)
    assert built == setup / "pinyin-0.2.0-r1.sqlite" == pinyin_index.find()
    assert [p.name for p in setup.iterdir()] == [built.name]  # nothing half-written beside it
    dictionary = PinyinDictionary(built)
    assert [c.text for c in dictionary.candidates("wangxiuying")] == ["王", "网"]
    assert dictionary.lookup(["n"], 80) == ["你", "嗯"]  # the syllable n first, ranked at build


def test_set_up_first_then_the_kiosk_cache(places):
    setup, cache = places
    assert pinyin_index.find() is None
    pinyin_index.build(cache, source)
    assert pinyin_index.find() == cache / "pinyin-0.2.0-r1.sqlite"
    pinyin_index.build(setup, source)
    assert pinyin_index.find() == setup / "pinyin-0.2.0-r1.sqlite"


def test_a_build_that_fails_midway_leaves_nothing_that_is_read(places):
    setup, _cache = places

    def broken():
        def rows():
            yield ROWS[0]
            raise OSError("disk full")
        return SYLLABLES, rows()

    with pytest.raises(OSError):
        pinyin_index.build(setup, broken)
    assert list(setup.iterdir()) == [] and pinyin_index.find() is None


def test_what_a_killed_build_left_is_never_read_and_goes_at_the_next(places):
    setup, _cache = places
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    setup.mkdir()
    left = setup / f".pinyin-0.2.0-r1.sqlite.{gone.stdout.strip()}.partial"
    left.write_bytes(b"SQLite format 3\0 and then nothing")
    assert pinyin_index.find() is None
    pinyin_index.build(setup, source)
    assert not left.exists()


def test_another_pinyinime_or_build_rule_is_another_file_built_anew(places, monkeypatch):
    setup, _cache = places
    old = pinyin_index.build(setup, source)
    monkeypatch.setattr(pinyin_index, "tag", lambda: "0.3.0-r1")
    assert pinyin_index.find() is None  # out of date: the kiosk builds the new one
    new = pinyin_index.build(setup, source)
    assert new.name == "pinyin-0.3.0-r1.sqlite" and not old.exists()


def test_the_kiosk_reads_it_and_cannot_write_it(places):
    dictionary = PinyinDictionary(pinyin_index.build(places[0], source))
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        dictionary.db.execute("DELETE FROM words")


def test_the_module_command_builds_once(places, monkeypatch, capsys):
    setup, _cache = places
    monkeypatch.setattr(pinyin_index, "read_source", source)
    assert pinyin_index.main(["--dir", str(setup)]) == 0
    assert "built" in capsys.readouterr().out
    assert pinyin_index.main(["--dir", str(setup)]) == 0
    assert "up to date" in capsys.readouterr().out


def test_its_name_follows_pinyinime_and_the_build_rule():
    assert pinyin_index.tag() == f"0.2.0-r{pinyin_index.BUILD_RULE}"  # pyproject pins 0.2.0
