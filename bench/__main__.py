"""`python -m bench [--district-years N] [--smoke]`: every benchmark, results to JSON and docs."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from bench.plan import FULL, SMOKE, run_all
from bench.report import update_docs, write_json

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    """Run the benchmarks and write their results."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="a tiny caseload, seconds not minutes")
    parser.add_argument("--district-years", type=int, help="the large caseload (about 9,300 each)")
    parser.add_argument("--cases", type=int, help="cases per district-year")
    parser.add_argument("--out", type=Path, help="results file (default bench/results/…json)")
    parser.add_argument("--no-docs", action="store_true", help="leave docs/benchmarks.md alone")
    args = parser.parse_args()
    plan = SMOKE if args.smoke else FULL
    if args.district_years:
        plan = plan.scaled(district_years=args.district_years)
    if args.cases:
        plan = plan.scaled(cases=args.cases)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    out = args.out or ROOT / "bench" / "results" / f"{plan.mode}-{stamp}.json"
    shown = out.resolve().relative_to(ROOT) if out.resolve().is_relative_to(ROOT) else out
    run, lines = run_all(plan, results_file=shown)
    write_json(out, run, lines)
    if not args.smoke and not args.no_docs:
        update_docs(ROOT / "docs" / "benchmarks.md", run, lines)
    for line in lines:
        ratio = "—" if line.ratio is None else f"{line.ratio:.2f}"
        figure = "not measured" if line.figure is None else f"{line.figure:,.2f} {line.unit}"
        print(f"{line.number:>3}  {figure:>24}  ratio {ratio:>6}  {line.title}")
    print(f"results: {out}")


if __name__ == "__main__":
    main()
