"""What every `casework` command shares: settings, the database, one-line failures."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer
from pydantic import ValidationError

from api.bootstrap import Database, open_database
from api.database import DatabaseUnavailable
from api.settings import Settings


def fail(message: str) -> typer.Exit:
    """Print one line to stderr and return the exit to raise."""
    typer.echo(f"casework: {message}", err=True)
    return typer.Exit(code=2)


def load_settings() -> Settings:
    """Settings from the environment, or one clear line naming what is wrong."""
    try:
        return Settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        field = str(first["loc"][0]).upper() if first["loc"] else "SETTINGS"
        where = field if field.startswith(("DATABASE_URL", "CASEWORK_")) else f"CASEWORK_{field}"
        message = str(first["msg"]).removeprefix("Value error, ")
        raise fail(f"bad setting {where}: {message}") from None


def warn_if_development_secret(settings: Settings) -> None:
    """Say, on stderr, that tokens are signed with the key anyone can read in the source."""
    if settings.uses_development_secret:
        typer.echo(
            "casework: warning: CASEWORK_JWT_SECRET is not set, so tokens are signed with the "
            "public development key; set it before anyone else can reach this server",
            err=True,
        )


@contextmanager
def database(settings: Settings) -> Iterator[Database]:
    """The resolved database for a command, stopped afterwards."""
    try:
        db = open_database(settings)
    except DatabaseUnavailable as exc:
        raise fail(str(exc)) from None
    try:
        yield db
    finally:
        db.close()
