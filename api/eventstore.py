"""The event store's PostgreSQL recorder: the library's, with fewer round trips per command.

A command's save is one transaction as the library makes it (table lock, NOTIFY, the insert
the seal trigger follows, commit), sent as one message instead of a round trip per step.
A case's load reads its latest snapshot and the events after it in one statement.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

import psycopg
from eventsourcing.persistence import (
    InterfaceError,
    OperationalError,
    StoredEvent,
)
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from eventsourcing.utils import retry
from psycopg.sql import SQL, Composable, Identifier

# Saves of more events than this (the demo seed's batches) take the library's path: values as
# literals would double the bytes of a large batch.
LITERAL_BATCH = 50

SNAPSHOTS_SUFFIX = "_snapshots"


class CaseworkRecorder(PostgresApplicationRecorder):
    """Inserts a save's events in one round trip; reads a case with its snapshot in one."""

    def __init__(self, datastore: PostgresDatastore, *, events_table_name: str = "stored_events"):
        super().__init__(datastore, events_table_name=events_table_name)
        self.snapshots_table_name = events_table_name.removesuffix("_events") + SNAPSHOTS_SUFFIX
        schema = Identifier(self.datastore.schema)
        events = Identifier(self.events_table_name)
        snapshots = Identifier(self.snapshots_table_name)
        # The snapshot (kind 0) at or below the version asked for, then the events after it.
        self.select_with_snapshot_statement = SQL(
            "WITH s AS ("
            " SELECT originator_version, topic, state FROM {schema}.{snapshots}"
            " WHERE originator_id = %(id)s AND originator_version <= %(lte)s"
            " ORDER BY originator_version DESC LIMIT 1)"
            " SELECT 0 AS kind, originator_version, topic, state FROM s"
            " UNION ALL"
            " SELECT 1, e.originator_version, e.topic, e.state FROM {schema}.{events} e"
            " WHERE e.originator_id = %(id)s AND e.originator_version <= %(lte)s"
            " AND e.originator_version > coalesce((SELECT originator_version FROM s), 0)"
            " ORDER BY 1, 2"
        ).format(schema=schema, events=events, snapshots=snapshots)
        self.notify_statement = SQL("NOTIFY {0}").format(Identifier(self.channel_name))
        self._insert_head = SQL(
            "INSERT INTO {schema}.{events} (originator_id, originator_version, topic, state)"
            " VALUES "
        ).format(schema=schema, events=events)
        self._save_head: bytes | None = None

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        """BEGIN, lock, NOTIFY, INSERT … RETURNING, COMMIT: one transaction, one message.

        The statements go as one simple query, the values bound on the client. An error
        anywhere (a version taken by a concurrent save, a refused lock) makes the server skip
        the rest, COMMIT included; the transaction is then rolled back here and the error
        raised as the library raises it.
        """
        if not stored_events:
            return []
        if len(stored_events) > LITERAL_BATCH:  # a bulk load: the library's binary array
            bulk: Sequence[int] | None = super().insert_events(stored_events, **kwargs)
            return bulk
        with self.datastore.get_connection() as conn:
            assert conn.autocommit
            if self._save_head is None:
                head = [b"BEGIN", *(_bytes(st, conn) for st in self.lock_table_statements)]
                head.append(self.notify_statement.as_bytes(conn))
                self._save_head = b";".join(head) + b";" + self._insert_head.as_bytes(conn)
            values = b",".join(b"(%s,%s,%s,%s)" for _ in stored_events)
            params = [
                value
                for e in stored_events
                for value in (e.originator_id, e.originator_version, e.topic, e.state)
            ]
            query = self._save_head + values + b" RETURNING notification_id;COMMIT"
            with psycopg.ClientCursor(conn) as curs:
                try:
                    curs.execute(query, params)
                    while not (curs.statusmessage or "").startswith("INSERT") and curs.nextset():
                        pass
                    notification_ids = [row["notification_id"] for row in curs.fetchall()]
                finally:
                    if conn.pgconn.transaction_status != psycopg.pq.TransactionStatus.IDLE:
                        conn.rollback()
        return notification_ids

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def select_with_snapshot(
        self, originator_id: UUID, *, lte: int | None = None
    ) -> tuple[StoredEvent | None, list[StoredEvent]]:
        """The latest snapshot at or below a version (or None) and the events after it."""
        params = {"id": originator_id, "lte": lte if lte is not None else 2**63 - 1}
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(self.select_with_snapshot_statement, params, prepare=True)
            fetched = curs.fetchall()
        snapshot = None
        events = []
        for row in fetched:
            stored = StoredEvent(
                originator_id=originator_id,
                originator_version=row["originator_version"],
                topic=row["topic"],
                state=bytes(row["state"]),
            )
            if row["kind"] == 0:
                snapshot = stored
            else:
                events.append(stored)
        return snapshot, events


def _bytes(statement: object, conn: psycopg.Connection[Any]) -> bytes:
    """A statement of the library's, as the bytes sent for it."""
    if isinstance(statement, Composable):
        return statement.as_bytes(conn)
    if isinstance(statement, str):
        return statement.encode()
    assert isinstance(statement, bytes), statement
    return statement
