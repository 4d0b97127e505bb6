"""`casework projections`: run, inspect and rebuild the views outside the server."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Annotated

import psycopg
import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from api import migrations
from api.bootstrap import Container, build_container, tune_garbage_collection
from api.cli.common import database, fail, load_settings
from projections.rebuild import Rebuild
from projections.registry import VIEWS, UnknownView, view_classes
from projections.runner import BATCH_SIZE, ProjectionRunner, TableView
from projections.status import view_positions
from projections.supervisor import Supervisor

projections_app = typer.Typer(help="The views (read models) kept from the event log.")

Names = Annotated[
    list[str] | None,
    typer.Argument(help=f"View names: {', '.join(v.name for v in VIEWS)} (default: every view)."),
]
BatchSize = Annotated[int, typer.Option(min=1, max=100_000, help="Events per transaction.")]


@contextmanager
def opened() -> Iterator[Container]:
    """The application on the configured database, whose schema must be current."""
    settings = load_settings()
    with database(settings) as db:
        try:
            container = build_container(settings, db, migrate=db.is_embedded)
        except migrations.SchemaOutOfDate as exc:
            raise fail(str(exc)) from None
        try:
            yield container
        finally:
            container.close()


def chosen(names: list[str] | None) -> list[type[TableView]]:
    """The views named on the command line, or one clear line naming an unknown one."""
    try:
        return view_classes(names or ())
    except UnknownView as exc:
        raise fail(str(exc)) from None


@projections_app.command("run")
def run(
    names: Names = None,
    until_caught_up: Annotated[
        bool, typer.Option("--until-caught-up", help="Apply what is recorded now, then exit.")
    ] = False,
    batch_size: BatchSize = BATCH_SIZE,
) -> None:
    """Keep views up to date (standing by while another process runs them)."""
    classes = chosen(names)
    tune_garbage_collection()
    with opened() as container:
        app = container.application
        if until_caught_up:
            # One runner for all of them: each event is read and decoded once.
            runner = ProjectionRunner(app, [v() for v in classes], batch_size=batch_size)
            read = runner.run_until_caught_up()
            typer.echo(f"read {read} events")
            for name, position in runner.positions().items():
                typer.echo(f"{name}: at {position}")
            return
        supervisor = Supervisor(app, container.database.target.dsn, classes, batch_size=batch_size)

        def stop(signum: int, frame: FrameType | None) -> None:
            del signum, frame
            supervisor.stopping.set()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        supervisor.start()
        typer.echo(f"running {', '.join(v.name for v in classes)}; stop with Ctrl-C")
        supervisor.stopping.wait()
        supervisor.stop()


@projections_app.command("status")
def status(names: Names = None) -> None:
    """Each view's position, how many events it has still to apply, and whether it runs."""
    classes = chosen(names)
    settings = load_settings()
    with database(settings) as db, psycopg.connect(db.target.dsn, autocommit=True) as conn:
        positions = view_positions(conn, [v.name for v in classes])
    table = Table("view", "position", "lag", "runner")
    for p in positions:
        table.add_row(p.name, str(p.position), str(p.lag), "running" if p.running else "none")
    Console().print(table)


@projections_app.command("rebuild")
def rebuild(names: Names = None, batch_size: BatchSize = BATCH_SIZE) -> None:
    """Rebuild views (all when none is named) from the event log in one pass, then swap them in."""
    classes = chosen(names)
    tune_garbage_collection()
    with opened() as container:
        columns = (
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
        )
        with Progress(*columns, console=Console(stderr=True)) as progress:
            # One pass over the log for all of them; swapped in together.
            task = progress.add_task(", ".join(v.name for v in classes), total=None)

            def advance(done: int, total: int) -> None:
                progress.update(task, completed=done, total=total)

            for result in Rebuild(container.application, classes, batch_size).run(advance):
                progress.console.print(
                    f"{result.name}: rebuilt from {result.events} events, at {result.position}"
                )
