"""Where the database is: an existing server named by DATABASE_URL, or an embedded one."""

from __future__ import annotations

import contextlib
import json
import logging
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import psycopg
from psycopg import conninfo, sql

logger = logging.getLogger(__name__)

EMBEDDED_DATABASE = "casework"


class DatabaseUnavailable(Exception):
    """The database cannot be reached or the URL is wrong; the message is one line for operators."""


@dataclass(frozen=True)
class ConnectionTarget:
    """A PostgreSQL database to connect to, with every derived connection form."""

    host: str
    port: int
    dbname: str
    user: str
    password: str = ""
    connect_timeout: int = 5

    @classmethod
    def from_url(cls, url: str, connect_timeout: int = 5) -> ConnectionTarget:
        """Parse a postgresql:// URL (or libpq conninfo) into a target."""
        try:
            params = conninfo.conninfo_to_dict(url)
        except psycopg.ProgrammingError as exc:
            first_line = str(exc).splitlines()[0]
            msg = f"DATABASE_URL is not a valid PostgreSQL URL: {first_line}"
            raise DatabaseUnavailable(msg) from None
        try:
            port = int(str(params.get("port") or 5432))
        except ValueError:
            msg = f"DATABASE_URL has a port that is not a number: {params.get('port')!r}"
            raise DatabaseUnavailable(msg) from None
        return cls(
            host=str(params.get("host") or "localhost"),
            port=port,
            dbname=str(params.get("dbname") or params.get("user") or "postgres"),
            user=str(params.get("user") or "postgres"),
            password=str(params.get("password") or ""),
            connect_timeout=connect_timeout,
        )

    @property
    def dsn(self) -> str:
        """The libpq connection string."""
        return conninfo.make_conninfo(
            host=self.host,
            port=str(self.port),
            dbname=self.dbname,
            user=self.user,
            password=self.password or None,
            connect_timeout=str(self.connect_timeout),
            application_name="casework",
        )

    @property
    def url(self) -> str:
        """The same target as a postgresql:// URL (socket directories as a host parameter)."""
        auth = quote(self.user, safe="")
        if self.password:
            auth += ":" + quote(self.password, safe="")
        if self.host.startswith("/"):
            query = urlencode({"host": self.host, "port": self.port})
            return f"postgresql://{auth}@/{quote(self.dbname, safe='')}?{query}"
        return f"postgresql://{auth}@{self.host}:{self.port}/{quote(self.dbname, safe='')}"

    def describe(self) -> str:
        """Where this target points, without secrets."""
        return f"{self.host}:{self.port}/{self.dbname} as {self.user}"

    def with_database(self, dbname: str) -> ConnectionTarget:
        """The same server, another database."""
        return replace(self, dbname=dbname)

    def eventsourcing_env(self, pool_size: int) -> dict[str, str]:
        """The eventsourcing library's POSTGRES_* environment for this target."""
        return {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": self.dbname,
            "POSTGRES_HOST": self.host,
            "POSTGRES_PORT": str(self.port),
            "POSTGRES_USER": self.user,
            "POSTGRES_PASSWORD": self.password,
            "POSTGRES_CONNECT_TIMEOUT": str(self.connect_timeout),
            "POSTGRES_POOL_SIZE": str(pool_size),
            "POSTGRES_MAX_OVERFLOW": str(pool_size),
            # Alembic owns the schema; the library must never create or alter tables.
            "CREATE_TABLE": "no",
            "SINGLE_ROW_TRACKING": "yes",
            # The library's recorder, sending a save (lock, NOTIFY, insert, commit) and a
            # case's load (snapshot and the events after it) in one round trip each.
            "APPLICATION_RECORDER_TOPIC": "api.eventstore:CaseworkRecorder",
            # Never the DB-function insert path: it skips the table lock that keeps
            # notification ids in commit order, and projections would miss events.
            "POSTGRES_ENABLE_DB_FUNCTIONS": "no",
        }

    def connect(self, **kwargs: Any) -> psycopg.Connection[Any]:
        """Open one connection, or raise DatabaseUnavailable with a one-line reason."""
        try:
            return psycopg.connect(self.dsn, **kwargs)
        except psycopg.OperationalError as exc:
            lines = [line.strip() for line in str(exc).strip().splitlines() if line.strip()]
            reason = lines[0].rsplit("failed:", 1)[-1].strip() if lines else "no reason given"
            msg = (
                f"cannot connect to PostgreSQL at {self.describe()}: {reason}. "
                "Check DATABASE_URL, that the server is running, and that it accepts "
                "connections from this host."
            )
            raise DatabaseUnavailable(msg) from None

    def ping(self) -> None:
        """Raise DatabaseUnavailable unless the database answers a query."""
        with self.connect() as conn:
            conn.execute("SELECT 1")

    def create_database(self, dbname: str, *, template: str | None = None) -> None:
        """Create a database on this server (from this target's database); with `template`, a
        copy of that database, which nobody may be connected to meanwhile."""
        statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(dbname))
        if template is not None:
            statement += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
        with self.connect(autocommit=True) as conn:
            conn.execute(statement)

    def drop_database(self, dbname: str) -> None:
        """Drop a database on this server, disconnecting its sessions."""
        with self.connect(autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(dbname))
            )

    def database_exists(self, dbname: str) -> bool:
        """Whether a database of that name exists on this server."""
        with self.connect() as conn:
            row = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (dbname,)).fetchone()
            return row is not None


class EmbeddedPostgres:
    """A PostgreSQL server run by Casework itself in a data directory, stopped on exit."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self._server: Any = None

    def start(self) -> ConnectionTarget:
        """Start (or join) the embedded server and return the Casework database on it."""
        import pgserver  # imported here: only the embedded mode needs it

        pgdata = self.data_dir / "pgdata"
        pgdata.parent.mkdir(parents=True, exist_ok=True)
        logger.info("starting embedded PostgreSQL in %s", pgdata)
        try:
            self._server = pgserver.get_server(  # type: ignore[attr-defined]
                pgdata, cleanup_mode="stop"
            )
        except Exception as exc:  # pgserver raises subprocess and OS errors of many kinds
            msg = (
                f"cannot start the embedded PostgreSQL in {pgdata}: {exc}. "
                "Check that the directory is writable, "
                "or set DATABASE_URL to use an existing server."
            )
            raise DatabaseUnavailable(msg) from exc
        info = self._server.get_postmaster_info()
        admin = ConnectionTarget(
            host=str(info.socket_dir or info.hostname),
            port=int(info.port or 5432),
            dbname="postgres",
            user="postgres",
        )
        if not admin.database_exists(EMBEDDED_DATABASE):
            admin.create_database(EMBEDDED_DATABASE)
        return admin.with_database(EMBEDDED_DATABASE)

    def _forget_dead_users(self) -> None:
        # pgserver stops the server when its last user process exits; a user that was
        # killed stays listed forever and the server would never stop. Forget those.
        handles = self.data_dir / "pgdata" / ".handle_pids.json"
        if not handles.exists():
            return
        import psutil

        with contextlib.suppress(OSError, ValueError):
            pids = json.loads(handles.read_text())
            alive = [pid for pid in pids if isinstance(pid, int) and psutil.pid_exists(pid)]
            if alive != pids:
                handles.write_text(json.dumps(alive))

    def stop(self) -> None:
        """Stop the server if this process was its last user."""
        self._forget_dead_users()
        if self._server is not None:
            with contextlib.suppress(Exception):
                self._server.cleanup()
            self._server = None
