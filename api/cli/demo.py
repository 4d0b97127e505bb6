"""`casework demo`: fill the store with a believable caseload through the real commands."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from api import migrations
from api.caseload.parallel import seed_in_parallel
from api.caseload.seed import CASES_PER_DISTRICT_YEAR, Seeded, seed, seeding_application
from api.cli.common import database, fail, load_settings

demo_app = typer.Typer(help="Demonstration data.", no_args_is_help=True)


@demo_app.command("seed")
def seed_command(
    district_years: Annotated[
        int, typer.Option(min=1, max=1000, help="District-years to store (about 9,300 cases each).")
    ] = 1,
    seed_number: Annotated[int, typer.Option("--seed", help="Random seed of the caseload.")] = 2026,
    cases: Annotated[
        int, typer.Option(min=10, max=100_000, help="Cases per district-year.")
    ] = CASES_PER_DISTRICT_YEAR,
    workers: Annotated[
        int, typer.Option(min=1, max=32, help="Processes generating district-years side by side.")
    ] = 2,
) -> None:
    """Store district-years 1..N of generated cases; reruns skip what is stored and resume."""
    settings = load_settings()
    with database(settings) as db:
        if db.is_embedded:
            migrations.upgrade(db.target)
        try:
            migrations.require_up_to_date(db.target)
        except migrations.SchemaOutOfDate as exc:
            raise fail(str(exc)) from None
        console = Console(stderr=True)
        columns = (
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[events]:,} events"),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
        )
        with Progress(*columns, console=console) as bar:
            task = bar.add_task("district-years", total=district_years, events=0)
            total = 0

            def advance(done: Seeded) -> None:
                nonlocal total
                total += done.events
                bar.update(task, advance=1, events=total)
                if not done.skipped:
                    how = "resumed" if done.resumed else "stored"
                    bar.console.print(
                        f"district-year {done.number}: {how} {done.cases:,} cases, "
                        f"{done.events:,} events in {done.seconds:.1f} s"
                    )

            if workers == 1:
                with seeding_application(db.target) as app:
                    results = seed(
                        app,
                        district_years=district_years,
                        seed=seed_number,
                        cases=cases,
                        progress=advance,
                    )
            else:
                results = seed_in_parallel(
                    db.target,
                    district_years=district_years,
                    workers=workers,
                    seed=seed_number,
                    cases=cases,
                    progress=advance,
                )
        skipped = sum(r.skipped for r in results)
        typer.echo(
            f"{district_years} district-years in the store ({skipped} were already there); "
            f"{total:,} events stored now. Start `casework serve` (or `casework projections "
            "run --until-caught-up`) to bring the views up to date."
        )
