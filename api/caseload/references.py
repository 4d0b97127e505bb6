"""Reference numbers taken from the shared counter a block at a time, for bulk loading."""

from __future__ import annotations

from psycopg_pool import ConnectionPool

from domain.values import CaseKind

BLOCK = 500

_TAKE = """
INSERT INTO case_reference_counters AS c (kind, year, last_number) VALUES (%s, %s, %s)
ON CONFLICT (kind, year) DO UPDATE SET last_number = c.last_number + EXCLUDED.last_number
RETURNING last_number
"""


class BlockReferenceAllocator:
    """Takes `block` numbers per round trip; numbers left unused at the end are never reused."""

    def __init__(self, pool: ConnectionPool, block: int = BLOCK) -> None:
        self.pool = pool
        self.block = block
        self._next: dict[tuple[CaseKind, int], tuple[int, int]] = {}  # next, last of block

    def next_number(self, kind: CaseKind, year: int) -> int:
        """The next number of the block taken for the kind and year, taking a new block."""
        number, last = self._next.get((kind, year), (1, 0))
        if number > last:
            with self.pool.connection() as conn:
                row = conn.execute(_TAKE, (str(kind), year, self.block)).fetchone()
            assert row is not None
            last = int(row[0])
            number = last - self.block + 1
        self._next[(kind, year)] = (number + 1, last)
        return number
