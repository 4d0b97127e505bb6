"""Accountability trail: who did what on which case, when, why and on what basis (谁决策谁负责)."""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from psycopg import Connection, Cursor, sql
from psycopg.rows import DictRow, dict_row

from domain.case import CaseFile
from projections.runner import Change, TableView, ViewBatch, json_rows

# Steps that decide a case's course or outcome even without an approver; any approved step
# is decision-bearing too. These are the acts 责任倒查 follows back from an outcome.
DECISIVE_STEPS = frozenset(
    {
        ("reconsideration", "correction_requested"),
        ("reconsideration", "accepted"),
        ("reconsideration", "refused"),
        ("reconsideration", "hearing_officer_assigned"),
        ("reconsideration", "suspended"),
        ("reconsideration", "terminated"),
        ("reconsideration", "settled"),
        ("reconsideration", "decided"),
        ("litigation", "defence_filed"),
        ("litigation", "appearance_planned"),
        ("litigation", "appeal_filed"),
        ("litigation", "performance_refused"),
        ("petition", "not_accepted"),
        ("petition", "accepted"),
        ("petition", "diverted"),
        ("petition", "opinion_issued"),
        ("mediation", "agreement_reached"),
        ("mediation", "mediation_failed"),
        ("mediation", "party_refused"),
    }
)

# The batch's rows go as one JSON array, unpacked into the table's own row type by the server:
# one statement a batch instead of one execution a row.
_INSERT = """
INSERT INTO {trail_entries} SELECT * FROM json_populate_recordset(NULL::{trail_entries}, %s)
"""
_LINK = """
INSERT INTO {trail_links} (case_id, linked_case_id, relation, position)
VALUES (%s, %s, %s, %s) ON CONFLICT (case_id, linked_case_id) DO NOTHING
"""


def step_name(event: object) -> str:
    """The readable name of a step from its event class: "DefenceFiled" -> "defence_filed"."""
    return _step_name(type(event).__name__)


@functools.cache  # one per event class
def _step_name(class_name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", class_name).lower()


class TrailView(TableView):
    """Keeps one trail row per event, and the links between cases, in step with the log."""

    name = "trail"
    tables = ("trail_entries", "trail_links")

    def __init__(self, suffix: str = "") -> None:
        super().__init__(suffix)
        self._insert = self.sql(_INSERT)
        self._link = self.sql(_LINK)

    def batch(self, curs: Cursor[DictRow]) -> ViewBatch:
        """The batch's trail rows and links, written together in log order."""
        return _TrailBatch(self, curs)


class _TrailBatch(ViewBatch):
    view: TrailView

    def __init__(self, view: TrailView, curs: Cursor[DictRow]) -> None:
        super().__init__(view, curs)
        self.entries: list[dict[str, Any]] = []
        self.links: list[tuple[UUID, UUID, str, int]] = []

    def add(self, change: Change) -> None:
        """The event's trail row (and its link, for a link event)."""
        event, case = change.event, change.case
        step = step_name(event)
        approver = event.approver
        self.entries.append(
            {
                "position": change.position,
                "case_id": change.case_id,
                "version": change.version,
                "at": event.timestamp,
                "kind": str(change.kind),
                "reference": case.reference,
                "organisation": case.organisation,
                "step": step,
                "decisive": approver is not None or (str(change.kind), step) in DECISIVE_STEPS,
                "actor_id": event.actor.id,
                "actor_role": str(event.actor.role),
                "actor_organisation": event.actor.organisation,
                "actor_name": event.actor.name,
                "approver_id": approver.id if approver else None,
                "approver_role": str(approver.role) if approver else None,
                "approver_organisation": approver.organisation if approver else None,
                "approver_name": approver.name if approver else None,
                "reason": event.reason,
                "legal_basis": event.legal_basis,
                "deadlines": [d.rule_id for d in event.deadlines],
                "ended": list(event.ended),
            }
        )
        if not isinstance(event, CaseFile.Opened) and isinstance(event, CaseFile.Linked):
            link = event.link
            self.links.append((change.case_id, link.case_id, str(link.relation), change.position))

    def flush(self) -> None:
        if self.entries:
            self.curs.execute(self.view._insert, (json_rows(self.entries),))
        if self.links:  # in log order: a pair's first link stays
            self.curs.executemany(self.view._link, self.links)


@dataclass(frozen=True)
class TrailEntry:
    """One step on a case: who took it (and who approved it), when, why, on what basis."""

    position: int
    case_id: UUID
    version: int
    at: dt.datetime
    kind: str
    reference: str
    organisation: str  # the case's organisation
    step: str
    decisive: bool
    actor_id: str
    actor_role: str
    actor_organisation: str
    actor_name: str
    approver_id: str | None
    approver_role: str | None
    approver_organisation: str | None
    approver_name: str | None
    reason: str
    legal_basis: str
    deadlines: tuple[str, ...]  # rule ids of the deadlines the step started or changed
    ended: tuple[str, ...]  # rule ids of the deadlines the step stopped


@dataclass(frozen=True)
class TrailPage:
    """Entries in time order; pass `next_after` as `after` for the next page (None: no more)."""

    entries: tuple[TrailEntry, ...]
    next_after: int | None


_COLUMNS = sql.SQL(", ").join(sql.Identifier(name) for name in TrailEntry.__dataclass_fields__)
# Keyset: rows after the (at, position) of the cursor row; the cursor is a position.
_BRANCH = sql.SQL(
    "(SELECT {columns} FROM trail_entries WHERE {condition}"
    " AND (%(after)s::bigint IS NULL OR (at, position) >"
    " (SELECT c.at, c.position FROM trail_entries c WHERE c.position = %(after)s))"
    " AND (%(since)s::timestamptz IS NULL OR at >= %(since)s)"
    " AND (%(until)s::timestamptz IS NULL OR at < %(until)s)"
    " ORDER BY at, position LIMIT %(fetch)s)"
)


def _query(*conditions: str) -> sql.Composed:
    """Rows matching any condition, each branch walking its own index, merged in time order."""
    branches = sql.SQL(" UNION ").join(
        _BRANCH.format(columns=_COLUMNS, condition=sql.SQL(c)) for c in conditions
    )
    return sql.SQL("SELECT * FROM ({branches}) AS t ORDER BY at, position LIMIT %(fetch)s").format(
        branches=branches
    )


_BY_CASE = _query("case_id = %(case_id)s")
_BY_ACTOR = _query("actor_id = %(person)s", "approver_id = %(person)s")
_BY_ORGANISATION = _query("organisation = %(org)s", "actor_organisation = %(org)s")


def _page(
    conn: Connection[Any], query: sql.Composed, params: dict[str, Any], limit: int
) -> TrailPage:
    defaults = {"after": None, "since": None, "until": None}
    with conn.cursor(row_factory=dict_row) as curs:
        curs.execute(query, defaults | params | {"fetch": limit + 1})
        rows = curs.fetchall()
    entries = tuple(_entry(row) for row in rows[:limit])
    more = len(rows) > limit
    return TrailPage(entries, entries[-1].position if more and entries else None)


def _entry(row: dict[str, Any]) -> TrailEntry:
    return TrailEntry(
        **(row | {"deadlines": tuple(row["deadlines"]), "ended": tuple(row["ended"])})
    )


def trail_of_case(
    conn: Connection[Any], case_id: UUID, *, after: int | None = None, limit: int = 100
) -> TrailPage:
    """Every step on one case, oldest first."""
    return _page(conn, _BY_CASE, {"case_id": case_id, "after": after}, limit)


def trail_of_actor(
    conn: Connection[Any],
    actor_id: str,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    *,
    after: int | None = None,
    limit: int = 100,
) -> TrailPage:
    """Every step a person took or approved in [since, until), oldest first."""
    params = {"person": actor_id, "since": since, "until": until, "after": after}
    return _page(conn, _BY_ACTOR, params, limit)


def trail_of_organisation(
    conn: Connection[Any],
    organisation: str,
    since: dt.datetime | None,
    until: dt.datetime | None,
    *,
    after: int | None = None,
    limit: int = 100,
) -> TrailPage:
    """Every step on the organisation's cases or by its staff in [since, until), oldest first."""
    params = {"org": organisation, "since": since, "until": until, "after": after}
    return _page(conn, _BY_ORGANISATION, params, limit)


@dataclass(frozen=True)
class ResponsibleStep:
    """One person's part in a decision-bearing step: they took it, or they approved it."""

    position: int
    at: dt.datetime
    case_id: UUID
    kind: str
    reference: str
    step: str
    capacity: str  # "acted" or "approved"
    person_id: str
    role: str
    organisation: str
    name: str
    reason: str
    legal_basis: str


# The case and every case linked to it, transitively and either way (one dispute dossier).
_CHAIN = """
WITH RECURSIVE dossier (case_id) AS (
    SELECT %(case_id)s::uuid
    UNION
    SELECT CASE WHEN l.case_id = d.case_id THEN l.linked_case_id ELSE l.case_id END
    FROM trail_links l JOIN dossier d ON d.case_id IN (l.case_id, l.linked_case_id)
)
SELECT e.position, e.at, e.case_id, e.kind, e.reference, e.step, p.capacity, p.person_id,
       p.role, p.organisation, p.name, e.reason, e.legal_basis
FROM trail_entries e
JOIN dossier d ON d.case_id = e.case_id
CROSS JOIN LATERAL (VALUES
    (1, 'acted', e.actor_id, e.actor_role, e.actor_organisation, e.actor_name),
    (2, 'approved', e.approver_id, e.approver_role, e.approver_organisation, e.approver_name)
) AS p (rank, capacity, person_id, role, organisation, name)
WHERE e.decisive AND p.person_id IS NOT NULL
ORDER BY e.at, e.position, p.rank
"""


def responsibility_chain(conn: Connection[Any], case_id: UUID) -> tuple[ResponsibleStep, ...]:
    """Who took or approved each decision-bearing step on the case and its linked cases
    (责任倒查), oldest first."""
    with conn.cursor(row_factory=dict_row) as curs:
        curs.execute(_CHAIN, {"case_id": case_id})
        return tuple(ResponsibleStep(**row) for row in curs.fetchall())
