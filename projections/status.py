"""Where each view stands against the event log, read from the database alone."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import psycopg

from projections.reads import Statement
from projections.runner import TRACKING_TABLE, lock_key
from projections.supervisor import LOCK_CLASS

_POSITIONS = f"""
SELECT v.name,
       coalesce(t.notification_id, 0) AS position,
       (SELECT count(*) FROM casework_events e
         WHERE e.notification_id > coalesce(t.notification_id, 0)) AS lag,
       EXISTS (SELECT 1 FROM pg_locks l
                WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2
                  AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
                  AND l.classid = %(lock_class)s::oid AND l.objid = v.lock_key::oid) AS running
FROM unnest(%(names)s::text[], %(keys)s::bigint[]) AS v(name, lock_key)
LEFT JOIN {TRACKING_TABLE} t ON t.application_name = v.name
"""  # noqa: S608  # a constant's name


@dataclass(frozen=True)
class ViewPosition:
    """A view's position, how many recorded events it has still to apply, and if it runs."""

    name: str
    position: int
    lag: int
    running: bool  # some process holds the view's runner lock


def view_positions(conn: psycopg.Connection[Any], names: Sequence[str]) -> list[ViewPosition]:
    """Each named view's position and lag, in the order given."""
    rows = conn.execute(
        _POSITIONS,
        {
            "names": list(names),
            "keys": [lock_key(n) for n in names],
            "lock_class": LOCK_CLASS,
        },
    ).fetchall()
    found = {row[0]: ViewPosition(row[0], int(row[1]), int(row[2]), bool(row[3])) for row in rows}
    return [found[name] for name in names]


_POSITION = f"SELECT notification_id FROM {TRACKING_TABLE} WHERE application_name = %s"  # noqa: S608


def view_position(name: str) -> Statement[int]:
    """A view's position alone (0 before its first batch): all that a poll for a change of
    the view needs, without the lag's count and the lock's look-up of `view_positions`."""
    return Statement(
        _POSITION,
        (name,),
        lambda rows: int(rows[0][0]) if rows else 0,
    )


def head_position(conn: psycopg.Connection[Any]) -> int:
    """The notification id of the newest recorded event (0 when there is none)."""
    row = conn.execute("SELECT coalesce(max(notification_id), 0) FROM casework_events").fetchone()
    return int(row[0]) if row else 0
