"""Elders' flows at district scale: tap → next screen painted, and memory over many flows.

A flow is one elder's visit: her card held to the scanner, then lunch tomorrow booked tap by
tap (助餐, 明天, 午餐, 订这一餐, 到食堂取, 确认) and 回到首页; each elder is another of the
20,000 (one live booking per meal). Every tap is a real press and release on the real button
(QTest) with the event loop running between taps; a transition is timed from the press until
the screen then on show has been painted (benchmarks.kiosk_gui.PaintedAfter).

- transition_p95_ms: the p95 of every transition of a round (≥ 300 flows, 8 each);
  reference: the same probe on a bare two-page window flipped by a button, as many times.
- rss_growth_mb: resident memory gained per 1,000 flows once warm: the slope of a straight
  line through readings every 100 flows after the first 200 (the screens are built then,
  SQLite's page cache and Qt's caches filled); reference: the bare window's slope over as
  many flips.
"""
from __future__ import annotations

import gc

from benchmarks import kiosk_data
from benchmarks.harness import Figure, median_figure, percentile_figure, scratch
from benchmarks.kiosk_gui import BareFlip, KioskDriver, rss_mb, turn_loop

FLOW = ("助餐", "明天", "午餐", "订这一餐", "到食堂取", "确认", "回到首页")
WARM_FLOWS = 200  # the screens built, SQLite's page cache and Qt's caches filled
SAMPLE_EVERY = 100  # flows between two readings of resident memory


def run(rounds: int, smoke: bool) -> dict[str, Figure]:
    flows = 20 if smoke else 600
    base = scratch("bench-taps-")
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
            "resident memory slope per 1,000 flows after the first 200; bare flips as "
            "reference"),
    }


def _flows(kiosk: KioskDriver, flows: int, first_elder: int) -> tuple[list[float], float]:
    times: list[float] = []
    warm = min(WARM_FLOWS, flows // 2)
    every = max(1, min(SAMPLE_EVERY, (flows - warm) // 4))
    readings: list[tuple[float, float]] = []
    for n in range(flows + 1):
        if n >= warm and (n - warm) % every == 0:
            readings.append((n, _settled_rss()))
        if n == flows:
            break
        times.append(kiosk.scan(kiosk_data.card(first_elder + n)))
        for text in FLOW:
            times.append(kiosk.tap(text))
        if kiosk.window.current.name != "home":
            raise RuntimeError(f"flow {n} ended on {kiosk.window.current.name}")
    return times, _slope(readings) * 1000


def _flips(bare: BareFlip, count: int) -> tuple[list[float], float]:
    per_flow = len(FLOW) + 1
    warm = min(WARM_FLOWS * per_flow, count // 2)
    every = max(1, min(SAMPLE_EVERY * per_flow, (count - warm) // 4))
    times: list[float] = []
    readings: list[tuple[float, float]] = []
    for n in range(count + 1):
        if n >= warm and (n - warm) % every == 0:
            readings.append((n / per_flow, _settled_rss()))
        if n == count:
            break
        times.append(bare.tap())
    return times, _slope(readings) * 1000


def _settled_rss() -> float:
    gc.collect()
    turn_loop()
    return rss_mb()


def _slope(points: list[tuple[float, float]]) -> float:
    """Least squares: MB per flow."""
    if len(points) < 2:
        return 0.0
    mean_x = sum(x for x, _ in points) / len(points)
    mean_y = sum(y for _, y in points) / len(points)
    spread = sum((x - mean_x) ** 2 for x, _ in points)
    return sum((x - mean_x) * (y - mean_y) for x, y in points) / spread
