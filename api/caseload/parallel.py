"""Seeding with several worker processes: district-years generated side by side.

Generation is Python work and storing is PostgreSQL work; with two workers one generates
while the other's batch is stored. Each worker has its own buffered application.
"""

from __future__ import annotations

import gc
import multiprocessing
import multiprocessing.util
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import ExitStack

import psycopg

from api.caseload.buffered import BufferedCasework
from api.caseload.seed import (
    CASES_PER_DISTRICT_YEAR,
    DEFAULT_SEED,
    DistrictYear,
    Progress,
    Seeded,
    seed_district_year,
    seeding_application,
)
from api.database import ConnectionTarget

_worker: dict[str, BufferedCasework] = {}
_resources = ExitStack()


def _start_worker(target: ConnectionTarget) -> None:
    _worker["app"] = _resources.enter_context(seeding_application(target))
    # Close the pools when the worker exits, before the interpreter tears modules down.
    multiprocessing.util.Finalize(None, _stop_worker, exitpriority=10)


def _stop_worker() -> None:
    _resources.close()
    _worker.clear()
    gc.collect()  # the library's datastores close in __del__: let them, while modules exist


def _seed_one(district: DistrictYear, cases: int) -> Seeded:
    return seed_district_year(_worker["app"], district, cases=cases)


def complete_numbers(target: ConnectionTarget, seed: int) -> set[int]:
    """The district-years of this seed stored completely."""
    with psycopg.connect(target.dsn, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT number FROM demo_seed_district_years WHERE seed = %s", (seed,)
        ).fetchall()
    return {int(row[0]) for row in rows}


def seed_in_parallel(
    target: ConnectionTarget,
    *,
    district_years: int,
    workers: int,
    seed: int = DEFAULT_SEED,
    cases: int = CASES_PER_DISTRICT_YEAR,
    progress: Progress | None = None,
) -> list[Seeded]:
    """Make sure district-years 1..N are stored, `workers` processes generating them."""
    complete = complete_numbers(target, seed)
    done = [Seeded(n, 0, 0, 0.0, skipped=True) for n in sorted(complete) if n <= district_years]
    if progress is not None:
        for seeded in done:
            progress(seeded)
    todo = [n for n in range(1, district_years + 1) if n not in complete]
    context = multiprocessing.get_context("spawn")  # no pool or connection crosses a fork
    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=_start_worker, initargs=(target,)
    ) as pool:
        futures = [pool.submit(_seed_one, DistrictYear(n, seed), cases) for n in todo]
        for future in as_completed(futures):
            seeded = future.result()
            done.append(seeded)
            if progress is not None:
                progress(seeded)
    return sorted(done, key=lambda s: s.number)
