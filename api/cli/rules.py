"""`casework rules`: the rules table, and "when is this due?" for operators."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from domain.calendar import WorkCalendar
from domain.deadlines import start_deadline
from domain.rules import UnknownRule, Variant, load_rules

rules_app = typer.Typer(help="The statutory time-limit rules.", no_args_is_help=True)


@rules_app.command("list")
def list_rules() -> None:
    """Print the rules table: id, variant, length, unit, maximum extension, legal basis."""
    book = load_rules()
    table = Table("id", "variant", "length", "unit", "max ext.", "step", "legal basis")
    for rule in book.all():
        table.add_row(
            rule.id,
            str(rule.variant or ""),
            str(rule.length),
            str(rule.unit),
            "" if rule.max_extension is None else str(rule.max_extension),
            rule.step,
            rule.legal_basis,
        )
    Console(width=200).print(table)


@rules_app.command("due")
def due(
    rule_id: Annotated[str, typer.Argument(help="Rule id, e.g. reconsideration.decision.")],
    start_date: Annotated[str, typer.Argument(help="Day the period starts (YYYY-MM-DD).")],
    procedure: Annotated[
        Variant | None, typer.Option(help="Procedure variant, where the rule has one.")
    ] = None,
) -> None:
    """Print when a period starting on START_DATE is due, its legal basis and any warning."""
    try:
        start = dt.date.fromisoformat(start_date)
    except ValueError:
        typer.echo(f"casework: START_DATE must be YYYY-MM-DD, got {start_date!r}", err=True)
        raise typer.Exit(code=2) from None
    try:
        rule = load_rules().get(rule_id, procedure)
    except UnknownRule as exc:
        typer.echo(f"casework: {exc.message}", err=True)
        raise typer.Exit(code=2) from None
    deadline = start_deadline(rule, start, WorkCalendar())
    unit = "working days" if rule.unit == "working_days" else "calendar days"
    variant = f" ({rule.variant})" if rule.variant else ""
    typer.echo(f"{deadline.due_on.isoformat()} {rule.id}{variant}: {rule.length} {unit}")
    typer.echo(f"legal basis: {rule.legal_basis}")
    for warning in deadline.warnings:
        typer.echo(f"warning: {warning}")
