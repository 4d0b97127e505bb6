import json
import os
import subprocess
import sys
import time
from pathlib import Path

import psycopg

from api.database import ConnectionTarget

ROOT = Path(__file__).resolve().parents[2]
LINES = ["1", "2", "3a", "3b", "4a", "4b", "4c", "4d", "5", "6", "7a", "7b"]
TIME_LIMIT_SECONDS = 60.0


def bench_databases(server: ConnectionTarget) -> set[str]:
    with psycopg.connect(server.dsn, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT datname FROM pg_database WHERE datname LIKE 'casework_bench_%'"
        ).fetchall()
    return {str(row[0]) for row in rows}


def test_the_whole_benchmark_runs_on_a_tiny_caseload_and_reports_every_line(
    server: ConnectionTarget, tmp_path: Path
) -> None:
    out = tmp_path / "smoke.json"
    before = bench_databases(server)
    began = time.monotonic()
    env = {**os.environ, "DATABASE_URL": server.url}
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--smoke", "--out", str(out)],
        check=False,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    seconds = time.monotonic() - began
    assert done.returncode == 0, done.stderr[-3000:]
    assert seconds < TIME_LIMIT_SECONDS

    results = json.loads(out.read_text())
    lines = {line["number"]: line for line in results["lines"]}
    assert sorted(lines) == sorted(LINES)
    for number, line in lines.items():
        assert line["note"].startswith("not measured") is False, (number, line["note"])
        assert line["figure"] > 0, number
        assert line["baseline"] > 0, number
        assert line["ratio"] == line["figure"] / line["baseline"], number
    # Both caseloads' three measures are taken in the same alternating rounds, each caseload
    # served by a server of its own: every measure's samples span the same time, so line 4c
    # compares the same moments (measured one caseload after the other, they would not overlap).
    spans = []
    for number in ("4a", "4b"):
        details = lines[number]["details"]
        assert details["rounds"] == 24, number
        assert 1 <= details["items"] <= 50, number  # a tiny caseload: a short queue
        for measure in ("graphql_ms", "raw_ms", "smallest_request_ms"):
            taken = details[measure]
            assert 0 < taken["p50"] <= taken["p95"], (number, measure)
            spans.append((taken["first_at"], taken["last_at"]))
    assert max(first for first, _ in spans) < min(last for _, last in spans)
    growth = lines["4c"]
    assert (growth["figure"], growth["baseline"]) == (lines["4b"]["figure"], lines["4a"]["figure"])
    assert growth["details"]["raw_ms_p95"] == {
        "small": lines["4a"]["baseline"],
        "large": lines["4b"]["baseline"],
    }
    assert lines["4a"]["title"].endswith(" at 60 cases")  # the small caseload, kept as it was
    assert lines["4b"]["title"].endswith(" at 120 cases")
    caught_up = results["large_catch_up"]
    assert caught_up["events"] > 0
    assert caught_up["events_per_second"] == caught_up["events"] / caught_up["seconds"]
    assert results["cases"] == 2 * 60
    assert results["events"] > results["cases"]
    assert results["machine"]["cores"] == os.cpu_count()
    assert bench_databases(server) - before == set()  # scratch databases are dropped
