"""Batched and filtered reads of the views that the GraphQL layer needs (one statement each)."""

# These belong beside their views (projections/work_queue.py, projections/case_summary.py);
# they live here until those modules offer filtered pages and batched look-ups themselves.

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from psycopg import Connection, sql
from psycopg.rows import dict_row

from projections.work_queue import WorkItem


@dataclass(frozen=True)
class QueueFilter:
    """Which work items a page holds; None filters nothing."""

    organisations: tuple[str, ...] | None = None  # None: every organisation
    assignee: str | None = None
    unassigned: bool = False
    kinds: tuple[str, ...] | None = None
    step: str | None = None
    due_before: dt.date | None = None
    overdue_on: dt.date | None = None  # only items already overdue on this day


@dataclass(frozen=True)
class QueueCursor:
    """Where a page ended, in the queue's order (due date, case, rule)."""

    due_on: dt.date
    case_id: UUID
    rule_id: str


_QUEUE_COLUMNS = """case_id, rule_id, kind, reference, title, organisation, assignee, step, due_on,
       suspended, extended_by, warnings, legal_basis"""


def queue_page(
    conn: Connection[Any],
    today: dt.date,
    where: QueueFilter,
    *,
    first: int,
    after: QueueCursor | None,
) -> tuple[list[WorkItem], bool]:
    """Up to `first` items after the cursor by due date, and whether more follow."""
    conditions: list[sql.Composable] = []
    params: dict[str, Any] = {"n": first + 1}

    def add(condition: str, **values: Any) -> None:
        conditions.append(sql.SQL(condition))  # fixed texts only
        params.update(values)

    if where.organisations is not None:
        add("organisation = ANY(%(orgs)s)", orgs=list(where.organisations))
    if where.assignee is not None:
        add("assignee = %(assignee)s", assignee=where.assignee)
    if where.unassigned:
        add("assignee IS NULL")
    if where.kinds is not None:
        add("kind = ANY(%(kinds)s)", kinds=list(where.kinds))
    if where.step is not None:
        add("(rule_id = %(step)s OR step = %(step)s)", step=where.step)
    if where.due_before is not None:
        add("due_on < %(due_before)s", due_before=where.due_before)
    if where.overdue_on is not None:
        add("NOT suspended AND due_on < %(overdue_on)s", overdue_on=where.overdue_on)
    if after is not None:
        add(
            "(due_on, case_id, rule_id) > (%(a_due)s, %(a_case)s, %(a_rule)s)",
            a_due=after.due_on,
            a_case=after.case_id,
            a_rule=after.rule_id,
        )
    clause = sql.SQL(" AND ").join(conditions) if conditions else sql.SQL("TRUE")
    query = sql.SQL(
        "SELECT {cols} FROM work_items WHERE {where} ORDER BY due_on, case_id, rule_id LIMIT %(n)s"
    ).format(cols=sql.SQL(_QUEUE_COLUMNS), where=clause)
    with conn.cursor(row_factory=dict_row) as curs:
        rows = curs.execute(query, params).fetchall()
    return [_item(row, today) for row in rows[:first]], len(rows) > first


def _item(row: dict[str, Any], today: dt.date) -> WorkItem:
    suspended = bool(row["suspended"])
    due_on: dt.date = row["due_on"]
    return WorkItem(
        case_id=row["case_id"],
        rule_id=row["rule_id"],
        kind=row["kind"],
        reference=row["reference"],
        title=row["title"],
        organisation=row["organisation"],
        assignee=row["assignee"],
        step=row["step"],
        due_on=due_on,
        days_left=None if suspended else (due_on - today).days,
        overdue=not suspended and today > due_on,
        suspended=suspended,
        extended_by=row["extended_by"],
        warnings=tuple(row["warnings"]),
        legal_basis=row["legal_basis"],
    )


@dataclass(frozen=True)
class CaseGlance:
    """What a queue row shows of its case beyond the work item: state and version."""

    case_id: UUID
    status: str
    version: int
    assignee: str | None
    opened_on: dt.date
    last_event_at: dt.datetime


def case_glances(conn: Connection[Any], case_ids: Sequence[UUID]) -> dict[UUID, CaseGlance]:
    """The summaries of many cases in one statement, by id (missing ids are left out)."""
    with conn.cursor(row_factory=dict_row) as curs:
        rows = curs.execute(
            "SELECT case_id, status, version, assignee, opened_on, last_event_at "
            "FROM case_summaries WHERE case_id = ANY(%s)",
            (list(case_ids),),
        ).fetchall()
    return {row["case_id"]: CaseGlance(**row) for row in rows} if rows else {}


def litigation_cases_in(
    conn: Connection[Any], statuses: Sequence[str], organisations: tuple[str, ...] | None
) -> list[UUID]:
    """Ids of litigation cases now in one of the states (for the court calendar)."""
    with conn.cursor() as curs:
        rows = curs.execute(
            "SELECT case_id FROM case_summaries WHERE kind = 'litigation' "
            "AND status = ANY(%s) AND (%s::text[] IS NULL OR organisation = ANY(%s)) "
            "ORDER BY case_id",
            (
                list(statuses),
                organisations and list(organisations),
                organisations and list(organisations),
            ),
        ).fetchall()
    return [row[0] for row in rows]


def litigation_items_between(
    conn: Connection[Any],
    today: dt.date,
    start: dt.date,
    end: dt.date,
    organisations: tuple[str, ...] | None,
) -> list[WorkItem]:
    """Running litigation deadlines due in [start, end], by due date."""
    orgs = None if organisations is None else list(organisations)
    with conn.cursor(row_factory=dict_row) as curs:
        query = sql.SQL(
            "SELECT {cols} FROM work_items WHERE kind = 'litigation' "
            "AND due_on BETWEEN %s AND %s AND (%s::text[] IS NULL OR organisation = ANY(%s)) "
            "ORDER BY due_on, case_id, rule_id"
        ).format(cols=sql.SQL(_QUEUE_COLUMNS))
        rows = curs.execute(query, (start, end, orgs, orgs)).fetchall()
    return [_item(row, today) for row in rows]


def open_cases_assigned_to(
    conn: Connection[Any], assignee: str, organisations: tuple[str, ...] | None
) -> list[UUID]:
    """Ids of the cases not yet closed whose work is assigned to a person."""
    orgs = None if organisations is None else list(organisations)
    with conn.cursor() as curs:
        rows = curs.execute(
            "SELECT case_id FROM case_summaries WHERE assignee = %s AND closed_on IS NULL "
            "AND (%s::text[] IS NULL OR organisation = ANY(%s)) ORDER BY opened_on, case_id",
            (assignee, orgs, orgs),
        ).fetchall()
    return [row[0] for row in rows]
