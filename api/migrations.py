"""Schema migrations: alembic, driven from Casework's own connection target."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from alembic.config import Config
from alembic.script import ScriptDirectory

from alembic import command
from api.database import ConnectionTarget

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ALEMBIC_INI = PROJECT_ROOT / "alembic.ini"


class SchemaOutOfDate(Exception):
    """The database schema is not at the revision this code expects."""


@dataclass(frozen=True)
class SchemaStatus:
    """Where the database schema is, against where the code needs it."""

    current: str | None
    head: str

    @property
    def up_to_date(self) -> bool:
        """Whether the database is at the code's head revision."""
        return self.current == self.head

    def describe(self) -> str:
        """One line for operators."""
        current = self.current or "empty (no Casework schema)"
        if self.up_to_date:
            return f"schema is up to date at revision {self.head}"
        return f"schema is at {current}; this version of Casework needs {self.head}"


def alembic_config(target: ConnectionTarget) -> Config:
    """An alembic Config bound to this target's database."""
    if not ALEMBIC_INI.exists():
        msg = f"alembic.ini not found at {ALEMBIC_INI}; install Casework from its checkout"
        raise FileNotFoundError(msg)
    config = Config(str(ALEMBIC_INI))
    config.attributes["dsn"] = target.dsn
    return config


def head_revision() -> str:
    """The newest revision the code knows."""
    script = ScriptDirectory.from_config(Config(str(ALEMBIC_INI)))
    head = script.get_current_head()
    assert head is not None, "alembic has no revisions"
    return head


def all_revisions() -> list[str]:
    """Every revision, oldest first."""
    script = ScriptDirectory.from_config(Config(str(ALEMBIC_INI)))
    return [rev.revision for rev in reversed(list(script.walk_revisions()))]


def current_revision(target: ConnectionTarget) -> str | None:
    """The revision the database is at, or None for an empty database."""
    with target.connect() as conn:
        exists = conn.execute("SELECT to_regclass('public.alembic_version')").fetchone()
        if exists is None or exists[0] is None:
            return None
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        return None if row is None else str(row[0])


def status(target: ConnectionTarget) -> SchemaStatus:
    """The schema's status on this target."""
    return SchemaStatus(current=current_revision(target), head=head_revision())


def upgrade(target: ConnectionTarget, revision: str = "head") -> None:
    """Migrate the database up to a revision."""
    command.upgrade(alembic_config(target), revision)


def downgrade(target: ConnectionTarget, revision: str) -> None:
    """Migrate the database down to a revision ("base" removes everything)."""
    command.downgrade(alembic_config(target), revision)


def require_up_to_date(target: ConnectionTarget) -> None:
    """Raise SchemaOutOfDate, naming the fix, unless the schema is current."""
    state = status(target)
    if not state.up_to_date:
        fix = "Run `casework db upgrade` (or start with `casework serve --migrate`)."
        msg = f"{state.describe()}. {fix}"
        raise SchemaOutOfDate(msg)
