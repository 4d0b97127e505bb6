"""Reference numbers from a PostgreSQL counter row per kind and year (no duplicates, ever)."""

from __future__ import annotations

from psycopg_pool import ConnectionPool

from domain.values import CaseKind

_NEXT = """
INSERT INTO case_reference_counters AS c (kind, year, last_number) VALUES (%s, %s, 1)
ON CONFLICT (kind, year) DO UPDATE SET last_number = c.last_number + 1
RETURNING last_number
"""


class PostgresReferenceAllocator:
    """Each call commits its own increment; the row lock serialises concurrent callers."""

    def __init__(self, pool: ConnectionPool) -> None:
        self.pool = pool

    def next_number(self, kind: CaseKind, year: int) -> int:
        """The next number for the kind and year."""
        with self.pool.connection() as conn:
            row = conn.execute(_NEXT, (str(kind), year)).fetchone()
        assert row is not None
        return int(row[0])
