"""Run the benchmark suite and write bench/results.json.

    .venv/bin/python -m benchmarks [--rounds 3] [--only NAME ...] [--smoke]

Each module of SUITE has `run(rounds: int, smoke: bool) -> dict[str, Figure]`; --smoke runs
one round on small data (CI runs it so the suite cannot rot; its figures mean nothing).
"""
from __future__ import annotations

import argparse
import importlib
import sys
import time

from benchmarks import harness

# Module names under benchmarks/, in the order they run.
SUITE: tuple[str, ...] = ("kiosk_search", "kiosk_taps", "kiosk_startup", "kiosk_speech",
                         "kiosk_sync_stall", "platform_push", "platform_pull",
                         "platform_capacity")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--only", nargs="*", default=None, help="module names to run")
    parser.add_argument("--smoke", action="store_true", help="one round on small data")
    parser.add_argument("--out", default=str(harness.RESULTS))
    args = parser.parse_args(argv)
    rounds = 1 if args.smoke else max(3, args.rounds)
    names = [name for name in SUITE if args.only is None or name in args.only]
    for name in names:
        started = time.monotonic()
        module = importlib.import_module(f"benchmarks.{name}")
        figures = module.run(rounds, args.smoke)
        harness.write(figures, harness.Path(args.out))
        for key, figure in figures.items():
            print(f"{key:32} {figure.value:>12.4g} {figure.unit:8} ref {figure.reference:>10.4g}"
                  f"  ratio {figure.ratio}  target {figure.target or '-'}"
                  f"  {'' if figure.met is None else ('met' if figure.met else 'NOT MET')}")
        print(f"# {name}: {time.monotonic() - started:.0f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
