"""Each procedure's case type: the shared Case fields plus the procedure's own facts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import strawberry

from api.graphql.types.case import Case, common_fields
from api.graphql.types.common import Person
from domain.case import CaseFile
from domain.litigation import LitigationCase
from domain.mediation import MediationCase
from domain.petition import Petition
from domain.reconsideration import ReconsiderationCase


@strawberry.type(name="PetitionCase", description="A petition (信访).")
class PetitionType(Case):
    """Where the petition came from, who holds it, and the opinions it received."""

    channel: str | None = strawberry.field(description="How it came in.")
    received_on: dt.date | None = strawberry.field(description="The day it was received.")
    agency: str | None = strawberry.field(description="The competent agency it was routed to.")
    holder: str = strawberry.field(description="The organisation that takes its next decision.")
    diverted_to: str | None = strawberry.field(description="The legal channel, if diverted.")
    reviewer: str | None = strawberry.field(description="The reviewing organisation (复查).")
    rereviewer: str | None = strawberry.field(description="The re-reviewing organisation (复核).")
    opinions: list[str] = strawberry.field(description="The written opinions, in order.")
    supervised: bool = strawberry.field(description="Whether it is under backlog supervision.")


@strawberry.type(name="ReconsiderationCase", description="An administrative reconsideration.")
class ReconsiderationType(Case):
    """Admission, procedure, hearing officer, decision and service."""

    knew_on: dt.date | None = strawberry.field(description="When the applicant knew of the act.")
    filed_in_time: bool = strawberry.field(description="Whether it was filed within 60 days.")
    procedure: str | None = strawberry.field(description="ordinary or simplified, once accepted.")
    accepted_on: dt.date | None = strawberry.field(description="The day it was accepted.")
    hearing_officer: Person | None = strawberry.field(description="The hearing officer.")
    decision: str | None = strawberry.field(description="The decision, once decided.")
    decided_on: dt.date | None = strawberry.field(description="The day of the decision.")
    served_on: dt.date | None = strawberry.field(description="The day it was served.")
    compensation: Decimal | None = strawberry.field(description="Compensation, in yuan.")


@strawberry.type(name="LitigationCase", description="A lawsuit against the agency (行政应诉).")
class LitigationType(Case):
    """Court, defence, hearing and appearance, judgments, appeal and performance."""

    court: str = strawberry.field(description="The court.")
    court_case_number: str = strawberry.field(description="The court's case number.")
    is_major: bool = strawberry.field(description="Whether it is a major case (head must appear).")
    defence_due_on: dt.date = strawberry.field(description="The defence due date.")
    defence_filed_on: dt.date | None = strawberry.field(description="When the defence was filed.")
    hearing_on: dt.date | None = strawberry.field(description="The hearing date, if set.")
    head_scheduled_to_appear: bool | None = strawberry.field(
        description="Whether the plan has the agency head appear in person (null: no plan)."
    )
    appeal_due_on: dt.date | None = strawberry.field(description="The agency's appeal deadline.")
    effective_on: dt.date | None = strawberry.field(description="When the judgment took effect.")
    outcomes: list[str] = strawberry.field(description="The outcomes of judgments, in order.")
    lost: bool | None = strawberry.field(description="Whether the agency lost (null: undecided).")
    recommendation_pending: bool = strawberry.field(description="A recommendation awaits reply.")


@strawberry.type(name="MediationCase", description="A mediation (调解).")
class MediationType(Case):
    """Its arm, sessions, agreement, confirmation and performance."""

    origin: str = strawberry.field(description="How it started.")
    mediation_type: str = strawberry.field(description="Which arm of mediation handles it.")
    sessions: int = strawberry.field(description="How many sessions were held.")
    agreement_terms: str | None = strawberry.field(description="The agreement's terms, if any.")
    confirmed: bool | None = strawberry.field(description="The court's confirmation ruling.")
    performance: str | None = strawberry.field(description="How far it was carried out.")


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def case_type(case: CaseFile) -> Case:
    """The GraphQL object of a loaded case, by its procedure."""
    common = common_fields(case)
    if isinstance(case, Petition):
        return PetitionType(
            **common,
            channel=_text(case.channel),
            received_on=case.received_on,
            agency=case.agency,
            holder=case.holder,
            diverted_to=_text(case.diverted_to),
            reviewer=case.reviewer,
            rereviewer=case.rereviewer,
            opinions=list(case.opinions.values()),
            supervised=case.supervision is not None,
        )
    if isinstance(case, ReconsiderationCase):
        return ReconsiderationType(
            **common,
            knew_on=case.knew_on,
            filed_in_time=case.filed_in_time,
            procedure=_text(case.procedure),
            accepted_on=case.accepted_on,
            hearing_officer=None
            if case.hearing_officer is None
            else Person.of(case.hearing_officer),
            decision=_text(case.decision),
            decided_on=case.decided_on,
            served_on=case.served_on,
            compensation=case.compensation,
        )
    if isinstance(case, LitigationCase):
        plan = case.appearance_plan
        return LitigationType(
            **common,
            court=case.court,
            court_case_number=case.court_case_number,
            is_major=case.is_major,
            defence_due_on=case.defence_due_on,
            defence_filed_on=case.defence_filed_on,
            hearing_on=case.hearing_on,
            head_scheduled_to_appear=None if plan is None else plan.head_appears,
            appeal_due_on=case.appeal_due_on,
            effective_on=case.effective_on,
            outcomes=[str(j.outcome) for j in case.judgments],
            lost=case.lost,
            recommendation_pending=case.recommendation_pending,
        )
    if isinstance(case, MediationCase):
        agreement = case.agreement
        return MediationType(
            **common,
            origin=str(case.origin),
            mediation_type=str(case.mediation_type),
            sessions=len(case.sessions),
            agreement_terms=None if agreement is None else agreement.terms,
            confirmed=case.confirmed,
            performance=_text(case.performance),
        )
    raise TypeError(f"no GraphQL type for {type(case).__name__}")


PROCEDURE_TYPES = (PetitionType, ReconsiderationType, LitigationType, MediationType)
