"""A one-minute fault campaign (docs/reliability.md): three kiosk processes and a platform on
SQLite under a faulting proxy and SIGKILLs, then heal, drain and check every invariant."""
from __future__ import annotations

import os

import pytest

from reliability.campaign import Config, run

SECONDS = float(os.environ.get("FAULT_CAMPAIGN_SECONDS", "50"))  # about 60 s in all
# A violation another engineer is fixing now (issue 14): the campaign may show it, nothing else.
OPEN_DEFECTS = {
    ("refused the cancel (unknown_booking) and keeps booking", "merged on the platform into"):
        "issue 14, same-elder same-slot bookings from two kiosks: a cancel made at a kiosk "
        "before its booking.create was answered `merged` names the kiosk's own booking id, "
        "which the platform never stored; it answers unknown_booking and the elder told "
        "已取消 keeps the place",
}


@pytest.mark.campaign
def test_a_minute_of_faults_and_kills_breaks_no_promise(tmp_path):
    report = run(Config(seconds=SECONDS, db="sqlite", seed=int(os.environ.get("SEED", "14")),
                        workdir=tmp_path / "campaign", drain_deadline_s=20.0))
    print(report.text())
    counts = report.counts
    assert counts["actions_accepted"] > 100 and counts["kiosk_kills"] > 10
    assert counts["platform_kills"] >= 1 and sum(report.faults.values()) > 50
    found = [item for items in report.violations.values() for item in items]
    seen = {why: [item for item in found if any(key in item for key in keys)]
            for keys, why in OPEN_DEFECTS.items()}
    explained = {item for items in seen.values() for item in items}
    assert not [item for item in found if item not in explained], report.text()
    if found:
        pytest.xfail("; ".join(why for why, items in seen.items() if items))
