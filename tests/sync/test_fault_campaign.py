"""A one-minute fault campaign (docs/reliability.md): three kiosk processes and a platform on
SQLite under a faulting proxy and SIGKILLs, then heal, drain and check every invariant."""
from __future__ import annotations

import os

import pytest

from reliability.campaign import Config, run

SECONDS = float(os.environ.get("FAULT_CAMPAIGN_SECONDS", "50"))  # about 60 s in all


@pytest.mark.campaign
def test_a_minute_of_faults_and_kills_breaks_no_promise(tmp_path):
    report = run(Config(seconds=SECONDS, db="sqlite", seed=int(os.environ.get("SEED", "14")),
                        workdir=tmp_path / "campaign", drain_deadline_s=20.0))
    print(report.text())
    counts = report.counts
    assert counts["actions_accepted"] > 100 and counts["kiosk_kills"] > 10
    assert counts["platform_kills"] >= 1 and sum(report.faults.values()) > 50
    assert len(report.violations) >= 6  # every invariant was checked
    assert report.violations == {name: [] for name in report.violations}, report.text()
