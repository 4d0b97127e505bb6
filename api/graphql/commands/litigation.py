"""The litigation response's commands (行政应诉), as the API offers them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from api.graphql.commands.table import command
from domain.actors import Actor, Role
from domain.litigation import Appellant, LitigationCase
from domain.litigation import LitigationStatus as S

INTAKE, H, A, C = Role.INTAKE, Role.HANDLER, Role.APPROVER, Role.COORDINATOR
L = LitigationCase


def _agency_undecided(case: Any, _: Actor, __: dt.date) -> bool:
    return Appellant.AGENCY not in case.appellants and not case.appeal_waived


def _plan_approved(case: Any, _: Actor, __: dt.date) -> bool:
    plan = case.appearance_plan
    return plan is not None and plan.approved_by is not None


def _plan_awaiting_approval(case: Any, _: Actor, __: dt.date) -> bool:
    plan = case.appearance_plan
    return plan is not None and plan.approved_by is None


def _judgment_allowed(case: Any, _: Actor, __: dt.date) -> bool:
    # A ruling may come at any time before judgment; the offered form is the judgment.
    return case.status in (S.HEARD, S.SECOND_INSTANCE, S.RETRIAL)


def _lost(case: Any, _: Actor, __: dt.date) -> bool:
    return bool(case.lost)


def _closable(case: Any, _: Actor, __: dt.date) -> bool:
    return not case.recommendation_pending


_JUDGED = (S.JUDGED, S.SECOND_INSTANCE)
_LIVE = tuple(s for s in S if s != S.CLOSED)

LITIGATION = (
    command(
        L,
        "mark_major",
        (C, A),
        None,
        "Find the case major (重大行政案件): the head must then appear in court.",
        applies=lambda case, _a, _t: not case.is_major,
    ),
    command(
        L,
        "file_defence",
        (C, H),
        (S.AWAITING_DEFENCE,),
        "Record the defence statement (答辩状) filed with the court; after the due date it "
        "is late.",
    ),
    command(
        L,
        "submit_evidence",
        (C, H),
        (S.DEFENDED, S.HEARING_SCHEDULED, S.HEARD),
        "Record further evidence handed to the court; after the defence period it is late.",
    ),
    command(
        L,
        "schedule_hearing",
        (C,),
        (S.DEFENDED, S.HEARING_SCHEDULED),
        "Record the hearing date the court set, or a new one.",
    ),
    command(
        L,
        "record_head_notice",
        (C,),
        (S.HEARING_SCHEDULED,),
        "Record the court's notice for the agency head, refused if under 3 days before the "
        "hearing.",
    ),
    command(
        L,
        "plan_appearance",
        (C,),
        (S.HEARING_SCHEDULED,),
        "Say who answers in court: the head (负责人出庭), or a named staff member with a "
        "written reason.",
    ),
    command(
        L,
        "approve_appearance_plan",
        (C,),
        (S.HEARING_SCHEDULED,),
        "Record the approval of the appearance plan; nobody approves a plan they made.",
        applies=_plan_awaiting_approval,
    ),
    command(
        L,
        "hold_hearing",
        (C,),
        (S.HEARING_SCHEDULED,),
        "Record that the hearing took place and whether the head appeared in person.",
        applies=_plan_approved,
    ),
    command(
        L,
        "record_judgment",
        (C,),
        (S.HEARD, S.SECOND_INSTANCE, S.RETRIAL),
        "Record a judgment or ruling served on the agency; at first instance the appeal "
        "window runs.",
        applies=_judgment_allowed,
    ),
    command(
        L,
        "appeal",
        (C,),
        _JUDGED,
        "Record an appeal (上诉); the agency's own needs an approver and must be in time.",
    ),
    command(
        L,
        "decide_not_to_appeal",
        (C,),
        _JUDGED,
        "Record the agency's approved decision not to appeal; its appeal clock stops.",
        applies=_agency_undecided,
    ),
    command(
        L,
        "declare_effective",
        (C,),
        (S.JUDGED,),
        "Record that nobody appealed: effective once the period lapsed, or earlier with a reason.",
    ),
    command(
        L,
        "open_retrial",
        (C,),
        (S.EFFECTIVE, S.PERFORMED),
        "Record a retrial (再审) of the effective judgment; the agency's own needs an approver.",
    ),
    command(
        L,
        "record_performance",
        (C, H),
        (S.EFFECTIVE,),
        "Record that the agency performed the effective judgment against it (履行).",
        applies=_lost,
    ),
    command(
        L,
        "record_refusal_to_perform",
        (C, H),
        (S.EFFECTIVE,),
        "Record that the agency refuses to perform (行政诉讼法 art. 96 penalties may follow).",
        applies=_lost,
    ),
    command(
        L,
        "receive_recommendation",
        (C, INTAKE),
        _LIVE,
        "Record a judicial recommendation (司法建议); the reply is due by the court's limit "
        "or the rule's.",
        applies=lambda case, _a, _t: not case.recommendation_pending,
    ),
    command(
        L,
        "reply_to_recommendation",
        (C,),
        _LIVE,
        "Record the agency's approved reply to the judicial recommendation.",
        applies=lambda case, _a, _t: case.recommendation_pending,
    ),
    command(
        L,
        "close",
        (C,),
        (S.EFFECTIVE, S.PERFORMED),
        "Close the case once the judgment is effective and performed (or needs no performance).",
        applies=_closable,
    ),
)
