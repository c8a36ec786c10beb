"""Run the fault campaign (docs/reliability.md): kiosks and a platform under a faulting proxy
and SIGKILLs, then heal, drain and check; exits 1 on any violation.

    .venv/bin/python scripts/fault_campaign.py --minutes 5 --db postgresql --report run.json
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from reliability.campaign import Config, run, save  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=1.0,
                        help="of faults and kills (setting up, healing and draining come on top)")
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--kiosks", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--report", type=Path, help="write the figures and violations as JSON")
    parser.add_argument("--workdir", type=Path,
                        help="keep every file here (kept anyway when a violation is found)")
    parser.add_argument("--pace", type=float, default=Config.pace_s,
                        help="mean seconds between one kiosk's elder actions")
    parser.add_argument("--kiosk-kill-every", type=float, default=Config.kiosk_kill_every_s,
                        help="mean seconds between kiosk SIGKILLs")
    parser.add_argument("--platform-kill-every", type=float,
                        default=Config.platform_kill_every_s,
                        help="mean seconds between platform SIGKILLs")
    args = parser.parse_args(argv)
    config = Config(seconds=args.minutes * 60, db=args.db, kiosks=args.kiosks, seed=args.seed,
                    pace_s=args.pace, kiosk_kill_every_s=args.kiosk_kill_every,
                    platform_kill_every_s=args.platform_kill_every, workdir=args.workdir)
    report = run(config)
    print(report.text())
    if args.report:
        save(report, args.report)
    return 1 if report.violation_count else 0


if __name__ == "__main__":
    raise SystemExit(main())
