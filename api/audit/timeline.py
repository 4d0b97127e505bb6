"""The as-of index: a case's latest version recorded by an instant, one index probe."""

from __future__ import annotations

import datetime as dt
from uuid import UUID

from psycopg_pool import ConnectionPool

# Served by event_hashes_as_of (originator_id, recorded_at, originator_version).
_VERSION_AT = """
SELECT originator_version FROM event_hashes
 WHERE originator_id = %s AND recorded_at <= %s
 ORDER BY recorded_at DESC, originator_version DESC LIMIT 1
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
