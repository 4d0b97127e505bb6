"""The event store's PostgreSQL recorder: the library's, with fewer round trips per command.

A command's save is one transaction as the library makes it (table lock, NOTIFY, the insert
the seal trigger follows, commit), sent as one message instead of a round trip per step.
A case's load reads its latest snapshot and the events after it in one statement.

Both go straight to the connection's libpq calls (`PQexec`, `PQexecPrepared`), which wait for
the server without holding the GIL: psycopg's cursor, query conversion and row making cost
more Python than the statements cost the server.
"""

from __future__ import annotations

import hashlib
import weakref
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from types import TracebackType
from typing import Any
from uuid import UUID

import psycopg
from eventsourcing.persistence import (
    DatabaseError,
    DataError,
    IntegrityError,
    InterfaceError,
    InternalError,
    NotSupportedError,
    OperationalError,
    PersistenceError,
    ProgrammingError,
    StoredEvent,
)
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from eventsourcing.utils import retry
from psycopg import pq
from psycopg.errors import error_from_result
from psycopg.sql import SQL, Composable, Composed, Identifier
from psycopg_pool import ConnectionPool

# Saves of more events than this (the demo seed's batches) take the library's path: values as
# literals would double the bytes of a large batch.
LITERAL_BATCH = 50

SNAPSHOTS_SUFFIX = "_snapshots"

# The prepared statements are named after their text's hash: a connection holding one of that
# name holds that statement.
_STATEMENT_PREFIX = b"casework_"
_UUID_OID, _INT8_OID, _TEXT_OID, _BYTEA_OID = 2950, 20, 25, 17
_BINARY = pq.Format.BINARY
_NO_SUCH_STATEMENT = b"26000"  # invalid_sql_statement_name: e.g. after DISCARD ALL
_ALREADY_PREPARED = b"42P05"  # duplicate_prepared_statement
_LATEST = 2**63 - 1


class CaseworkRecorder(PostgresApplicationRecorder):
    """Inserts a save's events in one round trip; reads a case with its snapshot in one."""

    def __init__(self, datastore: PostgresDatastore, *, events_table_name: str = "stored_events"):
        super().__init__(datastore, events_table_name=events_table_name)
        self.snapshots_table_name = events_table_name.removesuffix("_events") + SNAPSHOTS_SUFFIX
        schema = Identifier(self.datastore.schema)
        events = Identifier(self.events_table_name)
        snapshots = Identifier(self.snapshots_table_name)
        # $1 is the case id, $2 the highest version wanted.
        self.select_with_snapshot_statement = snapshot_and_events(
            schema, events, snapshots, case_id=SQL("$1"), top=SQL("$2")
        )
        self.notify_statement = SQL("NOTIFY {0}").format(Identifier(self.channel_name))
        self._insert_head = SQL(
            "INSERT INTO {schema}.{events} (originator_id, originator_version, topic, state)"
            " VALUES "
        ).format(schema=schema, events=events)
        # One event (most commands) is inserted by a prepared statement, planned once.
        self.insert_one_statement = self._insert_head + SQL(
            "($1, $2, $3, $4) RETURNING notification_id"
        )
        self._save_head = b""
        self._statements: dict[bytes, tuple[bytes, list[int]]] = {}
        self._load_name = self._insert_one_name = b""
        self._prepared: weakref.WeakSet[psycopg.Connection[Any]] = weakref.WeakSet()
        self._topics: dict[str, bytes] = {}

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        """Lock, NOTIFY, INSERT … RETURNING: one transaction, one message.

        The statements go as one simple query without BEGIN and COMMIT, so the server runs them
        as one implicit transaction and commits it after the last, before it answers; the
        INSERT's notification ids are the message's last result. An error anywhere (a version
        taken by a concurrent save, a refused lock) rolls the whole message back on the server
        and is raised as the library raises it. One event is inserted by `EXECUTE` of the
        prepared insert, several by one INSERT of literal rows. The values are literals: ids,
        versions and the state's hex digits need no quoting, and topics are quoted by libpq.
        """
        if not stored_events:
            return []
        if len(stored_events) > LITERAL_BATCH:  # a bulk load: the library's binary array
            bulk: Sequence[int] | None = super().insert_events(stored_events, **kwargs)
            return bulk
        with self._connection() as conn:
            pgconn = conn.pgconn
            # Inside an open transaction the message would not commit on its own: refuse it
            # (not an assert, which `python -O` would drop).
            if not conn.autocommit or pgconn.transaction_status != pq.TransactionStatus.IDLE:
                msg = "the event store's connections must be idle and in autocommit mode"
                raise ProgrammingError(msg)
            if conn not in self._prepared:  # the insert's name comes from preparing it
                self._prepare(conn)
            rows = [
                b"'%s',%d,%s,E'\\\\x%s'"
                % (
                    str(e.originator_id).encode(),
                    e.originator_version,
                    self._topic(e.topic, pgconn),
                    e.state.hex().encode(),
                )
                for e in stored_events
            ]
            if len(rows) == 1:
                insert = b"EXECUTE " + self._insert_one_name + b"(" + rows[0] + b")"
            else:
                values = b",".join(b"(" + row + b")" for row in rows)
                insert = self._insert_head.as_bytes(conn) + values + b" RETURNING notification_id"
            # A failed message stored nothing: it was rolled back whole, so it can be resent.
            result = self._run(conn, lambda: pgconn.exec_(self._save_head + insert))
            return [int(result.get_value(row, 0) or b"") for row in range(result.ntuples)]

    def _run(self, conn: psycopg.Connection[Any], call: Callable[[], pq.abc.PGresult]) -> Any:
        """Run a call that uses this connection's prepared statements: prepared first if the
        connection has not got them, again if it lost them (DISCARD ALL); its error raised."""
        if conn not in self._prepared:
            self._prepare(conn)
        result = call()
        if result.error_field(pq.DiagnosticField.SQLSTATE) == _NO_SUCH_STATEMENT:
            self._prepare(conn)
            result = call()
        if result.status != pq.ExecStatus.TUPLES_OK:
            raise error_from_result(result, encoding=conn.info.encoding)
        return result

    def _connection(self) -> AbstractContextManager[psycopg.Connection[Any]]:
        """A pooled connection; the library's `get_connection` until the pool is open."""
        pool = self.datastore.pool
        if pool.closed:
            return self.datastore.get_connection()  # which opens the pool
        return _Checkout(pool)

    def _topic(self, topic: str, pgconn: pq.abc.PGconn) -> bytes:
        """The topic as a quoted literal (a handful of topics, each quoted once)."""
        literal = self._topics.get(topic)
        if literal is None:
            literal = self._topics[topic] = pq.Escaping(pgconn).escape_literal(topic.encode())
        return literal

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def select_with_snapshot(
        self, originator_id: UUID, *, lte: int | None = None
    ) -> tuple[StoredEvent | None, list[StoredEvent]]:
        """The latest snapshot at or below a version (or None) and the events after it."""
        top = lte if lte is not None else _LATEST
        params = [originator_id.bytes, top.to_bytes(8, "big", signed=True)]
        formats = [_BINARY, _BINARY]
        with self._connection() as conn:
            pgconn = conn.pgconn
            result = self._run(
                conn, lambda: pgconn.exec_prepared(self._load_name, params, formats, _BINARY)
            )
        snapshot = None
        events = []
        for row in range(result.ntuples):
            stored = StoredEvent(
                originator_id=originator_id,
                originator_version=int.from_bytes(
                    result.get_value(row, 1) or b"", "big", signed=True
                ),
                topic=(result.get_value(row, 2) or b"").decode(),
                state=result.get_value(row, 3) or b"",
            )
            if int.from_bytes(result.get_value(row, 0) or b"", "big") == 0:
                snapshot = stored
            else:
                events.append(stored)
        return snapshot, events

    def _prepare(self, conn: psycopg.Connection[Any]) -> None:
        """Prepare the load's and the one-event insert's statements on this connection."""
        if not self._statements:
            head = [_bytes(st, conn) for st in self.lock_table_statements]
            head.append(self.notify_statement.as_bytes(conn))
            self._save_head = b";".join(head) + b";"
            load = self.select_with_snapshot_statement.as_bytes(conn)
            insert = self.insert_one_statement.as_bytes(conn)
            self._load_name, self._insert_one_name = _name(load), _name(insert)
            self._statements = {
                self._load_name: (load, [_UUID_OID, _INT8_OID]),
                self._insert_one_name: (insert, [_UUID_OID, _INT8_OID, _TEXT_OID, _BYTEA_OID]),
            }
        for name, (query, types) in self._statements.items():
            result = conn.pgconn.prepare(name, query, types)
            if result.status != pq.ExecStatus.COMMAND_OK and (
                result.error_field(pq.DiagnosticField.SQLSTATE) != _ALREADY_PREPARED
            ):
                raise error_from_result(result, encoding=conn.info.encoding)
        self._prepared.add(conn)


class _Checkout:
    """A connection from the pool for one call, psycopg's errors raised as the library's.

    The library's `get_connection` does the same through two generator-based context managers
    and the connection's own, each step small but paid twice a command."""

    __slots__ = ("conn", "pool")

    def __init__(self, pool: ConnectionPool[psycopg.Connection[Any]]) -> None:
        self.pool = pool

    def __enter__(self) -> psycopg.Connection[Any]:
        try:
            self.conn = self.pool.getconn()
        except psycopg.Error as e:
            raise _persistence_error(e) from e
        return self.conn

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.pool.putconn(self.conn)  # rolls back or replaces a connection left unusable
        if isinstance(exc, psycopg.Error):
            raise _persistence_error(exc) from exc


# As the library's PostgresDatastore.get_connection translates them, in its order.
_ERRORS: tuple[tuple[type[psycopg.Error], type[PersistenceError]], ...] = (
    (psycopg.InterfaceError, InterfaceError),
    (psycopg.OperationalError, OperationalError),
    (psycopg.DataError, DataError),
    (psycopg.IntegrityError, IntegrityError),
    (psycopg.InternalError, InternalError),
    (psycopg.ProgrammingError, ProgrammingError),
    (psycopg.NotSupportedError, NotSupportedError),
    (psycopg.DatabaseError, DatabaseError),
)


def _persistence_error(error: psycopg.Error) -> PersistenceError:
    for theirs, ours in _ERRORS:
        if isinstance(error, theirs):
            return ours(str(error))
    return PersistenceError(str(error))


def _name(query: bytes) -> bytes:
    """A prepared statement's name, from its text."""
    return _STATEMENT_PREFIX + hashlib.sha256(query).hexdigest()[:16].encode()


def snapshot_and_events(
    schema: Identifier, events: Identifier, snapshots: Identifier, *, case_id: SQL, top: SQL
) -> Composed:
    """A case's latest snapshot at or below a version (kind 0) and its events after that
    snapshot up to the version (kind 1), in version order; `top` gives the version."""
    return SQL(
        "WITH s AS ("
        " SELECT originator_version, topic, state FROM {schema}.{snapshots}"
        " WHERE originator_id = {case_id} AND originator_version <= {top}"
        " ORDER BY originator_version DESC LIMIT 1)"
        " SELECT 0 AS kind, originator_version, topic, state FROM s"
        " UNION ALL"
        " SELECT 1, e.originator_version, e.topic, e.state FROM {schema}.{events} e"
        " WHERE e.originator_id = {case_id} AND e.originator_version <= {top}"
        " AND e.originator_version > coalesce((SELECT originator_version FROM s), 0)"
        " ORDER BY 1, 2"
    ).format(schema=schema, events=events, snapshots=snapshots, case_id=case_id, top=top)


def _bytes(statement: object, conn: psycopg.Connection[Any]) -> bytes:
    """A statement of the library's, as the bytes sent for it."""
    if isinstance(statement, Composable):
        return statement.as_bytes(conn)
    if isinstance(statement, str):
        return statement.encode()
    assert isinstance(statement, bytes), statement
    return statement
