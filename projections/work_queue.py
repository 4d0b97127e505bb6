"""Work queue: one row per running deadline, i.e. per step someone must take next."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from psycopg import Connection, Cursor
from psycopg.rows import DictRow, dict_row

from domain.case import CaseFile
from domain.deadlines import Deadline
from projections.runner import Change, TableView

_INSERT_HEAD = """
INSERT INTO {case_heads}
    (case_id, kind, reference, title, organisation, assignee, opened_at, version)
VALUES (%s, %s, %s, %s, %s, NULL, %s, %s)
"""
_TOUCH_HEAD = "UPDATE {case_heads} SET version = %s WHERE case_id = %s"
_ASSIGN = "UPDATE {case_heads} SET assignee = %(a)s WHERE case_id = %(c)s"
_ASSIGN_ITEMS = "UPDATE {work_items} SET assignee = %(a)s WHERE case_id = %(c)s"
_UPSERT_ITEM = """
INSERT INTO {work_items} (case_id, rule_id, step, started_on, due_on, suspended, extended_by,
                        legal_basis, warnings, kind, reference, title, organisation, assignee)
SELECT h.case_id, %(rule_id)s, %(step)s, %(started_on)s, %(due_on)s, %(suspended)s,
       %(extended_by)s, %(legal_basis)s, %(warnings)s, h.kind, h.reference, h.title,
       h.organisation, h.assignee
FROM {case_heads} h WHERE h.case_id = %(case_id)s
ON CONFLICT (case_id, rule_id) DO UPDATE SET
    step = EXCLUDED.step, started_on = EXCLUDED.started_on, due_on = EXCLUDED.due_on,
    suspended = EXCLUDED.suspended, extended_by = EXCLUDED.extended_by,
    legal_basis = EXCLUDED.legal_basis, warnings = EXCLUDED.warnings
"""
_END_ITEM = "DELETE FROM {work_items} WHERE case_id = %s AND rule_id = %s"


class WorkQueueView(TableView):
    """Keeps work_items and case_heads in step with the event log."""

    name = "work_queue"
    tables = ("case_heads", "work_items")

    def __init__(self, suffix: str = "") -> None:
        super().__init__(suffix)
        self._insert_head = self.sql(_INSERT_HEAD)
        self._touch_head = self.sql(_TOUCH_HEAD)
        self._assign = self.sql(_ASSIGN)
        self._assign_items = self.sql(_ASSIGN_ITEMS)
        self._upsert_item = self.sql(_UPSERT_ITEM)
        self._end_item = self.sql(_END_ITEM)

    def apply(self, curs: Cursor[DictRow], change: Change) -> None:
        """Write what one event changes."""
        event = change.event
        if isinstance(event, CaseFile.Opened):
            curs.execute(
                self._insert_head,
                (
                    change.case_id,
                    str(change.kind),
                    event.reference,
                    event.title,
                    event.organisation,
                    event.timestamp,
                    change.version,
                ),
            )
        else:
            curs.execute(self._touch_head, (change.version, change.case_id))
            if isinstance(event, CaseFile.Assigned):
                params = {"a": event.assignee, "c": change.case_id}
                curs.execute(self._assign, params)
                curs.execute(self._assign_items, params)
        for deadline in event.deadlines:
            curs.execute(self._upsert_item, _item_params(change.case_id, deadline))
        for rule_id in event.ended:
            curs.execute(self._end_item, (change.case_id, rule_id))


def _item_params(case_id: UUID, deadline: Deadline) -> dict[str, Any]:
    return {
        "case_id": case_id,
        "rule_id": deadline.rule_id,
        "step": deadline.step,
        "started_on": deadline.started_on,
        "due_on": deadline.due_on,
        "suspended": deadline.is_suspended,
        "extended_by": deadline.extended_by,
        "legal_basis": deadline.legal_basis,
        "warnings": list(deadline.warnings),
    }


@dataclass(frozen=True)
class WorkItem:
    """A row of the queue as read on a given day (days left and overdue move with the date)."""

    case_id: UUID
    rule_id: str
    kind: str
    reference: str
    title: str
    organisation: str
    assignee: str | None
    step: str
    due_on: dt.date
    days_left: int | None
    overdue: bool
    suspended: bool
    extended_by: int
    warnings: tuple[str, ...]
    legal_basis: str


_QUEUE = """
SELECT case_id, rule_id, kind, reference, title, organisation, assignee, step, due_on,
       suspended, extended_by, warnings, legal_basis
FROM work_items
WHERE (%(org)s::text IS NULL OR organisation = %(org)s)
  AND (%(assignee)s::text IS NULL OR assignee = %(assignee)s)
ORDER BY due_on, case_id, rule_id
LIMIT %(limit)s
"""


def read_queue(
    conn: Connection[Any],
    today: dt.date,
    *,
    organisation: str | None = None,
    assignee: str | None = None,
    limit: int = 50,
) -> list[WorkItem]:
    """Open work items by due date, with days left and overdue as of `today` (China time)."""
    with conn.cursor(row_factory=dict_row) as curs:
        curs.execute(_QUEUE, {"org": organisation, "assignee": assignee, "limit": limit})
        rows = curs.fetchall()
    return [_item(row, today) for row in rows]


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
