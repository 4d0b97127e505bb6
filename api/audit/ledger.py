"""The sealed event log as the database holds it: read it, verify it, checkpoint it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import psycopg

from api.audit.offline_verify import ZERO, Checkpoint, Entry, Seal, Stored, Verdict, verify

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)

_SEALS = """
SELECT h.notification_id, h.originator_id, h.originator_version, h.recorded_at, h.prev_hash,
       h.hash, h.chain_hash, p.chain_hash AS prev_chain_hash
  FROM event_hashes h
  LEFT JOIN LATERAL (
      SELECT q.chain_hash FROM event_hashes q
       WHERE q.notification_id < h.notification_id
       ORDER BY q.notification_id DESC LIMIT 1
  ) p ON true
"""
_EVENTS = (
    "SELECT notification_id, originator_id, originator_version, topic, state FROM casework_events"
)


def microseconds(moment: dt.datetime) -> int:
    """Microseconds since 1970 UTC, as the seal's hash encodes the recorded time."""
    return (moment - EPOCH) // dt.timedelta(microseconds=1)


def _entries(events: Iterable[Any], seals: Iterable[Any]) -> list[Entry]:
    stored = {
        int(r[0]): Stored(str(r[1]), int(r[2]), str(r[3] or ""), bytes(r[4] or b"")) for r in events
    }
    sealed = {
        int(r[0]): Seal(
            str(r[1]),
            int(r[2]),
            microseconds(r[3]),
            bytes(r[4]),
            bytes(r[5]),
            bytes(r[6]),
            bytes(r[7]) if r[7] is not None else ZERO,
        )
        for r in seals
    }
    return [Entry(n, stored.get(n), sealed.get(n)) for n in sorted(stored.keys() | sealed.keys())]


def case_entries(conn: psycopg.Connection[Any], case_id: UUID) -> list[Entry]:
    """Every position holding an event of the case, or its seal."""
    events = conn.execute(_EVENTS + " WHERE originator_id = %s", (case_id,))
    seals = conn.execute(_SEALS + " WHERE h.originator_id = %s", (case_id,))
    return _entries(events.fetchall(), seals.fetchall())


def span_entries(
    conn: psycopg.Connection[Any], after: int = 0, up_to: int | None = None
) -> list[Entry]:
    """Every position of the log after one notification id, up to another (inclusive)."""
    top = up_to if up_to is not None else 2**63 - 1
    where = " WHERE {0}notification_id > %s AND {0}notification_id <= %s"
    events = conn.execute(_EVENTS + where.format(""), (after, top)).fetchall()
    seals = conn.execute(_SEALS + where.format("h."), (after, top)).fetchall()
    return _entries(events, seals)


def chain_before(conn: psycopg.Connection[Any], notification_id: int) -> bytes:
    """The running hash just before a position (zeros at the start of the log)."""
    row = conn.execute(
        "SELECT chain_hash FROM event_hashes WHERE notification_id <= %s "
        "ORDER BY notification_id DESC LIMIT 1",
        (notification_id,),
    ).fetchone()
    return bytes(row[0]) if row else ZERO


def checkpoints(
    conn: psycopg.Connection[Any], after: int = 0, up_to: int | None = None
) -> list[Checkpoint]:
    """The checkpoints taken in a stretch of the log."""
    rows = conn.execute(
        "SELECT up_to_notification_id, chain_hash FROM audit_checkpoints "
        "WHERE up_to_notification_id > %s AND up_to_notification_id <= %s "
        "ORDER BY up_to_notification_id",
        (after, up_to if up_to is not None else 2**63 - 1),
    )
    return [Checkpoint(int(r[0]), bytes(r[1])) for r in rows]


def verify_case(conn: psycopg.Connection[Any], case_id: UUID) -> Verdict:
    """Whether one case's chain holds, from its first event to its last."""
    return verify(case_entries(conn, case_id), from_first_version=True, start_chain=None)


def verify_log(conn: psycopg.Connection[Any]) -> Verdict:
    """Whether the whole log holds: every case's chain, the running hash, every checkpoint."""
    return verify(
        span_entries(conn), from_first_version=True, start_chain=ZERO, checkpoints=checkpoints(conn)
    )


@dataclass(frozen=True)
class CheckpointTaken:
    """A checkpoint request's outcome: what was (or would have been) recorded, and why."""

    up_to: int
    chain_hash: bytes
    verdict: Verdict
    written: bool


def take_checkpoint(conn: psycopg.Connection[Any]) -> CheckpointTaken:
    """Verify the log since the last checkpoint and, if it holds, record the running hash."""
    row = conn.execute(
        "SELECT up_to_notification_id, chain_hash FROM audit_checkpoints "
        "ORDER BY up_to_notification_id DESC LIMIT 1"
    ).fetchone()
    after, start = (int(row[0]), bytes(row[1])) if row else (0, ZERO)
    head = conn.execute(
        "SELECT notification_id, chain_hash FROM event_hashes ORDER BY notification_id DESC LIMIT 1"
    ).fetchone()
    up_to, running = (int(head[0]), bytes(head[1])) if head else (0, ZERO)
    if up_to <= after:
        # Nothing new, or the log is now shorter than what was checkpointed.
        verdict = verify_log(conn) if (up_to, running) != (after, start) else Verdict(0, ())
        return CheckpointTaken(after, start, verdict, written=False)
    verdict = verify(
        span_entries(conn, after, up_to), from_first_version=row is None, start_chain=start
    )
    if verdict.holds:
        conn.execute(
            "INSERT INTO audit_checkpoints (up_to_notification_id, chain_hash, event_count) "
            "SELECT %s, %s, count(*) FROM event_hashes WHERE notification_id <= %s",
            (up_to, running, up_to),
        )
    return CheckpointTaken(up_to, running, verdict, written=verdict.holds)
