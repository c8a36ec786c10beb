"""The benchmark suite's common ground: a figure measured beside its reference, interleaved.

Every figure of bench/results.json has the same shape:

    {"value": v, "reference": r, "ratio": v / r, "unit": "...", "rounds": [...],
     "target": "≤ 25", "met": true}

`value` and `reference` are the median of their rounds (or of the samples for a p95 figure,
see `percentile_figure`); `rounds` holds each round's (value, reference) pair so the spread
can be seen. A figure that has no natural reference (push throughput, kiosks per process)
gives as reference what the same machine does for the plain case named in its module's
docstring, so every ratio is read against this machine, never against another.
"""
from __future__ import annotations

import atexit
import json
import math
import shutil
import statistics
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results.json"


@dataclass
class Figure:
    value: float
    reference: float
    unit: str
    rounds: list = field(default_factory=list)
    target: str = ""  # "≤ 25", "≥ 5000": the budget the issue sets, read by docs/performance.md
    note: str = ""  # how it was measured, one line

    @property
    def ratio(self) -> float | None:
        return None if not self.reference else round(self.value / self.reference, 3)

    @property
    def met(self) -> bool | None:
        if not self.target:
            return None
        sign, number = self.target.split()
        bound = float(number.replace(",", ""))
        return self.value <= bound if sign == "≤" else self.value >= bound

    def as_json(self) -> dict:
        data = asdict(self)
        data["value"], data["reference"] = _round(self.value), _round(self.reference)
        data["ratio"], data["met"] = self.ratio, self.met
        return data


def _round(number: float) -> float:
    if number == 0 or not math.isfinite(number):
        return number
    digits = max(0, 3 - int(math.floor(math.log10(abs(number)))))
    return round(number, digits)


def interleaved(measure: Callable[[], float], reference: Callable[[], float],
                rounds: int) -> tuple[list[float], list[float]]:
    """Alternate measure and reference, `rounds` times each, so a busy machine slows both."""
    values, references = [], []
    for _ in range(rounds):
        values.append(measure())
        references.append(reference())
    return values, references


def median_figure(values: Sequence[float], references: Sequence[float], unit: str,
                  target: str = "", note: str = "") -> Figure:
    pairs = [[_round(v), _round(r)] for v, r in zip(values, references, strict=True)]
    return Figure(statistics.median(values), statistics.median(references), unit, pairs,
                  target, note)


def percentile(samples: Sequence[float], share: float = 0.95) -> float:
    """The nearest-rank percentile (p95 of 300 samples is the 285th smallest)."""
    ordered = sorted(samples)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


def percentile_figure(value_rounds: Sequence[Sequence[float]],
                      reference_rounds: Sequence[Sequence[float]], unit: str,
                      target: str = "", note: str = "", share: float = 0.95) -> Figure:
    """Each round gives a p95 of its samples; the figure is the median round's."""
    values = [percentile(samples, share) for samples in value_rounds]
    references = [percentile(samples, share) for samples in reference_rounds]
    return median_figure(values, references, unit, target, note)


def write(figures: dict[str, Figure], path: Path = RESULTS) -> dict:
    """Merge these figures into results.json (figures measured by other modules are kept)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    data.update({name: figure.as_json() for name, figure in figures.items()})
    path.write_text(json.dumps(dict(sorted(data.items())), ensure_ascii=False, indent=2) + "\n",
                    encoding="utf-8")
    return data


def scratch(prefix: str) -> Path:
    """A new temporary folder for a benchmark's data, removed when the run ends (a district's
    store copied for each module is some hundreds of megabytes)."""
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder
