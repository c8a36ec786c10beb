"""Pinyin typed into Chinese: what staff type on the keyboard becomes characters and words they
pick from candidates, most used first (pinyinIME's dictionary: Rime's luna_pinyin readings
with its essay frequencies). Loaded the first time staff type pinyin, never at start-up."""
from __future__ import annotations

import gc
import logging
import time
from dataclasses import dataclass, field

log = logging.getLogger(__name__)

WORDS_PER_LENGTH = 20  # words of each number of syllables, most used first
CHARACTERS = 80  # single characters for the first syllable: names need the rare ones too
MAX_LETTERS = 30  # a long phrase; nobody types more pinyin without picking


@dataclass(frozen=True)
class Candidate:
    text: str  # the characters it puts in the field
    rest: str  # the pinyin letters still to pick for after it


def is_han(text: str) -> bool:
    """Chinese characters only (the dictionary also holds π, emoji and the like)."""
    return bool(text) and all("\u3400" <= ch <= "\u9fff" or "\U00020000" <= ch <= "\U0003134f"
                              for ch in text)


class PinyinDictionary:
    """Candidates for typed pinyin. Building it takes a second or two and some 220 MB (the
    whole dictionary is Python objects): `shared()` builds it once, on first use."""

    _shared: PinyinDictionary | None = None

    def __init__(self) -> None:
        from pinyinIME.engine import PinyinEngine

        class Engine(PinyinEngine):
            def _merge_builtin_custom_phrase(self, normalized_dir) -> None:
                """Not its author's own phrases (π, 一丹中心 …), each weighted over any word
                (and read from a file it leaves open)."""

        collecting = gc.isenabled()
        gc.disable()  # some two million new objects: the collector would run on them for nothing
        try:
            self.engine = Engine(load_emoji=False)  # no emoji either
        finally:
            # Frozen, later full collections need not walk them (each would take most of a
            # second): they live as long as the kiosk does.
            gc.freeze()
            if collecting:
                gc.enable()

    @classmethod
    def shared(cls) -> PinyinDictionary:
        if cls._shared is None:
            started = time.perf_counter()
            cls._shared = cls()
            log.info("pinyin dictionary loaded in %.1f s", time.perf_counter() - started)
        return cls._shared

    @classmethod
    def loaded(cls) -> bool:
        return cls._shared is not None

    def candidates(self, letters: str) -> list[Candidate]:
        """Words for all the letters first, then for fewer and fewer syllables from the start,
        then single characters for the first one; each says what is left to pick after it."""
        letters = letters.lower()
        syllables = self.engine.segment(letters)
        ends = syllable_ends(letters, syllables)
        found: list[Candidate] = []
        seen: set[str] = set()
        for count in range(len(syllables), 0, -1):
            spelled = letters if count == len(syllables) else "'".join(syllables[:count])
            limit = CHARACTERS if count == 1 else WORDS_PER_LENGTH
            for word in self._lookup(spelled, limit):
                if len(word) == count and is_han(word) and word not in seen:
                    seen.add(word)
                    found.append(Candidate(word, letters[ends[count - 1]:]))
        return found

    def _lookup(self, spelled: str, limit: int) -> list[str]:
        try:
            return [word for word, _reading, _score in self.engine.lookup(spelled, limit)]
        except TimeoutError:  # its search gives up after 0.5 s: nothing for this length
            log.warning("pinyin lookup gave up on %d syllables", spelled.count("'") + 1)
            return []


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

    def settle(self, dictionary: PinyinDictionary) -> str:
        """All that is typed, each part as its first candidate (before a digit, a comma, or
        leaving the field); letters no candidate takes stay as letters."""
        text = ""
        while self.letters:
            found = self.candidates(dictionary)
            if not found:
                text, self.letters = text + self.letters, ""
                break
            text += self.pick(found[0])
        return text
