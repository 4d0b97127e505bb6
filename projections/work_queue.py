"""Work queue: one row per running deadline, i.e. per step someone must take next."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, NamedTuple
from uuid import UUID

from psycopg import Connection, Cursor
from psycopg.rows import DictRow

from domain.case import CaseFile
from domain.deadlines import Deadline
from projections.reads import Rows, Statement
from projections.runner import Change, TableView, ViewBatch, json_rows

# A batch's rows go as one JSON array per statement, unpacked by the server.
_INSERT_HEAD = """
INSERT INTO {case_heads} SELECT * FROM json_populate_recordset(NULL::{case_heads}, %s)
"""
_ASSIGN_HEAD = """
UPDATE {case_heads} AS h SET assignee = r.assignee
FROM json_to_recordset(%s) AS r (case_id uuid, assignee text) WHERE h.case_id = r.case_id
"""
_ASSIGN_ITEMS = """
UPDATE {work_items} AS w SET assignee = r.assignee
FROM json_to_recordset(%s) AS r (case_id uuid, assignee text) WHERE w.case_id = r.case_id
"""
_UPSERT_ITEM = """
INSERT INTO {work_items} (case_id, rule_id, step, started_on, due_on, suspended, extended_by,
                        legal_basis, warnings, kind, reference, title, organisation, assignee)
SELECT h.case_id, r.rule_id, r.step, r.started_on, r.due_on, r.suspended, r.extended_by,
       r.legal_basis, r.warnings, h.kind, h.reference, h.title, h.organisation, h.assignee
FROM json_populate_recordset(NULL::{work_items}, %s) AS r
JOIN {case_heads} h ON h.case_id = r.case_id
ON CONFLICT (case_id, rule_id) DO UPDATE SET
    step = EXCLUDED.step, started_on = EXCLUDED.started_on, due_on = EXCLUDED.due_on,
    suspended = EXCLUDED.suspended, extended_by = EXCLUDED.extended_by,
    legal_basis = EXCLUDED.legal_basis, warnings = EXCLUDED.warnings
"""
_END_ITEM = """
DELETE FROM {work_items} AS w USING json_to_recordset(%s) AS r (case_id uuid, rule_id text)
WHERE w.case_id = r.case_id AND w.rule_id = r.rule_id
"""


class WorkQueueView(TableView):
    """Keeps work_items and case_heads in step with the event log."""

    name = "work_queue"
    tables = ("case_heads", "work_items")

    def __init__(self, suffix: str = "") -> None:
        super().__init__(suffix)
        self._insert_head = self.sql(_INSERT_HEAD)
        self._assign_head = self.sql(_ASSIGN_HEAD)
        self._assign_items = self.sql(_ASSIGN_ITEMS)
        self._upsert_item = self.sql(_UPSERT_ITEM)
        self._end_item = self.sql(_END_ITEM)

    def batch(self, curs: Cursor[DictRow]) -> ViewBatch:
        """Each head and item the batch touches, written once as it stands after the batch."""
        return _QueueBatch(self, curs)


class _QueueBatch(ViewBatch):
    view: WorkQueueView

    def __init__(self, view: WorkQueueView, curs: Cursor[DictRow]) -> None:
        super().__init__(view, curs)
        self.opened: dict[UUID, tuple[str, CaseFile.Opened]] = {}  # cases opened in the batch
        self.assigned: dict[UUID, str | None] = {}  # each case's last assignment in the batch
        # Each (case, rule) the batch started or moved (its deadline) or stopped (None).
        self.items: dict[tuple[UUID, str], Deadline | None] = {}

    def add(self, change: Change) -> None:
        event = change.event
        if isinstance(event, CaseFile.Opened):
            self.opened[change.case_id] = (str(change.kind), event)
            self.assigned.pop(change.case_id, None)
        elif isinstance(event, CaseFile.Assigned):
            self.assigned[change.case_id] = event.assignee
        for deadline in event.deadlines:
            self.items[change.case_id, deadline.rule_id] = deadline
        for rule_id in event.ended:
            self.items[change.case_id, rule_id] = None

    def flush(self) -> None:
        view, curs = self.view, self.curs
        if self.opened:
            heads = [
                {
                    "case_id": case_id,
                    "kind": kind,
                    "reference": e.reference,
                    "title": e.title,
                    "organisation": e.organisation,
                    "assignee": self.assigned.pop(case_id, None),
                    "opened_at": e.timestamp,
                }
                for case_id, (kind, e) in self.opened.items()
            ]
            curs.execute(view._insert_head, (json_rows(heads),))
        # Now only cases opened before the batch: their heads, then their items, follow.
        assigned = [{"case_id": c, "assignee": a} for c, a in self.assigned.items()]
        if assigned:
            curs.execute(view._assign_head, (json_rows(assigned),))
        ended = [
            {"case_id": case_id, "rule_id": rule_id}
            for (case_id, rule_id), deadline in self.items.items()
            if deadline is None
        ]
        if ended:
            curs.execute(view._end_item, (json_rows(ended),))
        running = [
            _item_row(case_id, deadline)
            for (case_id, _), deadline in self.items.items()
            if deadline is not None
        ]
        if running:  # items take the head's assignee, as it stands after the batch
            curs.execute(view._upsert_item, (json_rows(running),))
        if assigned:
            curs.execute(view._assign_items, (json_rows(assigned),))


def _item_row(case_id: UUID, deadline: Deadline) -> dict[str, Any]:
    return {
        "case_id": case_id,
        "rule_id": deadline.rule_id,
        "step": deadline.step,
        "started_on": deadline.started_on,
        "due_on": deadline.due_on,
        "suspended": deadline.is_suspended,
        "extended_by": deadline.extended_by,
        "legal_basis": deadline.legal_basis,
        "warnings": deadline.warnings,
    }


class WorkItem(NamedTuple):
    """A row of the queue as read on a given day (days left and overdue move with the date).

    A named tuple rather than a frozen dataclass: as immutable, and made in a third of the
    time (a frozen dataclass sets each field through object.__setattr__), which counts when
    every page of the queue makes up to 101 of them.
    """

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


@dataclass(frozen=True)
class QueueFilter:
    """Which work items a page holds; None filters nothing."""

    organisation: str | None = None  # None: every organisation
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


@lru_cache(maxsize=256)
def _queue_query(conditions: tuple[str, ...]) -> str:
    """The page's statement for a set of fixed conditions, made once (a text, so that psycopg
    also keeps its conversion to the server's placeholders)."""
    where = " AND ".join(conditions) if conditions else "TRUE"
    return (
        f"SELECT {_QUEUE_COLUMNS} FROM work_items WHERE {where} "  # noqa: S608  # fixed texts
        "ORDER BY due_on, case_id, rule_id LIMIT %(n)s"
    )


def queue_page_statement(
    today: dt.date, where: QueueFilter, *, first: int, after: QueueCursor | None
) -> Statement[tuple[list[WorkItem], bool]]:
    """Up to `first` items after the cursor by due date, and whether more follow."""
    conditions: list[str] = []
    params: dict[str, Any] = {"n": first + 1}

    def add(condition: str, **values: Any) -> None:
        conditions.append(condition)  # fixed texts only
        params.update(values)

    if where.organisation is not None:
        # By equality, the index gives the page's order: a page reads its own rows instead of
        # sorting the organisation's whole queue.
        add("organisation = %(org)s", org=where.organisation)
    if where.assignee is not None:
        add("assignee = %(assignee)s", assignee=where.assignee)
    if where.unassigned:
        add("assignee IS NULL")
    if where.kinds is not None and len(where.kinds) == 1:
        # By equality, as an organisation: the procedure's index gives the page's order.
        add("kind = %(kind)s", kind=where.kinds[0])
    elif where.kinds is not None:
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
    query = _queue_query(tuple(conditions))

    def page(rows: Rows) -> tuple[list[WorkItem], bool]:
        return [_item(row, today) for row in rows[:first]], len(rows) > first

    return Statement(query, params, page)


def read_queue(
    conn: Connection[Any],
    today: dt.date,
    *,
    organisation: str | None = None,
    assignee: str | None = None,
    limit: int = 50,
) -> list[WorkItem]:
    """Open work items by due date, with days left and overdue as of `today` (China time)."""
    where = QueueFilter(organisation=organisation, assignee=assignee)
    return queue_page_statement(today, where, first=limit, after=None).run(conn)[0]


def _item(row: tuple[Any, ...], today: dt.date) -> WorkItem:
    """A work item from a row of _QUEUE_COLUMNS, in their order."""
    (
        case_id,
        rule_id,
        kind,
        reference,
        title,
        organisation,
        assignee,
        step,
        due_on,
        suspended,
        extended_by,
        warnings,
        legal_basis,
    ) = row
    suspended = bool(suspended)
    return WorkItem(
        case_id=case_id,
        rule_id=rule_id,
        kind=kind,
        reference=reference,
        title=title,
        organisation=organisation,
        assignee=assignee,
        step=step,
        due_on=due_on,
        days_left=None if suspended else (due_on - today).days,
        overdue=not suspended and today > due_on,
        suspended=suspended,
        extended_by=extended_by,
        warnings=tuple(warnings),
        legal_basis=legal_basis,
    )
