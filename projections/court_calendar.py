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
from projections.runner import Change, TableView

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

_UPSERT = """
INSERT INTO {court_dates} (case_id, entry, what, on_date, suspended, head_appears, legal_basis,
                           reference, title, organisation)
VALUES (%(case_id)s, %(entry)s, %(what)s, %(on_date)s, %(suspended)s, %(head_appears)s,
        %(legal_basis)s, %(reference)s, %(title)s, %(organisation)s)
ON CONFLICT (case_id, entry) DO UPDATE SET
    what = EXCLUDED.what, on_date = EXCLUDED.on_date, suspended = EXCLUDED.suspended,
    head_appears = EXCLUDED.head_appears, legal_basis = EXCLUDED.legal_basis
"""
_DELETE = "DELETE FROM {court_dates} WHERE case_id = %s AND entry = %s"


class CourtCalendarView(TableView):
    """Keeps court_dates in step with the litigation cases."""

    name = "court_calendar"
    tables = ("court_dates",)

    def __init__(self, suffix: str = "") -> None:
        super().__init__(suffix)
        self._upsert = self.sql(_UPSERT)
        self._delete = self.sql(_DELETE)

    def apply(self, curs: Cursor[DictRow], change: Change) -> None:
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
                curs.execute(self._upsert, common | entry)
        for rule_id in change.event.ended:
            if rule_id in DEADLINES:
                curs.execute(self._delete, (change.case_id, rule_id))
        self._hearing(curs, case, common)
        self._performance(curs, case, common)

    def _hearing(self, curs: Cursor[DictRow], case: LitigationCase, common: dict[str, Any]) -> None:
        if case.status != LitigationStatus.HEARING_SCHEDULED or case.hearing_on is None:
            curs.execute(self._delete, (case.id, HEARING))
            return
        plan = case.appearance_plan
        entry = {
            "entry": HEARING,
            "what": HEARING,
            "on_date": case.hearing_on,
            "suspended": False,
            "head_appears": None if plan is None else plan.head_appears,
            "legal_basis": "",
        }
        curs.execute(self._upsert, common | entry)

    def _performance(
        self, curs: Cursor[DictRow], case: LitigationCase, common: dict[str, Any]
    ) -> None:
        owed = case.status == LitigationStatus.EFFECTIVE and case.lost and case.effective_on
        if not owed or case.effective_on is None:
            curs.execute(self._delete, (case.id, PERFORMANCE))
            return
        entry = {
            "entry": PERFORMANCE,
            "what": PERFORMANCE,
            "on_date": case.effective_on,
            "suspended": False,
            "head_appears": None,
            "legal_basis": PERFORMANCE_BASIS,
        }
        curs.execute(self._upsert, common | entry)


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
