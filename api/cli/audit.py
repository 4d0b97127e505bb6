"""`casework audit`: verify the sealed log, take checkpoints, export bundles, reconstruct cases."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any
from uuid import UUID

import psycopg
import typer
from psycopg_pool import ConnectionPool

from api.audit import export, ledger
from api.audit.blobs import FileBlobStore
from api.audit.decisions import decision_history
from api.audit.offline_verify import Verdict
from api.audit.timeline import PostgresTimeline
from api.bootstrap import build_application
from api.cli.common import database, load_settings
from api.references import PostgresReferenceAllocator
from domain.application import Casework
from domain.case import CaseFile
from domain.deadlines import days_left
from domain.errors import DomainError
from domain.step import CHINA, china_date

audit_app = typer.Typer(
    help="Tamper evidence and reconstruction for auditors.", no_args_is_help=True
)

CaseOption = Annotated[UUID | None, typer.Option("--case", help="Case id (UUID).")]


@contextmanager
def _connection() -> Iterator[tuple[psycopg.Connection[Any], Path]]:
    settings = load_settings()
    with database(settings) as db, db.target.connect(autocommit=True) as conn:
        yield conn, settings.blob_path


def _report(verdict: Verdict) -> None:
    if verdict.holds:
        typer.echo(f"OK: {verdict.checked} events checked; the chain holds")
        return
    assert verdict.first is not None
    typer.echo(f"BROKEN: first bad event: {verdict.first}")
    for problem in verdict.problems[1:]:
        typer.echo(f"  also: {problem}")
    raise typer.Exit(code=1)


@audit_app.command("verify")
def verify(case: CaseOption = None) -> None:
    """Recompute every seal (or one case's) and name the first event where the chain breaks."""
    with _connection() as (conn, _):
        _report(ledger.verify_case(conn, case) if case else ledger.verify_log(conn))


@audit_app.command("checkpoint")
def checkpoint() -> None:
    """Verify the log since the last checkpoint and record its running hash."""
    with _connection() as (conn, _):
        taken = ledger.take_checkpoint(conn)
    if not taken.verdict.holds:
        typer.echo("no checkpoint taken: the log does not verify")
        _report(taken.verdict)
    done = "checkpoint" if taken.written else "nothing new since the checkpoint"
    typer.echo(f"{done} at event {taken.up_to}: {taken.chain_hash.hex()}")


def _day(value: str | None, option: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        typer.echo(f"casework: {option} must be YYYY-MM-DD, got {value!r}", err=True)
        raise typer.Exit(code=2) from None


@audit_app.command("export")
def export_bundle(
    out: Annotated[Path, typer.Option("--out", help="New directory to write the bundle into.")],
    case: CaseOption = None,
    first: Annotated[str | None, typer.Option("--from", help="First day (YYYY-MM-DD).")] = None,
    last: Annotated[str | None, typer.Option("--to", help="Last day (YYYY-MM-DD).")] = None,
    with_documents: Annotated[
        bool, typer.Option("--with-documents", help="Copy the documents' content too.")
    ] = False,
) -> None:
    """Write a bundle an auditor checks offline with `python verify.py DIR`."""
    first_day, last_day = _day(first, "--from"), _day(last, "--to")
    if (case is None) == (first_day is None or last_day is None):
        typer.echo("casework: give either --case ID or both --from and --to", err=True)
        raise typer.Exit(code=2)
    with _connection() as (conn, blob_path):
        blobs = FileBlobStore(blob_path) if with_documents else None
        try:
            if case is not None:
                bundle = export.export_case(conn, case, out, blobs)
            else:
                assert first_day is not None
                assert last_day is not None
                bundle = export.export_period(conn, first_day, last_day, out, blobs)
        except FileExistsError as exc:
            typer.echo(f"casework: {exc}", err=True)
            raise typer.Exit(code=2) from None
    typer.echo(f"wrote {bundle.events} events and {bundle.documents} documents to {bundle.path}")
    for sha256 in bundle.missing_documents:
        typer.echo(f"warning: the blob store has no content for document {sha256}")


@contextmanager
def _application() -> Iterator[Casework]:
    settings = load_settings()
    with database(settings) as db, ConnectionPool(db.target.dsn, min_size=1, max_size=2) as pool:
        app = build_application(db.target, settings, PostgresReferenceAllocator(pool))
        app.timeline = PostgresTimeline(pool)
        app.blobs = FileBlobStore(settings.blob_path)
        try:
            yield app
        finally:
            app.close()


def _instant(value: str) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        typer.echo(f"casework: --as-of must be an ISO date-time, got {value!r}", err=True)
        raise typer.Exit(code=2) from None
    # A bare date-time is read in China Standard Time, as users state it.
    return moment if moment.tzinfo else moment.replace(tzinfo=CHINA)


@audit_app.command("show")
def show(
    case: Annotated[UUID, typer.Option("--case", help="Case id (UUID).")],
    as_of: Annotated[
        str, typer.Option("--as-of", help="Instant, e.g. 2026-03-15T18:00 (CST unless given).")
    ],
) -> None:
    """Print the case as it stood at an instant, with its deadlines as they ran that day."""
    at = _instant(as_of)
    with _application() as app:
        try:
            state = app.case_as_of(case, CaseFile, at)
        except DomainError as exc:
            typer.echo(f"casework: {exc.message}", err=True)
            raise typer.Exit(code=1) from None
    today = china_date(at)
    typer.echo(
        f"{state.reference} {state.title} — as of {at.isoformat()} (version {state.version})"
    )
    typer.echo(f"status: {state.status_label()}; assignee: {state.assignee or '-'}")
    for deadline in state.deadlines.values():
        left = days_left(deadline, today)
        running = "suspended" if left is None else f"{left} days left on {today}"
        typer.echo(f"deadline {deadline.rule_id}: due {deadline.due_on} ({running})")
    for document in state.documents:
        typer.echo(f"document {document.sha256} {document.name} ({document.size} bytes)")


@audit_app.command("decisions")
def decisions(case: Annotated[UUID, typer.Option("--case", help="Case id (UUID).")]) -> None:
    """List every decision of the case: who, approved by whom, basis, reason, evidence held."""
    with _application() as app:
        try:
            history = decision_history(app, case)
        except DomainError as exc:
            typer.echo(f"casework: {exc.message}", err=True)
            raise typer.Exit(code=1) from None
    for record in history:
        approver = record.approver.id if record.approver else "-"
        typer.echo(
            f"v{record.version} {record.at.astimezone(CHINA).isoformat()} {record.step} "
            f"by {record.decider.id} ({record.decider.role}), approved by {approver}; "
            f"basis: {record.legal_basis or '-'}; reason: {record.reason or '-'}"
        )
        for document in record.documents:
            typer.echo(f"    held {document.sha256} {document.name}")
