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
        where = ".".join(str(p) for p in first["loc"]) or "settings"
        raise fail(f"bad setting {where}: {first['msg']}") from None


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
