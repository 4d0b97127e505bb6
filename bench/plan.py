"""The order of a benchmark run: scratch databases, caseloads, and every line in turn."""

from __future__ import annotations

import datetime as dt
import logging
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack, closing
from dataclasses import dataclass, replace
from http.client import HTTPException
from pathlib import Path
from typing import Any

import psycopg

from api.caseload.parallel import seed_in_parallel
from api.caseload.seed import CASES_PER_DISTRICT_YEAR, DistrictYear, seed, seeding_application
from api.database import ConnectionTarget
from bench import graphql_load, ops, raw, views
from bench.cases import container_for, register_petitions
from bench.measure import Line, alternating, not_measured
from bench.report import machine
from bench.scratch import scratch_copy, scratch_database
from bench.server import serving

logger = logging.getLogger(__name__)
QUEUE_ORG = DistrictYear(1, 2026).organisations[0]  # the first district's petitions office


@dataclass(frozen=True)
class Plan:
    """How big each part of a run is."""

    mode: str
    district_years: int  # the large caseload; the small one is one district-year
    cases: int  # per district-year
    commands: int  # per round of line 1
    mutations: int
    clients: int
    as_of_events: int
    repeats: int  # samples of line 5
    queue_rounds: int  # samples of each of line 4's six measures, taken in turn
    workers: int  # seeding processes for the large caseload

    def scaled(self, **changes: Any) -> Plan:
        """The same plan with other sizes."""
        return replace(self, **changes)


FULL = Plan(
    mode="full",
    district_years=100,
    cases=CASES_PER_DISTRICT_YEAR,
    commands=1000,
    mutations=2000,
    clients=8,
    as_of_events=200,
    repeats=300,
    queue_rounds=3000,
    workers=2,
)
SMOKE = FULL.scaled(
    mode="smoke",
    district_years=2,
    cases=60,
    commands=40,
    mutations=40,
    clients=4,
    repeats=20,
    queue_rounds=24,
    workers=1,
)


def run_all(plan: Plan, *, results_file: Path) -> tuple[dict[str, Any], list[Line]]:
    """Every line, measured on scratch databases that are dropped afterwards."""
    started = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    lines: list[Line] = []
    run: dict[str, Any] = {"started": started, "mode": plan.mode, "plan": plan.__dict__}
    with tempfile.TemporaryDirectory(prefix="casework-bench-") as tmp:
        data_dir, log = Path(tmp), Path(tmp) / "server.log"
        with scratch_database("ops") as target:
            run["machine"] = machine(target.dsn)
            lines += _operations(plan, target, data_dir, log)
        with scratch_database("caseload") as target:
            lines += _caseload(plan, target, data_dir, run)
    run["results_file"] = str(results_file)
    order = {n: i for i, n in enumerate(["1", "2", "3a", "3b", "4a", "4b", "4c", "4d", "5", "6"])}
    lines.sort(key=lambda line: (order.get(line.number, 99), line.number))
    return run, lines


def _operations(plan: Plan, target: ConnectionTarget, data_dir: Path, log: Path) -> list[Line]:
    with container_for(target, data_dir) as container:
        commands = ops.commands(container.application, target, plan.commands)
        as_of = ops.as_of(container.application, target, plan.as_of_events, plan.repeats)
    ids = register_petitions(target, plan.mutations)
    try:
        with serving(target, data_dir, log) as server:
            end_to_end = graphql_load.mutations(server, ids, plan.clients, commands)
            memory = graphql_load.server_memory(server, "line 2")
    except (RuntimeError, OSError) as exc:  # the API is not there or not working: say so
        why = f"{exc}; server log: {_tail(log)}"
        end_to_end = not_measured("2", "End-to-end GraphQL mutations", "mutations/s", "line 1", why)
        memory = not_measured("7a", "Peak memory of the server", "MiB", "idle server", why)
    return [commands, end_to_end, as_of, memory]


def _caseload(
    plan: Plan, target: ConnectionTarget, data_dir: Path, run: dict[str, Any]
) -> list[Line]:
    seeded_events, seeded_seconds = _seed(target, 1, plan.cases)
    catch_up, runner = views.catch_up(target, data_dir)
    rebuilt = views.rebuild(target, data_dir, catch_up[1].baseline or 0.0)
    # The small caseload is kept as it is, to be served beside the large one: line 4 measures
    # both in the same rounds, so the machine's drift between two moments stays out of 4c.
    with ExitStack() as kept:
        small: ConnectionTarget | str  # or why it could not be copied
        try:
            small = kept.enter_context(scratch_copy(target, "small"))
        except psycopg.Error as exc:  # the other lines go on; line 4 says why it is missing
            small = f"the small caseload could not be copied: {exc}"
        more_events, more_seconds = _seed(target, plan.district_years, plan.cases, plan.workers)
        caught_up = views.run_views(target, data_dir, "catch-up")  # not a line: see docs
        queue = (
            small if isinstance(small, str) else _queue(small, target, data_dir, plan.queue_rounds)
        )
    run.update(
        district_years=plan.district_years,
        cases_per_district_year=plan.cases,
        cases=_count(target, "SELECT count(*) FROM case_heads"),
        events=_count(target, "SELECT coalesce(max(notification_id), 0) FROM casework_events"),
        seed_events_per_second=(seeded_events + more_events) / (seeded_seconds + more_seconds),
        large_catch_up={
            "events": more_events,
            "seconds": caught_up.seconds,
            "events_per_second": more_events / caught_up.seconds,
            "peak_rss_mb": caught_up.peak_rss_mb,
        },
    )
    return [*catch_up, *_queue_lines(queue), rebuilt, views.runner_memory(runner)]


def _seed(
    target: ConnectionTarget, district_years: int, cases: int, workers: int = 1
) -> tuple[int, float]:
    began = time.perf_counter()
    if workers > 1:
        done = seed_in_parallel(target, district_years=district_years, workers=workers, cases=cases)
    else:
        with seeding_application(target) as app:
            done = seed(app, district_years=district_years, cases=cases)
    return sum(d.events for d in done), time.perf_counter() - began


@dataclass(frozen=True)
class QueueScale:
    """One caseload's share of line 4, taken in the same rounds as the other's: its size, the
    page's plan, and the percentiles (ms) of each of its three measures."""

    cases: int
    plan: str  # EXPLAIN (ANALYZE, BUFFERS) of the page's SQL
    raw_ms: dict[str, float]  # the page's SQL, prepared, on a connection of its own
    api_ms: dict[str, float]  # the page through GraphQL over HTTP
    floor_ms: dict[str, float]  # the smallest request the same caller can send
    items: int  # on the served page
    rounds: int


def _queue(
    small: ConnectionTarget, large: ConnectionTarget, data_dir: Path, rounds: int
) -> dict[str, QueueScale] | str:
    """Line 4's measures at both caseloads, each served by a server of its own (with its data
    folder and log under `data_dir`), all in the same rounds; or why they could not be taken."""
    targets = {"small": small, "large": large}
    cases: dict[str, int] = {}
    plans: dict[str, str] = {}  # the page's plan at each
    for scale, target in targets.items():
        raw.settle(target.dsn)
        cases[scale] = _count(target, "SELECT count(*) FROM case_heads")
        plans[scale] = raw.queue_page_plan(target.dsn, QUEUE_ORG)
    homes = {scale: data_dir / scale for scale in targets}
    try:
        with ExitStack() as opened:
            timed: dict[str, Callable[[], float]] = {}
            callers: dict[str, graphql_load.Caller] = {}
            for scale, target in targets.items():
                homes[scale].mkdir(exist_ok=True)
                server = opened.enter_context(
                    serving(target, homes[scale], homes[scale] / "server.log")
                )
                page = opened.enter_context(closing(raw.QueuePage(target.dsn, QUEUE_ORG)))
                caller = opened.enter_context(closing(graphql_load.Caller(server, QUEUE_ORG)))
                callers[scale] = caller
                timed |= {
                    f"{scale}.raw_ms": page.read,
                    f"{scale}.api_ms": caller.queue_page,
                    f"{scale}.floor_ms": caller.smallest,
                }
            measured = alternating(rounds, timed)
    except (RuntimeError, OSError, HTTPException, psycopg.Error) as exc:
        tails = "; ".join(
            f"{scale} server log: {_tail(home / 'server.log')}" for scale, home in homes.items()
        )
        return f"{exc}; {tails}"
    return {
        scale: QueueScale(
            cases=cases[scale],
            plan=plans[scale],
            raw_ms=measured[f"{scale}.raw_ms"],
            api_ms=measured[f"{scale}.api_ms"],
            floor_ms=measured[f"{scale}.floor_ms"],
            items=callers[scale].items,
            rounds=rounds,
        )
        for scale in targets
    }


def _queue_lines(queue: dict[str, QueueScale] | str) -> list[Line]:
    title = "Work queue: one 50-item page of an organisation's queue through GraphQL (p95)"
    unit, raw_name = "ms", "the raw SQL of that page (p95)"
    smallest = "The smallest authenticated GraphQL query over HTTP (p95)"
    if isinstance(queue, str):  # why it was not measured
        return [
            not_measured("4a", f"{title} at the small caseload", unit, raw_name, queue),
            not_measured("4b", f"{title} at the large caseload", unit, raw_name, queue),
            not_measured("4c", "Work queue p95, large against small", unit, "line 4a", queue),
            not_measured("4d", smallest, unit, "line 4b's baseline", queue),
        ]
    small, large = queue["small"], queue["large"]
    lines = []
    for number, at in (("4a", small), ("4b", large)):
        line = Line(
            number,
            f"{title} at {at.cases:,} cases",
            at.api_ms["p95"],
            unit,
            at.raw_ms["p95"],
            raw_name,
            target="≤ 3" if number == "4b" else "",
            details={
                "graphql_ms": at.api_ms,
                "raw_ms": at.raw_ms,
                "smallest_request_ms": at.floor_ms,
                "items": at.items,
                "rounds": at.rounds,
                "plan": at.plan,
            },
        )
        if number == "4b":
            line.met = line.ratio is not None and line.ratio <= 3
        lines.append(line)
    growth = Line(
        "4c",
        f"Work queue p95 at {large.cases:,} cases against {small.cases:,} cases",
        large.api_ms["p95"],
        unit,
        small.api_ms["p95"],
        f"line 4a's p95 at {small.cases:,} cases, in the same rounds",
        target="≤ 1.5",
        details={
            "raw_ms_p95": {"small": small.raw_ms["p95"], "large": large.raw_ms["p95"]},
            "smallest_request_ms_p95": {
                "small": small.floor_ms["p95"],
                "large": large.floor_ms["p95"],
            },
            "rounds": large.rounds,
        },
    )
    growth.met = growth.ratio is not None and growth.ratio <= 1.5
    floor = Line(
        "4d",
        f"{smallest} at {large.cases:,} cases",
        large.floor_ms["p95"],
        unit,
        large.raw_ms["p95"],
        "line 4b's baseline, the raw SQL of the page (p95): what any request costs against it",
    )
    return [*lines, growth, floor]


def _count(target: ConnectionTarget, query: str) -> int:
    with psycopg.connect(target.dsn, autocommit=True) as conn:
        row = conn.execute(query).fetchone()
    return int(row[0]) if row else 0


def _tail(log: Path) -> str:
    if not log.exists():
        return "(none)"
    lines = log.read_text(errors="replace").strip().splitlines()
    return " | ".join(lines[-3:])
