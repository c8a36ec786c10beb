"""The staff keyboard's pinyin dictionary as a small SQLite file, built once from pinyinIME's
data in a process of its own (at set-up, or by the kiosk when it finds none) and only read by
the kiosk, so pinyinIME and its 220 MB of Python objects never enter the kiosk process.

    .venv/bin/python -m kiosk.pinyin_index [--dir DIR] [--force]

Set-up builds it next to the virtual environment (`.venv/share/elder-kiosk/`, readable by the
kiosk's user); a kiosk that finds no up-to-date file there builds one in its cache folder
(`~/.cache/elder-kiosk/`). The file's name carries pinyinIME's version and the build rule, so
another of either is another file, built anew; it is written under a temporary name and renamed
when complete, so a build killed halfway leaves nothing that is read.
"""
from __future__ import annotations

import argparse
import contextlib
import functools
import gc
import importlib.metadata
import itertools
import os
import sqlite3
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Iterable, Iterator
from pathlib import Path

import platformdirs

from kiosk.config import APP_NAME

SOURCE = "pinyinIME"
# The rule the file is built by; a change here names another file, so kiosks build it anew.
# Change it with what is stored, or with kiosk.pinyin_input's ranking (ranked here once for
# initials typed alone). Per reading only as many words as a lookup takes: 80 characters,
# 20 longer words.
BUILD_RULE = "1"
KEEP_CHARACTERS = 80
KEEP_WORDS = 20
BUILD_TIMEOUT_S = 600  # some 5-10 s on a desktop; a small kiosk machine is slower
SCHEMA = """
CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE syllables (syllable TEXT PRIMARY KEY) WITHOUT ROWID;
-- initials: each syllable's first letter (wxy for wang xiu ying), what typed initials match;
-- spelling: the syllables with a space between; rank: the order pinyinIME keeps for them.
CREATE TABLE words (
    initials TEXT NOT NULL, spelling TEXT NOT NULL, rank INTEGER NOT NULL,
    word TEXT NOT NULL, score INTEGER NOT NULL,
    PRIMARY KEY (initials, spelling, rank)) WITHOUT ROWID;
-- The words for one or two initials typed alone ('z h'), ranked once here: the most read.
CREATE TABLE initials_only (
    typed TEXT NOT NULL, position INTEGER NOT NULL, word TEXT NOT NULL,
    PRIMARY KEY (typed, position)) WITHOUT ROWID;
"""


@functools.cache  # the kiosk reads it once: pinyinIME is not upgraded under a running kiosk
def tag() -> str:
    """What the file is built from and how, read from pinyinIME's installed metadata (not
    by importing it); PackageNotFoundError where it is not installed."""
    return f"{importlib.metadata.version(SOURCE)}-r{BUILD_RULE}"


def file_name(built_as: str) -> str:
    return f"pinyin-{built_as}.sqlite"


def setup_dir() -> Path:
    """Next to the virtual environment: where scripts/setup.sh builds it."""
    return Path(sys.prefix) / "share" / APP_NAME


def cache_dir() -> Path:
    """The kiosk user's own cache: where a kiosk builds it when set-up did not."""
    return Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False))


def locations() -> list[Path]:
    return [setup_dir(), cache_dir()]


def find() -> Path | None:
    """The up-to-date index, wherever it was built; None if there is none yet."""
    name = file_name(tag())
    return next((d / name for d in locations() if (d / name).is_file()), None)


def connect(path: Path) -> sqlite3.Connection:
    """Read-only; the file never changes once renamed into place (immutable: no locks)."""
    uri = f"file:{urllib.parse.quote(str(path))}?mode=ro&immutable=1"
    return sqlite3.connect(uri, uri=True)


def build_command(directory: Path) -> list[str]:
    """The build as a process of its own (a thread would hold the GUI's interpreter), at a
    lower priority than the screen staff are typing on."""
    return [sys.executable, "-m", "kiosk.pinyin_index", "--dir", str(directory), "--nice"]


def build_apart() -> Path:
    """Build the index into the cache folder in another process and wait for it: call it off
    the GUI thread. CalledProcessError (with what the build said) if it fails."""
    subprocess.run(build_command(cache_dir()), check=True, capture_output=True, text=True,
                   stdin=subprocess.DEVNULL, timeout=BUILD_TIMEOUT_S)
    found = find()
    if found is None:
        raise FileNotFoundError(f"the build left no {file_name(tag())} in {cache_dir()}")
    return found


# --- the build, in its own process -----------------------------------------------------
def read_source() -> tuple[list[str], Iterator[tuple[str, str, int, str, int]]]:
    """pinyinIME's syllables, and each reading's words as (initials, spelling, rank, word,
    score), in the order its own lookup ranks them."""
    import pinyinIME.engine as engine  # only ever in the build process

    data = Path(engine.__file__).parent / "data" / "normalized"
    prism, table, _ids = engine._load_index(data)  # what its PinyinEngine loads, less extras
    syllables = [prism.syllable(i) for i in range(prism.syllable_count())]
    return syllables, _rows(table._root, syllables, ())


def _rows(node: dict, syllables: list[str], path: tuple[str, ...]) -> Iterator[tuple]:
    keep = KEEP_CHARACTERS if len(path) == 1 else KEEP_WORDS
    spelling, initials = " ".join(path), "".join(s[0] for s in path)
    for rank, entry in enumerate(node.get("_entries", [])[:keep]):
        yield initials, spelling, rank, entry.word, int(entry.score)
    for key, child in node.items():
        if key != "_entries":
            yield from _rows(child, syllables, (*path, syllables[key]))


def build(directory: Path, source=None) -> Path:
    """Write the index for the current tag into `directory`, atomically (`source`: where the
    syllables and words come from, pinyinIME's data unless told)."""
    built_as = tag()
    target = directory / file_name(built_as)
    directory.mkdir(parents=True, exist_ok=True)
    partial = directory / f".{target.name}.{os.getpid()}.partial"
    try:
        _write(partial, built_as, *(source or read_source)())
        _rank_initials(partial)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    _sync_dir(directory)
    _remove_others(directory, target)
    return target


def _write(path: Path, built_as: str, syllables: list[str], rows: Iterable[tuple]) -> None:
    path.unlink(missing_ok=True)
    with contextlib.closing(sqlite3.connect(path)) as db:
        db.executescript("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;" + SCHEMA)
        db.executemany("INSERT INTO syllables VALUES (?)", ((s,) for s in syllables))
        db.executemany("INSERT INTO words VALUES (?, ?, ?, ?, ?)", sorted(rows))
        db.executemany("INSERT INTO meta VALUES (?, ?)", (("tag", built_as),
                       ("built_at", time.strftime("%Y-%m-%dT%H:%M:%S%z"))))
        db.commit()


def _rank_initials(path: Path) -> None:
    """Rank the lookups of one or two initials alone once, with the kiosk's own ranking."""
    from kiosk.pinyin_input import INITIALS, INITIALS_RANKED, PinyinDictionary, limit_for

    dictionary = PinyinDictionary(path)
    ranked = [(" ".join(typed), position, word)
              for count in range(1, INITIALS_RANKED + 1)
              for typed in itertools.product(sorted(INITIALS), repeat=count)
              for position, word in enumerate(dictionary.rank(list(typed), limit_for(count)))]
    dictionary.close()
    with contextlib.closing(sqlite3.connect(path)) as db:
        db.execute("PRAGMA journal_mode = OFF")
        db.executemany("INSERT INTO initials_only VALUES (?, ?, ?)", ranked)
        db.commit()
        db.execute("VACUUM")
    with open(path, "rb") as written:
        os.fsync(written.fileno())  # all of it on disk before the name says it is there


def _sync_dir(directory: Path) -> None:
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _remove_others(directory: Path, kept: Path) -> None:
    """Indexes of another pinyinIME or rule (nothing reads them any more), and what builds
    that were killed left behind."""
    for old in directory.glob(file_name("*")):
        if old != kept:
            old.unlink(missing_ok=True)
    for partial in directory.glob(f".{file_name('*')}.*.partial"):
        pid = partial.name.rsplit(".", 2)[-2]
        if not (pid.isdigit() and _running(int(pid))):
            partial.unlink(missing_ok=True)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's
        return True
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the staff keyboard's pinyin index.")
    parser.add_argument("--dir", type=Path, default=setup_dir(), help="where to write it")
    parser.add_argument("--force", action="store_true", help="build even if up to date")
    parser.add_argument("--nice", action="store_true", help="at a lower CPU priority")
    args = parser.parse_args(argv)
    if args.nice:
        os.nice(10)
    target = args.dir / file_name(tag())
    if target.is_file() and not args.force:
        print(f"pinyin index up to date: {target}")
        return 0
    started = time.perf_counter()
    gc.disable()  # millions of objects read once and thrown away: the collector would crawl
    built = build(args.dir, read_source)
    print(f"pinyin index built in {time.perf_counter() - started:.1f} s: {built} "
          f"({built.stat().st_size / 2**20:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
