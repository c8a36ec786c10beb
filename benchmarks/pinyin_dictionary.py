"""What the staff keyboard's pinyin costs: building the index from pinyinIME (once, at set-up,
in a process of its own), its size on disk, and in a kiosk-like process the first use's pause,
each tap's lookup and the resident memory they add.

    .venv/bin/python benchmarks/pinyin_dictionary.py [--runs 3] [--compare]

Each run builds the index afresh into a temporary folder, then types names and addresses
letter by letter in a fresh process (each prefix is one tap's lookup, timed the first time it
is asked, as on the kiosk). Memory is the resident set's growth, read from /proc (Linux).
--compare also checks the candidates against pinyinIME's own engine, as the kiosk used it
before the index (the engine loads in another process: some 220 MB for a few seconds).
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kiosk import pinyin_index  # noqa: E402

TYPED = ["wangxiuying", "zhangguilan", "lijianguo", "liuyulan", "chenzhiqiang", "zhaoyulan",
         "xingfulixiaoqu", "zhongshanlu", "jiefangdajie", "renminlu", "hepingxincun",
         "danyuan", "louxia", "wxy", "zgl", "ljg"]
TAPS = [word[:end] for word in TYPED for end in range(1, len(word) + 1)]

PROBE = """
import json, sys, time
from pathlib import Path
def resident_mb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096 / 2**20
import importlib.metadata, sqlite3  # loaded in the kiosk long before staff type
from kiosk import pinyin_index
from kiosk.pinyin_input import PinyinDictionary
pinyin_index.locations = lambda: [Path(sys.argv[1]).parent]
taps = json.loads(sys.argv[2])
before = resident_mb()
started = time.perf_counter()
dictionary = PinyinDictionary.shared()  # found (pinyinIME's version read), opened, read
dictionary.candidates(taps[0])
first_ms = (time.perf_counter() - started) * 1000
first_mb = resident_mb() - before
lookups = []
for letters in taps[1:]:
    started = time.perf_counter()
    dictionary.candidates(letters)
    lookups.append((time.perf_counter() - started) * 1000)
print(json.dumps({"first_ms": first_ms, "first_mb": first_mb, "lookups": lookups,
                  "session_mb": resident_mb() - before, "pinyinIME": "pinyinIME" in sys.modules}))
"""

# The kiosk's candidates before the index: pinyinIME's engine itself, as kiosk/pinyin_input.py
# used it up to adb16c6 (its author's phrases and emoji left out).
REFERENCE = """
import json, random, sys
from pathlib import Path
from pinyinIME.engine import PinyinEngine
from kiosk.pinyin_input import PinyinDictionary, is_han, limit_for, syllable_ends

class Engine(PinyinEngine):
    def _merge_builtin_custom_phrase(self, normalized_dir):
        pass

engine = Engine(load_emoji=False)

def before(letters):
    syllables = engine.segment(letters)
    ends, found, seen = syllable_ends(letters, syllables), [], set()
    for count in range(len(syllables), 0, -1):
        spelled = letters if count == len(syllables) else "'".join(syllables[:count])
        for word, _reading, _score in engine.lookup(spelled, limit_for(count)):
            if len(word) == count and is_han(word) and word not in seen:
                seen.add(word)
                found.append([word, letters[ends[count - 1]:]])
    return found

index = PinyinDictionary(Path(sys.argv[1]))
initials = "bpmfdtnlgkhjqxzcsryw"
syllables = sorted(index.syllables)
rng = random.Random(7)
typings = json.loads(sys.argv[2]) + list(initials) + [a + b for a in initials for b in initials]
typings += ["".join(rng.choice(syllables if rng.random() < 0.7 else initials)
                    for _ in range(rng.randint(1, 4))) for _ in range(1000)]
differ = [t for t in typings if before(t) != [[c.text, c.rest] for c in index.candidates(t)]]
print(json.dumps({"typings": len(typings), "differ": differ[:10], "differing": len(differ)}))
"""


def build(directory: Path) -> tuple[float, Path]:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "kiosk.pinyin_index", "--dir", str(directory)],
                   cwd=ROOT, check=True, capture_output=True)
    return time.perf_counter() - started, directory / pinyin_index.file_name(pinyin_index.tag())


def probe(script: str, index: Path) -> dict:
    done = subprocess.run([sys.executable, "-c", script, str(index), json.dumps(TAPS)],
                          cwd=ROOT, check=True, capture_output=True, text=True)
    return json.loads(done.stdout)


def show(name: str, values: list[float], unit: str) -> None:
    print(f"{name:30} median {statistics.median(values):8.2f} {unit:3} "
          f"(min {min(values):.2f}, max {max(values):.2f})")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--compare", action="store_true")
    args = parser.parse_args()
    runs = []
    with tempfile.TemporaryDirectory() as folder:
        for run in range(args.runs):
            seconds, index = build(Path(folder) / str(run))
            runs.append({"build_s": seconds, "size_mb": index.stat().st_size / 2**20,
                         **probe(PROBE, index)})
        compared = probe(REFERENCE, index) if args.compare else None
    show("build", [r["build_s"] for r in runs], "s")
    show("index on disk", [r["size_mb"] for r in runs], "MB")
    show("first use (find, open, 1 tap)", [r["first_ms"] for r in runs], "ms")
    lookups = [ms for r in runs for ms in r["lookups"]]
    print(f"{'lookup per tap':30} p50 {percentile(lookups, 0.5):.2f} ms, "
          f"p95 {percentile(lookups, 0.95):.2f} ms, max {max(lookups):.2f} ms "
          f"({len(lookups)} taps)")
    show("resident after first use", [r["first_mb"] for r in runs], "MB")
    show(f"resident after {len(TAPS)} taps", [r["session_mb"] for r in runs], "MB")
    print(f"{'pinyinIME imported':30} {any(r['pinyinIME'] for r in runs)}")
    if compared:
        print(f"{'same as pinyinIME engine':30} {compared['typings'] - compared['differing']} "
              f"of {compared['typings']} typings {compared['differ'] or ''}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
