"""Court calendar (应诉日历): what each lawsuit owes the courts, and when.

One row per open entry of a litigation case: its running defence, appeal and recommendation
deadlines, its scheduled hearing (with whether the approved plan has the agency head appear), and
an effective judgment the agency lost and has still to perform.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from psycopg import Connection, Cursor
from psycopg.rows import DictRow, dict_row

from domain.litigation import LitigationCase, LitigationStatus
from projections.runner import Change, TableView, ViewBatch, json_rows

# The deadlines a coordinator answers for, by rule id.
DEADLINES = {
    "litigation.defence": "defence_due",
    "litigation.appeal.judgment": "appeal_window_ends",
    "litigation.appeal.ruling": "appeal_window_ends",
    "litigation.recommendation_reply": "recommendation_reply_due",
}
HEARING = "hearing"
PERFORMANCE = "judgment_to_perform"
PERFORMANCE_BASIS = "《行政诉讼法》第九十四条"

# A batch's rows go as one JSON array per statement, unpacked by the server.
_UPSERT = """
INSERT INTO {court_dates} (case_id, entry, what, on_date, suspended, head_appears, legal_basis,
                           reference, title, organisation)
SELECT case_id, entry, what, on_date, suspended, head_appears, legal_basis, reference, title,
       organisation
FROM json_populate_recordset(NULL::{court_dates}, %s)
ON CONFLICT (case_id, entry) DO UPDATE SET
    what = EXCLUDED.what, on_date = EXCLUDED.on_date, suspended = EXCLUDED.suspended,
    head_appears = EXCLUDED.head_appears, legal_basis = EXCLUDED.legal_basis
"""
_DELETE = """
DELETE FROM {court_dates} AS d USING json_to_recordset(%s) AS r (case_id uuid, entry text)
WHERE d.case_id = r.case_id AND d.entry = r.entry
"""


class CourtCalendarView(TableView):
    """Keeps court_dates in step with the litigation cases."""

    name = "court_calendar"
    tables = ("court_dates",)

    def __init__(self, suffix: str = "") -> None:
        super().__init__(suffix)
        self._upsert = self.sql(_UPSERT)
        self._delete = self.sql(_DELETE)

    def batch(self, curs: Cursor[DictRow]) -> ViewBatch:
        """Each entry the batch touches, written once as it stands after the batch."""
        return _CalendarBatch(self, curs)


class _CalendarBatch(ViewBatch):
    view: CourtCalendarView

    def __init__(self, view: CourtCalendarView, curs: Cursor[DictRow]) -> None:
        super().__init__(view, curs)
        # Each (case, entry) the batch touched: its row as last written, or None if removed.
        self.entries: dict[tuple[UUID, str], dict[str, Any] | None] = {}

    def add(self, change: Change) -> None:
        """Move the lawsuit's deadlines, hearing and judgment to perform."""
        case = change.case
        if not isinstance(case, LitigationCase):
            return
        common = {
            "case_id": change.case_id,
            "reference": case.reference,
            "title": case.title,
            "organisation": case.organisation,
        }
        for deadline in change.event.deadlines:
            if what := DEADLINES.get(deadline.rule_id):
                entry = {
                    "entry": deadline.rule_id,
                    "what": what,
                    "on_date": deadline.due_on,
                    "suspended": deadline.is_suspended,
                    "head_appears": None,
                    "legal_basis": deadline.legal_basis,
                }
                self.entries[change.case_id, deadline.rule_id] = common | entry
        for rule_id in change.event.ended:
            if rule_id in DEADLINES:
                self.entries[change.case_id, rule_id] = None
        self.entries[change.case_id, HEARING] = _hearing(case, common)
        self.entries[change.case_id, PERFORMANCE] = _performance(case, common)

    def flush(self) -> None:
        removed = [
            {"case_id": case_id, "entry": entry}
            for (case_id, entry), row in self.entries.items()
            if row is None
        ]
        if removed:
            self.curs.execute(self.view._delete, (json_rows(removed),))
        rows = [row for row in self.entries.values() if row is not None]
        if rows:
            self.curs.execute(self.view._upsert, (json_rows(rows),))


def _hearing(case: LitigationCase, common: dict[str, Any]) -> dict[str, Any] | None:
    if case.status != LitigationStatus.HEARING_SCHEDULED or case.hearing_on is None:
        return None
    plan = case.appearance_plan
    return common | {
        "entry": HEARING,
        "what": HEARING,
        "on_date": case.hearing_on,
        "suspended": False,
        "head_appears": None if plan is None else plan.head_appears,
        "legal_basis": "",
    }


def _performance(case: LitigationCase, common: dict[str, Any]) -> dict[str, Any] | None:
    owed = case.status == LitigationStatus.EFFECTIVE and case.lost and case.effective_on
    if not owed or case.effective_on is None:
        return None
    return common | {
        "entry": PERFORMANCE,
        "what": PERFORMANCE,
        "on_date": case.effective_on,
        "suspended": False,
        "head_appears": None,
        "legal_basis": PERFORMANCE_BASIS,
    }


@dataclass(frozen=True)
class CourtDate:
    """One entry of the calendar."""

    case_id: UUID
    what: str  # defence_due | hearing | appeal_window_ends | judgment_to_perform | ...
    on_date: dt.date  # for a judgment to perform: the day it took effect
    suspended: bool
    head_appears: bool | None  # for a hearing: the approved plan's answer (None: no plan yet)
    legal_basis: str
    reference: str
    title: str
    organisation: str


_BETWEEN = """
SELECT case_id, what, on_date, suspended, head_appears, legal_basis, reference, title,
       organisation
FROM court_dates
WHERE (on_date BETWEEN %(start)s AND %(end)s
       OR (what = 'judgment_to_perform' AND on_date < %(start)s))
  AND (%(orgs)s::text[] IS NULL OR organisation = ANY(%(orgs)s))
ORDER BY on_date, what, reference
"""


def court_dates(
    conn: Connection[Any], start: dt.date, end: dt.date, organisations: Sequence[str] | None
) -> list[CourtDate]:
    """Entries falling in [start, end], and judgments still to perform that took effect before.

    `organisations` None means every defendant agency.
    """
    orgs = None if organisations is None else list(organisations)
    with conn.cursor(row_factory=dict_row) as curs:
        rows = curs.execute(_BETWEEN, {"start": start, "end": end, "orgs": orgs}).fetchall()
    return [CourtDate(**row) for row in rows]
