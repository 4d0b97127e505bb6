"""Annual assessment (依法行政考核): per-case and per-deadline facts, and the rates read from them.

A fact belongs to the China-time year of the event that brings it into its denominator (the
decision, the standing judgment, the hearing, the receipt, the evaluation, the end of the
mediation, the stop of the deadline); a later event may change whether it counts in the
numerator (a reply, a confirmation, a judgment on appeal) and a new standing judgment moves it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, NamedTuple

from psycopg import Connection, Cursor
from psycopg.rows import DictRow, dict_row

from domain.deadlines import Deadline
from domain.litigation import LOSSES, Instance, LitigationCase, Outcome
from domain.mediation import MediationCase
from domain.petition import Petition, Satisfaction
from domain.reconsideration import CORRECTING, DecisionType, ReconsiderationCase
from domain.step import china_date
from projections.runner import Change, TableView, ViewBatch, json_rows

CORRECTION = "reconsideration_correction"  # 纠错率
LOSS = "litigation_loss"  # 败诉率
HEAD_APPEARANCE = "head_appearance"  # 负责人出庭应诉率
RECOMMENDATION_REPLY = "recommendation_reply"  # 司法建议回复率
PETITION_ACCEPTANCE = "petition_acceptance_on_time"  # 按期受理率
PETITION_CLOSURE = "petition_closure_on_time"  # 按期办结率
SATISFACTION = "petition_satisfaction"  # 满意率
MEDIATION_SUCCESS = "mediation_success"  # 调解成功率
CONFIRMATION = "judicial_confirmation"  # 司法确认率
MEASURES = (
    CORRECTION,
    LOSS,
    HEAD_APPEARANCE,
    RECOMMENDATION_REPLY,
    PETITION_ACCEPTANCE,
    PETITION_CLOSURE,
    SATISFACTION,
    MEDIATION_SUCCESS,
    CONFIRMATION,
)
# 满意率 counts 满意 and 基本满意 over every evaluation (参评件次).
SATISFIED = frozenset({Satisfaction.SATISFIED, Satisfaction.BASICALLY_SATISFIED})


class Fact(NamedTuple):
    """One case's standing in one measure.

    `counts` False: the event only settles the case's open items of the measure (a reply to
    the pending recommendation, the court's ruling on confirmation).
    """

    measure: str
    item: str  # tells apart several facts of one measure on a case (hearings, evaluations)
    achieved: bool
    counts: bool = True


_UPSERT_FACT = """
INSERT INTO {statistics_facts}
    (case_id, measure, item, kind, organisation, counted_on, year, achieved)
VALUES (%(case_id)s, %(measure)s, %(item)s, %(kind)s, %(organisation)s, %(day)s, %(year)s,
    %(achieved)s)
ON CONFLICT (case_id, measure, item) DO UPDATE SET
    counted_on = EXCLUDED.counted_on, year = EXCLUDED.year, achieved = EXCLUDED.achieved
"""
_FLAG_FACT = """
UPDATE {statistics_facts} SET achieved = %(achieved)s
WHERE case_id = %(case_id)s AND measure = %(measure)s AND NOT achieved
"""
_STOPPED = """
INSERT INTO {statistics_deadlines} (case_id, version, rule_id, kind, organisation, step, year,
    due_on, stopped_on, suspended, on_time)
SELECT case_id, version, rule_id, kind, organisation, step, year, due_on, day, suspended, on_time
FROM json_to_recordset(%s) AS r (case_id uuid, version bigint, rule_id text, kind text,
    organisation text, step text, year integer, due_on date, day date, suspended boolean,
    on_time boolean)
"""


def on_time(deadline: Deadline, stopped_on: dt.date) -> bool:
    """Stopped on or before its due date; a deadline stopped while suspended is in time."""
    return deadline.is_suspended or stopped_on <= deadline.due_on


class StatisticsView(TableView):
    """Keeps statistics_facts and statistics_deadlines in step with the event log."""

    name = "statistics"
    tables = ("statistics_facts", "statistics_deadlines")

    def __init__(self, suffix: str = "") -> None:
        super().__init__(suffix)
        self._upsert_fact = self.sql(_UPSERT_FACT)
        self._flag_fact = self.sql(_FLAG_FACT)
        self._stopped = self.sql(_STOPPED)

    def batch(self, curs: Cursor[DictRow]) -> ViewBatch:
        """Stopped deadlines written together; facts in log order, as they settle."""
        return _StatisticsBatch(self, curs)


class _StatisticsBatch(ViewBatch):
    view: StatisticsView

    def __init__(self, view: StatisticsView, curs: Cursor[DictRow]) -> None:
        super().__init__(view, curs)
        self.stopped: list[dict[str, Any]] = []

    def add(self, change: Change) -> None:
        """Record the deadlines the event stopped and the facts it settles or changes."""
        view, day = self.view, china_date(change.event.timestamp)
        common = {
            "case_id": change.case_id,
            "kind": str(change.kind),
            "organisation": change.case.organisation,
            "day": day,
            "year": day.year,
        }
        for rule_id, deadline in change.ended.items():
            stopped = {
                "version": change.version,
                "rule_id": rule_id,
                "step": deadline.step,
                "due_on": deadline.due_on,
                "suspended": deadline.is_suspended,
                "on_time": on_time(deadline, day),
            }
            self.stopped.append(common | stopped)
        # Facts are few, and one may flag another: each goes out as it comes (pipelined).
        for fact in facts(change, day):
            statement = view._upsert_fact if fact.counts else view._flag_fact
            self.curs.execute(statement, common | fact._asdict())

    def flush(self) -> None:
        if self.stopped:  # one JSON array a batch, unpacked by the server
            self.curs.execute(self.view._stopped, (json_rows(self.stopped),))


def facts(change: Change, day: dt.date) -> Iterator[Fact]:
    """The facts one event settles, by procedure; cases of unknown classes settle none.

    Outcomes are read from the event itself, never from state a later event may have moved.
    """
    case, event = change.case, change.event
    if isinstance(case, ReconsiderationCase):
        if isinstance(event, ReconsiderationCase.Decided):
            yield Fact(CORRECTION, "", DecisionType(event.decision) in CORRECTING)
    elif isinstance(case, LitigationCase):
        yield from _litigation(change)
    elif isinstance(case, Petition):
        if accept := change.ended.get("petition.accept"):
            yield Fact(PETITION_ACCEPTANCE, "", on_time(accept, day))
        if handle := change.ended.get("petition.handle"):
            yield Fact(PETITION_CLOSURE, "", on_time(handle, day))
        if isinstance(event, Petition.Evaluated):
            satisfied = Satisfaction(event.satisfaction) in SATISFIED
            yield Fact(SATISFACTION, event.opinion_kind, satisfied)
    elif isinstance(case, MediationCase):
        yield from _mediation(change)


def _litigation(change: Change) -> Iterator[Fact]:
    event = change.event
    if isinstance(event, LitigationCase.HearingHeld):
        yield Fact(HEAD_APPEARANCE, str(change.version), event.head_appeared)
    elif isinstance(event, LitigationCase.JudgmentServed):
        outcome = Outcome(event.outcome)
        # A withdrawn appeal leaves the earlier judgment standing, and its year with it.
        if Instance(event.instance) is Instance.FIRST or outcome is not Outcome.WITHDRAWN:
            yield Fact(LOSS, "", outcome in LOSSES)
    elif isinstance(event, LitigationCase.RecommendationReceived):
        yield Fact(RECOMMENDATION_REPLY, str(change.version), False)
    elif isinstance(event, LitigationCase.RecommendationReplied):
        # Only one recommendation awaits a reply at a time: the reply is to that one.
        yield Fact(RECOMMENDATION_REPLY, "", True, counts=False)


def _mediation(change: Change) -> Iterator[Fact]:
    event = change.event
    if isinstance(event, MediationCase.AgreementReached):
        yield Fact(MEDIATION_SUCCESS, "", True)
        yield Fact(CONFIRMATION, "", False)
    elif isinstance(event, MediationCase.MediationFailed | MediationCase.PartyRefused):
        yield Fact(MEDIATION_SUCCESS, "", False)
    elif isinstance(event, MediationCase.ConfirmationRuled):
        yield Fact(CONFIRMATION, "", event.granted, counts=False)


@dataclass(frozen=True)
class Rate:
    """A numerator over a denominator; the rate is None when nothing was counted."""

    numerator: int
    denominator: int
    rate: float | None

    @classmethod
    def of(cls, numerator: int, denominator: int) -> Rate:
        """The rate, or None over a zero denominator."""
        return cls(numerator, denominator, numerator / denominator if denominator else None)


@dataclass(frozen=True)
class StepOnTime:
    """How many deadlines of one rule stopped in the year, and how many of them in time."""

    rule_id: str
    step: str
    on_time: Rate


@dataclass(frozen=True)
class Statistics:
    """One organisation's annual assessment figures for one year."""

    organisation: str
    year: int
    reconsideration_correction: Rate
    on_time: tuple[StepOnTime, ...]
    litigation_loss: Rate
    head_appearance: Rate
    recommendation_reply: Rate
    petition_acceptance_on_time: Rate
    petition_closure_on_time: Rate
    petition_satisfaction: Rate
    mediation_success: Rate
    judicial_confirmation: Rate


_FACTS = """
SELECT organisation, measure, count(*) FILTER (WHERE achieved) AS numerator, count(*) AS denominator
FROM statistics_facts
WHERE year = %(year)s AND (%(org)s::text IS NULL OR organisation = %(org)s)
GROUP BY organisation, measure
"""
_DEADLINES = """
SELECT organisation, rule_id, min(step) AS step,
       count(*) FILTER (WHERE on_time) AS numerator, count(*) AS denominator
FROM statistics_deadlines
WHERE year = %(year)s AND (%(org)s::text IS NULL OR organisation = %(org)s)
GROUP BY organisation, rule_id
ORDER BY organisation, rule_id
"""


def statistics(conn: Connection[Any], organisation: str, year: int) -> Statistics:
    """The organisation's figures for the year (every rate None when it has no cases)."""
    return _read(conn, organisation, year).get(organisation) or _assemble(
        organisation, year, [], []
    )


def statistics_by_organisation(conn: Connection[Any], year: int) -> list[Statistics]:
    """The district-wide table: every organisation with a fact in the year, by name."""
    return sorted(_read(conn, None, year).values(), key=lambda s: s.organisation)


def _read(conn: Connection[Any], organisation: str | None, year: int) -> dict[str, Statistics]:
    params = {"org": organisation, "year": year}
    with conn.cursor(row_factory=dict_row) as curs:
        fact_rows = curs.execute(_FACTS, params).fetchall()
        deadline_rows = curs.execute(_DEADLINES, params).fetchall()
    names = {row["organisation"] for row in [*fact_rows, *deadline_rows]}
    return {
        name: _assemble(
            name,
            year,
            [r for r in fact_rows if r["organisation"] == name],
            [r for r in deadline_rows if r["organisation"] == name],
        )
        for name in names
    }


def _assemble(
    organisation: str, year: int, fact_rows: list[DictRow], deadline_rows: list[DictRow]
) -> Statistics:
    counted = {row["measure"]: Rate.of(row["numerator"], row["denominator"]) for row in fact_rows}
    rates = {measure: counted.get(measure, Rate.of(0, 0)) for measure in MEASURES}
    steps = tuple(
        StepOnTime(row["rule_id"], row["step"], Rate.of(row["numerator"], row["denominator"]))
        for row in deadline_rows
    )
    return Statistics(organisation=organisation, year=year, on_time=steps, **rates)
