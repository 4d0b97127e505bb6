"""Baselines: what this PostgreSQL does with plain psycopg and no application in between."""

from __future__ import annotations

import os
import time

import psycopg

from bench.measure import rate

_SCRATCH = """
CREATE TABLE IF NOT EXISTS bench_rows (
    originator_id uuid NOT NULL, originator_version bigint NOT NULL, topic text, state bytea,
    notification_id bigserial, PRIMARY KEY (originator_id, originator_version)
)
"""
_INSERT = (
    "INSERT INTO bench_rows (originator_id, originator_version, topic, state) "
    "VALUES (%s, %s, %s, %s)"
)
TOPIC = "domain.petition:Petition.Assigned"


def _fresh_table(conn: psycopg.Connection[tuple[object, ...]]) -> None:
    conn.execute("DROP TABLE IF EXISTS bench_rows")
    conn.execute(_SCRATCH)
    conn.commit()


def single_row_commits(dsn: str, count: int, size: int) -> float:
    """Single-row INSERT-and-commit transactions per second, rows of `size` bytes."""
    with psycopg.connect(dsn) as conn:
        _fresh_table(conn)
        state = os.urandom(size)
        began = time.perf_counter()
        for n in range(count):
            conn.execute(_INSERT, (_uuid(n), 1, TOPIC, state))
            conn.commit()
        return rate(count, time.perf_counter() - began)


def batched_insert(dsn: str, count: int, size: int, batch: int) -> float:
    """Rows per second inserted `batch` rows per transaction (executemany)."""
    with psycopg.connect(dsn) as conn:
        _fresh_table(conn)
        state = os.urandom(size)
        began = time.perf_counter()
        for start in range(0, count, batch):
            rows = [(_uuid(n), 1, TOPIC, state) for n in range(start, min(count, start + batch))]
            with conn.cursor() as curs:
                curs.executemany(_INSERT, rows)
            conn.commit()
        return rate(count, time.perf_counter() - began)


def sequential_read(dsn: str, batch: int) -> tuple[float, int]:
    """Event rows per second read in notification order, `batch` at a time (as runners page)."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        position, total = 0, 0
        began = time.perf_counter()
        while True:
            rows = conn.execute(
                "SELECT * FROM casework_events WHERE notification_id > %s "
                "ORDER BY notification_id LIMIT %s",
                (position, batch),
                prepare=True,
            ).fetchall()
            if not rows:
                break
            total += len(rows)
            position = rows[-1][4]
        return rate(total, time.perf_counter() - began), total


QUEUE_PAGE = """
SELECT case_id, rule_id, kind, reference, title, organisation, assignee, step, due_on,
       suspended, extended_by, warnings, legal_basis
FROM work_items WHERE organisation = %s ORDER BY due_on, case_id, rule_id LIMIT 51
"""


class QueuePage:
    """The SQL of one 50-item queue page, read over one connection as a prepared statement."""

    def __init__(self, dsn: str, organisation: str) -> None:
        self.conn = psycopg.connect(dsn, autocommit=True)
        self.organisation = organisation

    def read(self) -> float:
        """Seconds to read the page, rows fetched."""
        began = time.perf_counter()
        self.conn.execute(QUEUE_PAGE, (self.organisation,), prepare=True).fetchall()
        return time.perf_counter() - began

    def close(self) -> None:
        """Close the connection."""
        self.conn.close()


def settle(dsn: str) -> None:
    """Vacuum and analyze the database, so a read is not measured against autovacuum's work."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


def queue_page_plan(dsn: str, organisation: str) -> str:
    """The page's plan, as executed (EXPLAIN ANALYZE, BUFFERS)."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        rows = conn.execute("EXPLAIN (ANALYZE, BUFFERS) " + QUEUE_PAGE, (organisation,)).fetchall()
    return "\n".join(str(row[0]) for row in rows)


def mean_event_size(dsn: str, topic_like: str) -> int:
    """The mean stored size of events whose topic matches, in bytes."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        row = conn.execute(
            "SELECT coalesce(avg(octet_length(state)), 0)::int FROM casework_events "
            "WHERE topic LIKE %s",
            (topic_like,),
        ).fetchone()
    return int(row[0]) if row else 0


def _uuid(n: int) -> str:
    return f"00000000-0000-4000-8000-{n:012d}"
