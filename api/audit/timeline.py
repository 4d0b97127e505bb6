"""The as-of index: a case's latest version recorded by an instant, one index probe."""

from __future__ import annotations

import datetime as dt
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from psycopg.rows import tuple_row
from psycopg_pool import ConnectionPool

# Served by event_hashes_as_of (originator_id, recorded_at, originator_version).
_VERSION_AT = """
SELECT originator_version FROM event_hashes
 WHERE originator_id = %s AND recorded_at <= %s
 ORDER BY recorded_at DESC, originator_version DESC LIMIT 1
"""

# The same probe, then the latest snapshot at or below that version and the events after it up
# to it (kind 0: the snapshot, 1: an event): a case as of an instant in one round trip.
_STORED_AS_OF = """
WITH v AS (
    SELECT originator_version FROM event_hashes
     WHERE originator_id = %(id)s AND recorded_at <= %(at)s
     ORDER BY recorded_at DESC, originator_version DESC LIMIT 1),
s AS (
    SELECT originator_version, topic, state FROM casework_snapshots
     WHERE originator_id = %(id)s AND originator_version <= (SELECT originator_version FROM v)
     ORDER BY originator_version DESC LIMIT 1)
SELECT 0 AS kind, originator_version, topic, state FROM s
UNION ALL
SELECT 1, e.originator_version, e.topic, e.state FROM casework_events e
 WHERE e.originator_id = %(id)s AND e.originator_version <= (SELECT originator_version FROM v)
   AND e.originator_version > coalesce((SELECT originator_version FROM s), 0)
ORDER BY 1, 2
"""


class PostgresTimeline:
    """Reads the seal rows the database writes for every event (recorded time)."""

    def __init__(self, pool: ConnectionPool) -> None:
        self.pool = pool

    def version_at(self, case_id: UUID, at: dt.datetime) -> int | None:
        """The case's version at the instant, or None if it was not yet recorded."""
        with self.pool.connection() as conn:
            row = conn.execute(_VERSION_AT, (case_id, at)).fetchone()
        return None if row is None else int(row[0])

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
