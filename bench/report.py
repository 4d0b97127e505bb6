"""The results file and the table of results in docs/benchmarks.md."""

from __future__ import annotations

import json
import os
import platform
from pathlib import Path
from typing import Any

import psutil
import psycopg

from bench.measure import Line

BEGIN, END = "<!-- results:begin -->", "<!-- results:end -->"


def machine(dsn: str) -> dict[str, Any]:
    """What the figures were measured on."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        row = conn.execute("SHOW server_version").fetchone()
    return {
        "cores": os.cpu_count(),
        "memory_gib": round(psutil.virtual_memory().total / 2**30, 1),
        "python": platform.python_version(),
        "postgresql": row[0] if row else "?",
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def write_json(path: Path, run: dict[str, Any], lines: list[Line]) -> None:
    """The whole run, every line with its figure, baseline and ratio."""
    path.parent.mkdir(parents=True, exist_ok=True)
    body = {**run, "lines": [line.as_json() for line in lines]}
    path.write_text(json.dumps(body, indent=2, ensure_ascii=False, default=str) + "\n")


def _number(value: float | None, unit: str = "") -> str:
    if value is None:
        return "—"
    text = f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.2f}"
    return f"{text} {unit}".strip()


def table(run: dict[str, Any], lines: list[Line]) -> str:
    """The results as a Markdown table, with the run's conditions above it."""
    m = run["machine"]
    head = [
        f"Run of {run['started']} ({run['mode']}): {m['cores']} cores, {m['memory_gib']} GiB, "
        f"PostgreSQL {m['postgresql']}, Python {m['python']}; load average at start "
        f"{m['load_average']} (other work may share the machine). Caseload: "
        f"{run['district_years']} district-years of {run['cases_per_district_year']:,} cases "
        f"({run['cases']:,} cases, {run['events']:,} events); seeding ran at "
        f"{run['seed_events_per_second']:,.0f} events/s; the views caught up with the large "
        f"caseload's {run['large_catch_up']['events']:,} events at "
        f"{run['large_catch_up']['events_per_second']:,.0f} events/s (before line 4). "
        f"Results file: `{run['results_file']}`.",
        "",
        "| # | What | Figure | Baseline (same run) | Ratio | Target | Met |",
        "|---|---|---|---|---|---|---|",
    ]
    rows = []
    for line in lines:
        met = {True: "yes", False: "**no**", None: ""}[line.met]
        ratio = "—" if line.ratio is None else f"{line.ratio:.2f}"
        what = line.title + (f" — {line.note}" if line.note else "")
        baseline = f"{_number(line.baseline, line.unit)} ({line.baseline_name})"
        rows.append(
            f"| {line.number} | {what} | {_number(line.figure, line.unit)} | {baseline} "
            f"| {ratio} | {line.target} | {met} |"
        )
    return "\n".join(head + rows)


def update_docs(doc: Path, run: dict[str, Any], lines: list[Line]) -> None:
    """Replace the results between the markers of docs/benchmarks.md."""
    text = doc.read_text() if doc.exists() else f"# Benchmarks\n\n{BEGIN}\n{END}\n"
    before, _, rest = text.partition(BEGIN)
    _, _, after = rest.partition(END)
    doc.write_text(f"{before}{BEGIN}\n{table(run, lines)}\n{END}{after}")
