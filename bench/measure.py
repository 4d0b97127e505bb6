"""What a benchmark line reports, and the timing, percentile and memory helpers behind it."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import psutil


@dataclass
class Line:
    """One figure, its baseline from the same run, their ratio, and the target it must meet."""

    number: str  # "1", "4a", ... as in docs/benchmarks.md
    title: str
    figure: float | None
    unit: str
    baseline: float | None
    baseline_name: str
    ratio: float | None = None
    target: str = ""
    met: bool | None = None  # None: no target, or not measured
    note: str = ""
    details: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.ratio is None and self.figure is not None and self.baseline:
            self.ratio = self.figure / self.baseline

    @property
    def measured(self) -> bool:
        """Whether the line has a figure (else its note says why not)."""
        return self.figure is not None

    def as_json(self) -> dict[str, Any]:
        """The line as the results file stores it."""
        return asdict(self)


def not_measured(number: str, title: str, unit: str, baseline_name: str, why: str) -> Line:
    """A line that could not be measured in this run, saying why."""
    return Line(number, title, None, unit, None, baseline_name, note=f"not measured: {why}")


def rate(count: int, seconds: float) -> float:
    """Operations per second."""
    return count / seconds if seconds > 0 else 0.0


def percentiles(samples: Sequence[float]) -> dict[str, float]:
    """p50, p95 and p99 of the samples, in milliseconds."""
    ordered = sorted(samples)
    if len(ordered) == 1:
        only = ordered[0] * 1000
        return {"p50": only, "p95": only, "p99": only}
    cuts = statistics.quantiles(ordered, n=100, method="inclusive")
    return {"p50": cuts[49] * 1000, "p95": cuts[94] * 1000, "p99": cuts[98] * 1000}


def alternating(
    rounds: int, measures: Mapping[str, Callable[[], float]], warm_up: int = 5
) -> dict[str, dict[str, float]]:
    """p50/p95/p99 (ms) of each measure (a call that returns the seconds it timed), taken in
    rounds of one sample each, their order turned each round: a slow stretch of a shared
    machine lands on all of them alike, whichever comes first (each takes each place equally
    often when `rounds` is a multiple of their number). The first `warm_up` rounds are not
    counted. With them, when each measure's first and last counted samples ended (`first_at`,
    `last_at`: seconds since the epoch), which shows what was measured over the same time."""
    if rounds < 1:
        raise ValueError(f"rounds: at least one round is needed, not {rounds}")
    names = list(measures)
    samples: dict[str, list[float]] = {name: [] for name in names}
    first_at: dict[str, float] = {}
    last_at: dict[str, float] = {}
    for n in range(warm_up + rounds):
        turn = n % len(names)
        for name in names[turn:] + names[:turn]:
            seconds = measures[name]()
            if n >= warm_up:
                samples[name].append(seconds)
                last_at[name] = time.time()
                first_at.setdefault(name, last_at[name])
    return {
        name: percentiles(taken) | {"first_at": first_at[name], "last_at": last_at[name]}
        for name, taken in samples.items()
    }


class PeakMemory:
    """Samples a process's resident set size and keeps the largest seen."""

    def __init__(self, pid: int) -> None:
        self.process = psutil.Process(pid)
        self.peak = 0

    def sample(self) -> int:
        """Read the RSS now (bytes) and remember the peak."""
        try:
            rss = int(self.process.memory_info().rss)
        except psutil.NoSuchProcess:
            return self.peak
        self.peak = max(self.peak, rss)
        return rss

    @property
    def peak_mb(self) -> float:
        """The peak in MiB."""
        return self.peak / 2**20
