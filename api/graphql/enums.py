"""The domain's choices as GraphQL enums (the same Python enums, so no conversion is needed)."""

from __future__ import annotations

from enum import Enum

import strawberry

from domain.actors import Role
from domain.litigation import Appellant, Form, MajorGround, Outcome, RetrialSource
from domain.mediation import MediationType, Origin, Performance, ReferralSource
from domain.petition import Channel, LegalChannel, Routing, Satisfaction
from domain.reconsideration import DecisionType, Settlement, SimplifiedGround
from domain.reconsideration import Performance as RespondentPerformance
from domain.rules import Variant
from domain.values import CaseKind, LinkRelation, PartyRole

_DOMAIN_ENUMS: tuple[tuple[type[Enum], str, str], ...] = (
    (Role, "Role", "A caller's role; the ids are those tokens carry."),
    (CaseKind, "CaseKind", "The four procedures."),
    (PartyRole, "PartyRole", "A party's standing in the case."),
    (LinkRelation, "LinkRelation", "How two cases are linked across procedures."),
    (Channel, "PetitionChannel", "How a petition came in (来信/来访/网上)."),
    (Routing, "PetitionRouting", "Transfer (转送) or assign (交办)."),
    (LegalChannel, "LegalChannel", "The legal channels a petition is diverted to (诉访分离)."),
    (Satisfaction, "Satisfaction", "The petitioner's evaluation of an opinion."),
    (Variant, "ProcedureVariant", "Ordinary or simplified procedure (普通程序/简易程序)."),
    (SimplifiedGround, "SimplifiedGround", "Statutory grounds for the simplified procedure."),
    (DecisionType, "DecisionType", "The kinds of reconsideration decision."),
    (Settlement, "SettlementKind", "How the parties ended a reconsideration themselves."),
    (RespondentPerformance, "RespondentPerformance", "Where the respondent's performance is."),
    (MajorGround, "MajorGround", "Why a lawsuit is major (重大行政案件)."),
    (Form, "JudgmentForm", "What the court issued: judgment or ruling."),
    (Outcome, "JudgmentOutcome", "What a judgment or ruling means for the agency."),
    (Appellant, "Appellant", "Who appealed a first-instance judgment or ruling."),
    (RetrialSource, "RetrialSource", "Who set a retrial (再审) in motion."),
    (MediationType, "MediationType", "Which arm of mediation handles the dispute."),
    (Origin, "MediationOrigin", "How a mediation started."),
    (ReferralSource, "ReferralSource", "The procedure a referred mediation came from."),
    (Performance, "AgreementPerformance", "How far the parties carried out the agreement."),
)

GRAPHQL_ENUMS: dict[type[Enum], type[Enum]] = {}
for _enum, _name, _description in _DOMAIN_ENUMS:
    GRAPHQL_ENUMS[_enum] = strawberry.enum(_enum, name=_name, description=_description)


def graphql_enum(enum: type[Enum]) -> type[Enum]:
    """The registered GraphQL enum of a domain enum (KeyError names one not exposed)."""
    return GRAPHQL_ENUMS[enum]
