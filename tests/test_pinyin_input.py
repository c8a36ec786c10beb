"""Pinyin to candidates without a window: the dictionary's order, what is left to pick, read
from the index file (the same candidates as pinyinIME's own lookup: benchmarks/pinyin_dictionary.py
--compare checks that over a thousand typings)."""
from __future__ import annotations

import pytest

from kiosk.pinyin_input import (
    Candidate,
    Composition,
    PinyinDictionary,
    is_han,
    limit_for,
    syllable_ends,
)


@pytest.fixture(scope="module")
def dictionary(pinyin_index_file) -> PinyinDictionary:
    return PinyinDictionary(pinyin_index_file)


def texts(found: list[Candidate]) -> list[str]:
    return [c.text for c in found]


def test_whole_words_first_then_fewer_syllables_then_characters(dictionary):
    found = dictionary.candidates("xiuying")
    assert found[0] == Candidate("秀英", "")
    assert Candidate("秀", "ying") in found
    assert all(len(c.text) == 1 for c in found[found.index(Candidate("秀", "ying")):])


def test_a_name_nobody_wrote_as_one_word_is_picked_a_part_at_a_time(dictionary):
    composition = Composition("wangxiuying")
    wang = next(c for c in composition.candidates(dictionary) if c.text == "王")
    assert composition.pick(wang) == "王" and composition.letters == "xiuying"
    assert composition.pick(composition.candidates(dictionary)[0]) == "秀英"
    assert composition.letters == ""


def test_single_characters_most_used_first_and_only_chinese(dictionary):
    assert texts(dictionary.candidates("wang"))[:2] == ["网", "王"]
    assert "π" not in texts(dictionary.candidates("pi"))
    assert len(dictionary.candidates("zhe")) >= 40  # rare ones for names, on later pages


def test_settling_takes_the_first_candidates_and_keeps_stray_letters(dictionary):
    assert Composition("xingfuli").settle(dictionary) == "幸福里"
    assert Composition("v").settle(dictionary) == "v"


def test_initials_and_a_syllable_still_being_typed(dictionary):
    assert "王小丫" in texts(dictionary.candidates("wxy"))
    assert "秀英" in texts(dictionary.candidates("xiuy"))


def test_where_syllables_end():
    assert syllable_ends("xiuying", ["xiu", "ying"]) == [3, 7]
    assert syllable_ends("ixiu", ["xiu"]) == [4]


def test_han_characters_only():
    assert is_han("王秀英") and is_han("𠀋") and not is_han("π") and not is_han("")


@pytest.mark.parametrize("typed", [*"bpmfdtnlgkhjqxzcsryw", "zh", "sh", "ch", "wx", "nh", "nn"])
def test_initials_alone_read_as_ranked_at_build_as_they_rank_now(dictionary, typed):
    """Ranked once at build time: a ranking changed since needs another BUILD_RULE."""
    count = len(typed)
    assert dictionary.lookup(list(typed), limit_for(count)) \
        == dictionary.rank(list(typed), limit_for(count))
