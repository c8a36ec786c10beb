"""Elders' flows at district scale: tap → next screen painted, and memory over many flows.

A flow is one elder's visit: her card held to the scanner, then lunch tomorrow booked tap by
tap (助餐, 明天, 午餐, 订这一餐, 到食堂取, 确认) and 回到首页; each elder is another of the
20,000 (one live booking per meal). Every tap is a real press and release on the real button
(QTest) with the event loop running between taps; a transition is timed from the press until
the screen then on show has been painted (benchmarks.kiosk_gui.PaintedAfter).

- transition_p95_ms: the p95 of every transition of a round (≥ 300 flows, 8 each);
  reference: the same probe on a bare two-page window flipped by a button, as many times.
- rss_growth_mb: resident memory gained per 1,000 flows after the first 50 (kept out: the
  screens are built then); reference: the bare window's growth over as many flips.
"""
from __future__ import annotations

import gc
import tempfile
from pathlib import Path

from benchmarks import kiosk_data
from benchmarks.harness import Figure, median_figure, percentile_figure
from benchmarks.kiosk_gui import BareFlip, KioskDriver, rss_mb, turn_loop

FLOW = ("助餐", "明天", "午餐", "订这一餐", "到食堂取", "确认", "回到首页")
WARM_FLOWS = 50


def run(rounds: int, smoke: bool) -> dict[str, Figure]:
    flows = 20 if smoke else 1000
    base = Path(tempfile.mkdtemp(prefix="bench-taps-"))
    samples, references, growth, reference_growth = [], [], [], []
    for round_ in range(rounds):
        kiosk = KioskDriver(kiosk_data.store_copy(base / f"r{round_}", smoke), kiosk_data.NOW)
        try:
            times, grew = _flows(kiosk, flows, first_elder=round_ * flows)
        finally:
            kiosk.close()
        bare = BareFlip()
        try:
            bare_times, bare_grew = _flips(bare, len(times))
        finally:
            bare.close()
        samples.append(times)
        references.append(bare_times)
        growth.append(grew)
        reference_growth.append(bare_grew)
    return {
        "transition_p95_ms": percentile_figure(
            samples, references, "ms", "≤ 25",
            f"{flows} flows of 8 taps a round, scan to home; bare two-page flip as reference"),
        "rss_growth_mb": median_figure(
            growth, reference_growth, "MB", "≤ 2",
            "resident memory gained per 1,000 flows after the first 50; bare flips as "
            "reference"),
    }


def _flows(kiosk: KioskDriver, flows: int, first_elder: int) -> tuple[list[float], float]:
    times: list[float] = []
    warm = min(WARM_FLOWS, flows // 2)
    start_rss = 0.0
    for n in range(flows):
        if n == warm:
            gc.collect()
            turn_loop()
            start_rss = rss_mb()
        elder = kiosk_data.card(first_elder + n)
        times.append(kiosk.scan(elder))
        for text in FLOW:
            times.append(kiosk.tap(text))
        if kiosk.window.current.name != "home":
            raise RuntimeError(f"flow {n} ended on {kiosk.window.current.name}")
    gc.collect()
    turn_loop()
    grew = (rss_mb() - start_rss) * 1000 / (flows - warm)
    return times, grew


def _flips(bare: BareFlip, count: int) -> tuple[list[float], float]:
    warm = min(WARM_FLOWS * 8, count // 2)
    times, start_rss = [], 0.0
    for n in range(count):
        if n == warm:
            gc.collect()
            turn_loop()
            start_rss = rss_mb()
        times.append(bare.tap())
    gc.collect()
    turn_loop()
    flows = (count - warm) / (len(FLOW) + 1)
    return times, (rss_mb() - start_rss) * 1000 / flows
