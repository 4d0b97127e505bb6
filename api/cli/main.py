"""`casework`: serve, manage the schema, and operator tools."""

from __future__ import annotations

import logging
import warnings
from typing import Annotated

import typer

from api import migrations
from api.cli.audit import audit_app
from api.cli.common import database, fail, load_settings, warn_if_development_secret
from api.cli.demo import demo_app
from api.cli.projections import projections_app
from api.cli.rules import rules_app
from api.cli.token import token_app
from domain.calendar import CalendarFileError
from domain.rules import RulesFileError

# platformdirs warns when XDG_RUNTIME_DIR is unset (services, containers); its fallback is fine.
warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")

app = typer.Typer(help="Casework: case management for disputes and reviews.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema (alembic) commands.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(rules_app, name="rules")
app.add_typer(projections_app, name="projections")
app.add_typer(audit_app, name="audit")
app.add_typer(token_app, name="token")
app.add_typer(demo_app, name="demo")


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Bind address (default from settings).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default from settings).")] = None,
    migrate: Annotated[
        bool, typer.Option("--migrate", help="Upgrade an out-of-date schema before starting.")
    ] = False,
    access_log: Annotated[
        bool, typer.Option(help="Log a line per request (--no-access-log leaves it out).")
    ] = True,
) -> None:
    """Start the HTTP server: the web UI at /, GraphQL at /graphql, health at /healthz.

    Without DATABASE_URL it runs its own embedded PostgreSQL in CASEWORK_DATA_DIR.
    """
    import uvicorn

    from api.bootstrap import build_container, tune_garbage_collection
    from api.http import create_app

    tune_garbage_collection()  # the server runs the views too

    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("pgserver").setLevel(logging.WARNING)
    settings = load_settings()
    warn_if_development_secret(settings)
    with database(settings) as db:
        # The embedded server belongs to Casework, so its schema follows the code.
        try:
            container = build_container(settings, db, migrate=migrate or db.is_embedded)
        except (migrations.SchemaOutOfDate, RulesFileError, CalendarFileError) as exc:
            raise fail(str(exc)) from None
        try:
            uvicorn.run(
                create_app(container, owns_container=True),
                host=host or settings.host,
                port=port or settings.port,
                log_level="info",
                access_log=access_log,
            )
        finally:
            container.close()


@db_app.command("upgrade")
def db_upgrade(
    revision: Annotated[str, typer.Argument(help="Target revision.")] = "head",
) -> None:
    """Migrate the schema up to REVISION (default: the newest)."""
    with database(load_settings()) as db:
        migrations.upgrade(db.target, revision)
        typer.echo(migrations.status(db.target).describe())


@db_app.command("downgrade")
def db_downgrade(
    revision: Annotated[str, typer.Argument(help="Target revision, or 'base'.")],
) -> None:
    """Migrate the schema down to REVISION."""
    with database(load_settings()) as db:
        migrations.downgrade(db.target, revision)
        typer.echo(migrations.status(db.target).describe())


@db_app.command("status")
def db_status() -> None:
    """Say where the database is and whether its schema is current (exit 1 if not)."""
    with database(load_settings()) as db:
        state = migrations.status(db.target)
        typer.echo(f"database: {db.target.describe()}{' (embedded)' if db.is_embedded else ''}")
        typer.echo(state.describe())
        if not state.up_to_date:
            raise typer.Exit(code=1)


def main() -> None:
    """Console-script entry point."""
    app(prog_name="casework")


if __name__ == "__main__":
    main()
