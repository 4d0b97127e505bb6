"""The as-of index: a case as it stood at an instant, read in one round trip."""

from __future__ import annotations

import datetime as dt
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from psycopg.rows import tuple_row
from psycopg.sql import SQL, Identifier
from psycopg_pool import ConnectionPool

from api.eventstore import snapshot_and_events

# The case's latest version recorded by the instant (served by event_hashes_as_of:
# originator_id, recorded_at, originator_version), then that version's snapshot and events.
_STORED_AS_OF = snapshot_and_events(
    Identifier("public"),
    Identifier("casework_events"),
    Identifier("casework_snapshots"),
    case_id=SQL("%(id)s"),
    top=SQL(
        "(SELECT originator_version FROM event_hashes"
        " WHERE originator_id = %(id)s AND recorded_at <= %(at)s"
        " ORDER BY recorded_at DESC, originator_version DESC LIMIT 1)"
    ),
)


class PostgresTimeline:
    """Reads the seal rows the database writes for every event (recorded time)."""

    def __init__(self, pool: ConnectionPool) -> None:
        self.pool = pool

    def stored_as_of(
        self, case_id: UUID, at: dt.datetime
    ) -> tuple[StoredEvent | None, list[StoredEvent]]:
        """The snapshot and events of the case's version at the instant; (None, []) before it
        was recorded."""
        with self.pool.connection() as conn, conn.cursor(row_factory=tuple_row) as curs:
            rows = curs.execute(_STORED_AS_OF, {"id": case_id, "at": at}, prepare=True).fetchall()
        snapshot, events = None, []
        for kind, version, topic, state in rows:
            stored = StoredEvent(case_id, version, topic, bytes(state))
            if kind == 0:
                snapshot = stored
            else:
                events.append(stored)
        return snapshot, events
