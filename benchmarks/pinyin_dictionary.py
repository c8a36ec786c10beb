"""What the staff keyboard's pinyin dictionary costs, paid the first time staff type pinyin
(never at start-up): the time to load it, the memory it keeps, and a lookup's time.

    .venv/bin/python benchmarks/pinyin_dictionary.py [--runs 3]

Each run is a fresh process (the dictionary loads once per process); memory is the resident
set's growth over the load, read from /proc (Linux).
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys

PROBE = """
import json, time
def resident_mb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096 / 2**20
from kiosk.pinyin_input import PinyinDictionary
before, started = resident_mb(), time.perf_counter()
dictionary = PinyinDictionary.shared()
loaded = time.perf_counter() - started
grown = resident_mb() - before
queries = ["wang", "xiuying", "wangxiuying", "xingfuli", "danyuan", "wxy", "shi"] * 20
started = time.perf_counter()
for letters in queries:
    dictionary.candidates(letters)
lookup_ms = (time.perf_counter() - started) * 1000 / len(queries)
print(json.dumps({"load_s": loaded, "resident_mb": grown, "lookup_ms": lookup_ms}))
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    runs = parser.parse_args().runs
    figures = [json.loads(subprocess.run([sys.executable, "-c", PROBE], check=True,
                                         capture_output=True, text=True).stdout)
               for _ in range(runs)]
    for name, unit in (("load_s", "s"), ("resident_mb", "MB"), ("lookup_ms", "ms")):
        values = [f[name] for f in figures]
        print(f"{name:12} median {statistics.median(values):7.2f} {unit}  "
              f"(min {min(values):.2f}, max {max(values):.2f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
