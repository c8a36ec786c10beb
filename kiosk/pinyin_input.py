"""Pinyin typed into Chinese: what staff type on the keyboard becomes characters and words they
pick from candidates, most used first (pinyinIME's dictionary: Rime's luna_pinyin readings
with its essay frequencies), looked up in the SQLite index kiosk.pinyin_index builds from it.
pinyinIME itself is never loaded here."""
from __future__ import annotations

import math
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from kiosk import pinyin_index

WORDS_PER_LENGTH = pinyin_index.KEEP_WORDS  # words of each number of syllables, most used first
CHARACTERS = pinyin_index.KEEP_CHARACTERS  # single characters for the first syllable: names
MAX_LETTERS = 30  # a long phrase; nobody types more pinyin without picking
INITIALS = frozenset("bpmfdtnlgkhjqxzcsryw")  # a letter that stands for any syllable after it
ABBREVIATED = math.log(0.1)  # pinyinIME's weight for a syllable typed as its initial only
LONGEST_SYLLABLE = 6
INITIALS_RANKED = 2  # initials typed alone, up to this many, are ranked at build time


@dataclass(frozen=True)
class Candidate:
    text: str  # the characters it puts in the field
    rest: str  # the pinyin letters still to pick for after it


def is_han(text: str) -> bool:
    """Chinese characters only (the dictionary also holds π, emoji and the like)."""
    return bool(text) and all("\u3400" <= ch <= "\u9fff" or "\U00020000" <= ch <= "\U0003134f"
                              for ch in text)


class PinyinDictionary:
    """Candidates for typed pinyin, read from the index file: a lookup reads a few pages of
    it, and nothing is held but its 431 syllables and SQLite's small page cache."""

    _shared: PinyinDictionary | None = None

    def __init__(self, path: Path) -> None:
        self.path = path
        self._db: sqlite3.Connection | None = None
        self._syllables: frozenset[str] = frozenset()

    @classmethod
    def shared(cls) -> PinyinDictionary | None:
        """The process's dictionary once its index exists (None until it is built)."""
        if cls._shared is None:
            found = pinyin_index.find()
            cls._shared = cls(found) if found else None
        return cls._shared

    @property
    def db(self) -> sqlite3.Connection:
        if self._db is None:  # opened at the first lookup, never at start-up
            self._db = pinyin_index.connect(self.path)
            rows = self._db.execute("SELECT syllable FROM syllables")
            self._syllables = frozenset(syllable for (syllable,) in rows)
        return self._db

    @property
    def syllables(self) -> frozenset[str]:
        """Every syllable pinyinIME knows (431), read when the file is opened."""
        if self._db is None:
            _ = self.db
        return self._syllables

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    def segment(self, letters: str) -> list[str]:
        """Syllables, longest first from the left (pinyinIME's own way); a letter no syllable
        takes stands for any syllable with that initial, or is skipped."""
        syllables, at, known = [], 0, self.syllables
        while at < len(letters):
            end = next((end for end in range(min(len(letters), at + LONGEST_SYLLABLE), at, -1)
                        if letters[at:end] in known), None)
            if end is not None:
                syllables.append(letters[at:end])
            elif letters[at] in INITIALS:
                syllables.append(letters[at])
            at = end or at + 1
        return syllables

    def candidates(self, letters: str) -> list[Candidate]:
        """Words for all the letters first, then for fewer and fewer syllables from the start,
        then single characters for the first one; each says what is left to pick after it."""
        letters = letters.lower()
        syllables = self.segment(letters)
        ends = syllable_ends(letters, syllables)
        found: list[Candidate] = []
        seen: set[str] = set()
        for count in range(len(syllables), 0, -1):
            for word in self.lookup(syllables[:count], limit_for(count)):
                if len(word) == count and is_han(word) and word not in seen:
                    seen.add(word)
                    found.append(Candidate(word, letters[ends[count - 1]:]))
        return found

    def lookup(self, typed: list[str], limit: int) -> list[str]:
        """The `limit` words best for these syllables; for one or two initials alone (every
        first letter typed, zh, sh …: thousands of readings) as ranked when it was built."""
        if len(typed) <= INITIALS_RANKED and limit == limit_for(len(typed)) \
                and all(s in INITIALS for s in typed):
            rows = self.db.execute("SELECT word FROM initials_only WHERE typed = ?"
                                   " ORDER BY position", (" ".join(typed),))
            return [word for (word,) in rows]
        return self.rank(typed, limit)

    def rank(self, typed: list[str], limit: int) -> list[str]:
        """As pinyinIME ranks them: of each reading the typed syllables match (a whole one, or
        any with an initial typed alone), its `limit` most used words, by frequency less a
        tenth for each syllable given by its initial; a word read twice counts where it scores
        best, in the order first seen."""
        exact = [s in self.syllables for s in typed]  # n: the syllable n, or any n…
        stars = [i for i, s in enumerate(typed) if s in INITIALS]
        read_as_n = " + ".join(["0"] + ["(spelling GLOB ?)"] * sum(exact[i] for i in stars))
        rows = self.db.execute(
            f"SELECT word, score, {read_as_n} FROM words"  # only placeholders go in
            " WHERE initials = ? AND spelling GLOB ? AND rank < ? ORDER BY spelling, rank",
            [*(_pattern(typed, stars, given=i) for i in stars if exact[i]),
             "".join(s[0] for s in typed), _pattern(typed, stars), limit])
        best: dict[str, int] = {}
        for word, score, whole in rows:  # in pinyinIME's order of readings: ties stay so
            weight = round((math.log(max(score, 1)) + (len(stars) - whole) * ABBREVIATED)
                           * 1_000_000)
            if word not in best or best[word] < weight:
                best[word] = weight
        return sorted(best, key=lambda word: -best[word])[:limit]


def limit_for(count: int) -> int:
    """How many words a lookup of this many syllables takes."""
    return CHARACTERS if count == 1 else WORDS_PER_LENGTH


def _pattern(typed: list[str], stars: list[int], given: int | None = None) -> str:
    """A GLOB for readings of exactly these syllables ('wang * ying'): a space between each,
    so with their number fixed (by the initials) a * is one syllable, any of its initial."""
    return " ".join("*" if i in stars and i != given else s for i, s in enumerate(typed))


def syllable_ends(letters: str, syllables: list[str]) -> list[int]:
    """Where in the letters each syllable ends (the segmenter skips letters it cannot use)."""
    ends, at = [], 0
    for syllable in syllables:
        at = letters.index(syllable, at) + len(syllable)
        ends.append(at)
    return ends


@dataclass
class Composition:
    """The pinyin being typed into one field, before its characters are picked."""

    letters: str = ""
    _cache: dict[str, list[Candidate]] = field(default_factory=dict, repr=False)

    def type(self, letter: str) -> None:
        if len(self.letters) < MAX_LETTERS:
            self.letters += letter.lower()

    def backspace(self) -> None:
        self.letters = self.letters[:-1]

    def clear(self) -> None:
        self.letters = ""

    def candidates(self, dictionary: PinyinDictionary) -> list[Candidate]:
        if not self.letters:
            return []
        if self.letters not in self._cache:
            if len(self._cache) > 64:
                self._cache.clear()
            self._cache[self.letters] = dictionary.candidates(self.letters)
        return self._cache[self.letters]

    def pick(self, candidate: Candidate) -> str:
        """The characters to put in the field; the letters left stay to be picked next."""
        self.letters = candidate.rest
        return candidate.text

    def settle(self, dictionary: PinyinDictionary | None) -> str:
        """All that is typed, each part as its first candidate (before a digit, a comma, or
        leaving the field); letters no candidate takes stay as letters, and all of them while
        there is no dictionary yet."""
        if dictionary is None:
            text, self.letters = self.letters, ""
            return text
        text = ""
        while self.letters:
            found = self.candidates(dictionary)
            if not found:
                text, self.letters = text + self.letters, ""
                break
            text += self.pick(found[0])
        return text
