"""Lines 3, 6 and 7 (runner): views from a cold start and rebuilt, against raw reads and writes."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from api.database import ConnectionTarget
from bench import raw
from bench.measure import Line
from projections.runner import BATCH_SIZE

BATCH = BATCH_SIZE  # the runners' batch size, for the raw baselines too


@dataclass(frozen=True)
class Run:
    """What the runner process reported."""

    events: int
    seconds: float
    peak_rss_mb: float
    idle_mb: float  # after start-up, before the first event

    @property
    def rate(self) -> float:
        """Events per second."""
        return self.events / self.seconds if self.seconds else 0.0


def run_views(target: ConnectionTarget, data_dir: Path, mode: str) -> Run:
    """Run every view in a process of its own, cold start ("catch-up") or "rebuild"."""
    out = subprocess.run(  # noqa: S603  # our own interpreter and module
        [sys.executable, "-m", "bench.catchup_child", target.url, str(data_dir), mode],
        check=True,
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    figures = json.loads(out.stdout.strip().splitlines()[-1])
    return Run(
        int(figures["events"]),
        float(figures["seconds"]),
        float(figures["peak_rss_mb"]),
        float(figures["idle_mb"]),
    )


def catch_up(target: ConnectionTarget, data_dir: Path) -> tuple[list[Line], Run]:
    """Line 3 (two baselines) from a cold start of every view, and the read baseline."""
    read_rate, rows = raw.sequential_read(target.dsn, BATCH)
    run = run_views(target, data_dir, "catch-up")
    size = raw.mean_event_size(target.dsn, "%")
    insert_rate = raw.batched_insert(target.dsn, run.events, size, BATCH)
    title = f"Projection catch-up: {run.events:,} events into every view from a cold start"
    write = Line(
        "3a",
        title,
        run.rate,
        "events/s",
        insert_rate,
        f"raw batched INSERT of {run.events:,} rows of {size} bytes, {BATCH} per transaction",
        target="≥ 20,000 events/s and ≥ 0.25",
        details={"seconds": run.seconds, "events": run.events},
    )
    write.met = run.rate >= 20_000 and write.ratio is not None and write.ratio >= 0.25
    read = Line(
        "3b",
        title + " (vs reading the log)",
        run.rate,
        "events/s",
        read_rate,
        f"raw sequential read of the event table, {BATCH} rows per query ({rows:,} rows)",
    )
    return [write, read], run


def rebuild(target: ConnectionTarget, data_dir: Path, read_rate: float) -> Line:
    """Line 6: every view rebuilt aside from the whole log and swapped in."""
    run = run_views(target, data_dir, "rebuild")
    return Line(
        "6",
        f"Rebuild of every view from the whole log ({run.events:,} events)",
        run.rate,
        "events/s",
        read_rate,
        "line 3's raw sequential read of the event table",
        details={"seconds": run.seconds, "peak_rss_mb": run.peak_rss_mb},
    )


def runner_memory(run: Run) -> Line:
    """Line 7 (runner): the peak RSS of the runner process during line 3."""
    return Line(
        "7b",
        "Peak memory (RSS) of the projection runner during line 3",
        run.peak_rss_mb,
        "MiB",
        run.idle_mb,
        "the same process after start-up, before its first event",
        note="one process running every view, as `casework projections run` does",
    )
