import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import UUID, uuid5

import psycopg
import pytest
from typer.testing import CliRunner

from api.caseload.buffered import BufferedCasework
from api.caseload.seed import DistrictYear, seed, seed_district_year, seeding_application
from api.cli.main import app as cli
from api.database import ConnectionTarget
from domain.litigation import LitigationCase
from domain.mediation import MediationCase
from domain.petition import Petition
from domain.reconsideration import ReconsiderationCase

CASES = 60


@pytest.fixture
def seeder(database: ConnectionTarget) -> Iterator[BufferedCasework]:
    with seeding_application(database) as app:
        app.flush_every = 25  # several transactions per district-year
        yield app


@pytest.fixture
def seed_number() -> int:
    return random.randrange(10**6, 10**9)


def stored(app: BufferedCasework, district: DistrictYear) -> list[list[tuple[Any, ...]]]:
    """Each case's events, in order of the case's number in its district-year."""
    cases = []
    for n in range(CASES):
        case_id = uuid5(district.namespace, str(n))
        events = app.events.get(case_id)
        cases.append([(type(e).__qualname__, e.originator_version, e.timestamp) for e in events])
    return cases


def test_seeding_again_skips_the_district_years_already_stored(
    seeder: BufferedCasework, seed_number: int
) -> None:
    first = seed(seeder, district_years=2, seed=seed_number, cases=CASES)
    assert [(r.number, r.cases, r.skipped) for r in first] == [
        (1, CASES, False),
        (2, CASES, False),
    ]
    assert all(r.events > CASES * 3 for r in first)
    before = [stored(seeder, DistrictYear(n, seed_number)) for n in (1, 2)]

    again = seed(seeder, district_years=3, seed=seed_number, cases=CASES)

    assert [(r.number, r.skipped, r.events) for r in again[:2]] == [(1, True, 0), (2, True, 0)]
    assert (again[2].number, again[2].skipped, again[2].cases) == (3, False, CASES)
    assert [stored(seeder, DistrictYear(n, seed_number)) for n in (1, 2)] == before


def test_every_case_of_a_district_year_is_stored_with_its_whole_history(
    seeder: BufferedCasework, seed_number: int
) -> None:
    (result,) = seed(seeder, district_years=1, seed=seed_number, cases=CASES)
    cases = stored(seeder, DistrictYear(1, seed_number))
    assert all(case for case in cases)
    assert all([v for _, v, _ in case] == list(range(1, len(case) + 1)) for case in cases)
    assert sum(len(case) for case in cases) == result.events
    orgs = {seeder.get_any_case(uuid5(DistrictYear(1, seed_number).namespace, "0")).organisation}
    assert orgs <= set(DistrictYear(1, seed_number).organisations)


class Interrupted(Exception):
    pass


class Elsewhere(DistrictYear):
    """The same commands as a district-year, under other case ids."""

    @property
    def namespace(self) -> UUID:
        return uuid5(super().namespace, "elsewhere")


def test_a_seed_cut_short_is_completed_by_a_rerun_with_the_same_events_stored_once(
    seeder: BufferedCasework, seed_number: int
) -> None:
    flushes = 0
    real_flush = seeder.flush

    def failing_flush() -> int:
        nonlocal flushes
        flushes += 1
        if flushes == 3:
            raise Interrupted
        return real_flush()

    seeder.flush = failing_flush  # type: ignore[method-assign]
    with pytest.raises(Interrupted):
        seed(seeder, district_years=1, seed=seed_number, cases=CASES)
    del seeder.flush
    district = DistrictYear(1, seed_number)
    partial = stored(seeder, district)
    assert sum(map(len, partial)) > 0

    (resumed,) = seed(seeder, district_years=1, seed=seed_number, cases=CASES)
    seed_district_year(seeder, Elsewhere(1, seed_number), cases=CASES)

    assert (resumed.resumed, resumed.skipped) == (True, False)
    completed = stored(seeder, district)
    assert completed == stored(seeder, Elsewhere(1, seed_number))
    assert all(
        case[: len(before)] == before for case, before in zip(completed, partial, strict=True)
    )
    assert resumed.events == sum(map(len, completed)) - sum(map(len, partial))


def test_the_demo_seed_command_stores_district_years_with_two_workers_and_skips_them_after(
    database: ConnectionTarget, seed_number: int, tmp_path: Path
) -> None:
    env = {"DATABASE_URL": database.url, "CASEWORK_DATA_DIR": str(tmp_path)}
    args = ["demo", "seed", "--district-years", "3", "--cases", "30", "--seed", str(seed_number)]

    first = CliRunner().invoke(cli, [*args, "--workers", "2"], env=env)
    again = CliRunner().invoke(cli, [*args, "--workers", "1"], env=env)

    assert first.exit_code == 0, first.output
    assert "3 district-years in the store (0 were already there)" in first.output
    assert again.exit_code == 0, again.output
    assert "3 district-years in the store (3 were already there); 0 events" in again.output
    with psycopg.connect(database.dsn) as conn:
        rows = conn.execute(
            "SELECT number, cases FROM demo_seed_district_years WHERE seed = %s ORDER BY number",
            (seed_number,),
        ).fetchall()
    assert rows == [(1, 30), (2, 30), (3, 30)]


def test_seeded_cases_get_the_snapshots_the_plain_application_takes(
    seeder: BufferedCasework, seed_number: int
) -> None:
    kinds = (Petition, ReconsiderationCase, LitigationCase, MediationCase)
    seeder.snapshotting_intervals = dict.fromkeys(kinds, 3)  # short, so every case has some
    seed(seeder, district_years=1, seed=seed_number, cases=CASES)
    district = DistrictYear(1, seed_number)
    assert seeder.snapshots is not None
    for n in range(CASES):
        case_id = uuid5(district.namespace, str(n))
        events = list(seeder.events.get(case_id))
        taken = [s.originator_version for s in seeder.snapshots.get(case_id)]
        assert taken == [e.originator_version for e in events if e.originator_version % 3 == 0]
        replayed: Any = None
        for event in events:
            replayed = event.mutate(replayed)
        loaded = seeder.repository.get(case_id)
        assert (loaded.version, loaded.status, loaded.deadlines) == (
            replayed.version,
            replayed.status,
            replayed.deadlines,
        )
