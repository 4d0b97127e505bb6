"""The demo seed: whole district-years of cases through the real commands, resumable.

A district-year is one district's year of work (one `generate` run over its own four
organisations), stored many cases per transaction. Its case ids come from a namespace derived
from the seed and its number, and the same seed gives the same commands, so a run cut short
is completed by a rerun: it generates the district-year again and stores only the events not
yet stored. A ledger table names the district-years that are complete; reruns skip them.
"""

from __future__ import annotations

import os
import time
import zlib
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from uuid import UUID, uuid5

from eventsourcing.persistence import IntegrityError
from psycopg_pool import ConnectionPool

from api.caseload import generate
from api.caseload.buffered import BufferedCasework
from api.caseload.references import BlockReferenceAllocator
from api.database import ConnectionTarget
from domain.values import CaseKind

# One district's year (assumptions in docs/benchmarks.md): petitions 信访, reconsiderations
# 行政复议, lawsuits 行政应诉 and mediations 人民调解/行政调解.
DISTRICT_YEAR: Mapping[CaseKind, int] = {
    CaseKind.PETITION: 5000,
    CaseKind.RECONSIDERATION: 1000,
    CaseKind.LITIGATION: 300,
    CaseKind.MEDIATION: 3000,
}
CASES_PER_DISTRICT_YEAR = sum(DISTRICT_YEAR.values())
ARRIVAL_DAYS = 330  # arrivals all year round, so the latest are just received in December
FINISH_SHARE = 0.8
DEFAULT_SEED = 2026
SEED_NAMESPACE = UUID("6f1d3a52-2c4e-4f0b-9a57-cf3b1f0c2026")
# 信访办, 司法局 (复议机构), 区政府法制机构 (应诉), 调解中心
OFFICES = ("XF", "SF", "FZ", "TJ")

Progress = Callable[["Seeded"], None]


@dataclass(frozen=True)
class DistrictYear:
    """Which district-year, with what seed, organisations and case-id namespace."""

    number: int
    seed: int

    @property
    def organisations(self) -> list[str]:
        """The district's four organisations, e.g. D007-XF (S9-D007-XF for another seed)."""
        prefix = "" if self.seed == DEFAULT_SEED else f"S{self.seed}-"
        return [f"{prefix}D{self.number:03d}-{office}" for office in OFFICES]

    @property
    def namespace(self) -> UUID:
        """Where its case ids come from."""
        return uuid5(SEED_NAMESPACE, f"{self.seed}/{self.number}")

    @property
    def generator_seed(self) -> int:
        """The random seed of its commands."""
        return zlib.crc32(f"{self.seed}/{self.number}".encode())


@dataclass(frozen=True)
class Seeded:
    """What one district-year took: its cases and events, or that it was there already."""

    number: int
    cases: int
    events: int
    seconds: float
    skipped: bool = False  # complete already
    resumed: bool = False  # a run cut short had stored part of it


def _connection(app: BufferedCasework) -> Any:
    datastore: Any = getattr(app.recorder, "datastore", None)
    return datastore.get_connection()


def seeded_numbers(app: BufferedCasework, seed: int) -> set[int]:
    """The district-years of this seed stored completely."""
    with _connection(app) as conn:
        rows = conn.execute(
            "SELECT number FROM demo_seed_district_years WHERE seed = %s", (seed,)
        ).fetchall()
    return {int(row["number"]) for row in rows}


def _record(app: BufferedCasework, district: DistrictYear, cases: int) -> None:
    with _connection(app) as conn:
        conn.execute(
            "INSERT INTO demo_seed_district_years (seed, number, cases, events) "
            "VALUES (%s, %s, %s, %s) ON CONFLICT DO NOTHING",
            (district.seed, district.number, cases, app.stored),
        )


def seed_district_year(
    app: BufferedCasework, district: DistrictYear, *, cases: int = CASES_PER_DISTRICT_YEAR
) -> Seeded:
    """Generate and store one district-year; a run cut short is completed, not repeated."""
    began = time.perf_counter()
    app.renew(district.namespace)
    stored_before = app.resume(app.case_id(n) for n in range(cases))
    scale = cases / CASES_PER_DISTRICT_YEAR
    caseload = generate(
        app,
        cases=cases,
        seed=district.generator_seed,
        organisations=district.organisations,
        finish_share=FINISH_SHARE,
        mix={kind: count * scale for kind, count in DISTRICT_YEAR.items()},
        arrival_days=ARRIVAL_DAYS,
    )
    try:
        app.flush()
    except IntegrityError:  # another seed run is storing this district-year too
        app.discard()
        raise
    _record(app, district, len(caseload.case_ids))
    seconds = time.perf_counter() - began
    return Seeded(
        district.number, len(caseload.case_ids), app.stored, seconds, resumed=stored_before > 0
    )


def seed(
    app: BufferedCasework,
    *,
    district_years: int,
    seed: int = DEFAULT_SEED,
    cases: int = CASES_PER_DISTRICT_YEAR,
    progress: Progress | None = None,
) -> list[Seeded]:
    """Make sure district-years 1..N are stored; those already complete are skipped."""
    complete = seeded_numbers(app, seed)
    done = []
    for number in range(1, district_years + 1):
        if number in complete:
            seeded = Seeded(number, 0, 0, 0.0, skipped=True)
        else:
            seeded = seed_district_year(app, DistrictYear(number, seed), cases=cases)
        done.append(seeded)
        if progress is not None:
            progress(seeded)
    return done


@contextmanager
def seeding_application(target: ConnectionTarget) -> Iterator[BufferedCasework]:
    """A buffered application on the database (documents are not attached: no blob store)."""
    for key in ("POSTGRES_ENABLE_DB_FUNCTIONS", "CREATE_TABLE"):
        os.environ.pop(key, None)  # the library reads os.environ too; the target decides
    with ConnectionPool(
        target.dsn, min_size=1, max_size=2, kwargs={"autocommit": True}, name="casework-seed"
    ) as pool:
        app = BufferedCasework(
            env=target.eventsourcing_env(2),
            references=BlockReferenceAllocator(pool),
            namespace=SEED_NAMESPACE,
        )
        try:
            yield app
        finally:
            app.close()
