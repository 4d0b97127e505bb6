"""The reconsideration's commands (行政复议), as the API offers them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from api.graphql.commands.table import command
from domain.actors import Actor, Role
from domain.reconsideration import BEFORE_ADMISSION, IN_REVIEW, ReconsiderationCase
from domain.reconsideration import ReconsiderationStatus as S

INTAKE, H, A, OFFICER = Role.INTAKE, Role.HANDLER, Role.APPROVER, Role.HEARING_OFFICER
R = ReconsiderationCase


def _officer_is_caller(case: Any, actor: Actor, _: dt.date) -> bool:
    officer = case.hearing_officer
    return officer is not None and (actor.role == Role.ADMIN or officer.id == actor.id)


def _decidable(case: Any, actor: Actor, today: dt.date) -> bool:
    reply = case.deadlines.get("reconsideration.reply")
    waiting = case.status == S.AWAITING_REPLY and reply is not None and today <= reply.due_on
    return _officer_is_caller(case, actor, today) and not waiting


def _correction_lapsed(case: Any, _: Actor, today: dt.date) -> bool:
    due = case.deadlines.get("reconsideration.correction")
    return due is not None and today > due.due_on


def _served(case: Any, _: Actor, __: dt.date) -> bool:
    return case.served_on is not None


def _not_served(case: Any, _: Actor, __: dt.date) -> bool:
    return case.served_on is None


_HEARING = (S.AWAITING_REPLY, S.UNDER_REVIEW)

RECONSIDERATION = (
    command(
        R,
        "record_pre_filing_resolution",
        (H,),
        BEFORE_ADMISSION,
        "Record an attempt to resolve the dispute before filing (案前化解).",
    ),
    command(
        R,
        "request_correction",
        (H,),
        (S.RECEIVED,),
        "Ask the applicant to correct the application (补正), listing everything at once.",
    ),
    command(
        R,
        "receive_correction",
        (INTAKE, H),
        (S.AWAITING_CORRECTION,),
        "Record the corrected application; admission review starts again.",
    ),
    command(
        R,
        "lapse_correction",
        (H,),
        (S.AWAITING_CORRECTION,),
        "Treat the application as withdrawn: the correction period passed without one.",
        applies=_correction_lapsed,
    ),
    command(
        R,
        "accept",
        (H,),
        (S.RECEIVED,),
        "Accept the application (受理) under the ordinary or simplified procedure.",
    ),
    command(
        R,
        "refuse",
        (H,),
        (S.RECEIVED,),
        "Refuse the application (不予受理), with reasons and legal basis.",
    ),
    command(
        R,
        "switch_to_ordinary",
        (H, OFFICER),
        IN_REVIEW,
        "Move a simplified case to the ordinary procedure (第五十五条), approved.",
        applies=lambda case, _a, _t: str(case.procedure) == "simplified",
    ),
    command(
        R,
        "send_copy",
        (INTAKE, H),
        (S.ACCEPTED,),
        "Record the copy sent to the respondent; its reply period starts on receipt.",
    ),
    command(
        R,
        "receive_reply",
        (INTAKE, H),
        (S.AWAITING_REPLY,),
        "Record the respondent's reply with its evidence and legal basis (答复).",
    ),
    command(
        R,
        "assign_hearing_officer",
        (A, H),
        IN_REVIEW,
        "Put a hearing officer in charge; never the admission reviewer (立审分离).",
    ),
    command(
        R,
        "hear_parties",
        (OFFICER,),
        _HEARING,
        "Record hearing the parties' views (听取意见, 第四十九条); the case's hearing officer "
        "only.",
        applies=_officer_is_caller,
    ),
    command(
        R,
        "hold_hearing",
        (OFFICER,),
        _HEARING,
        "Record a formal hearing (听证, 第五十条); the reason says why the case needs one.",
        applies=_officer_is_caller,
    ),
    command(
        R,
        "consult_committee",
        (OFFICER, H),
        _HEARING,
        "Record the reconsideration committee's consultative opinion (第五十二条).",
    ),
    command(
        R,
        "extend_decision_deadline",
        (H, OFFICER, A),
        IN_REVIEW,
        "Extend the decision deadline once, within the rule's cap (延长), approved.",
        applies=lambda case, _a, _t: "reconsideration.decision" in case.deadlines,
    ),
    command(
        R,
        "settle",
        (OFFICER, H),
        IN_REVIEW,
        "End the case by mediation (调解书) or the parties' settlement (和解).",
    ),
    command(
        R,
        "withdraw",
        (INTAKE, H, OFFICER),
        (*BEFORE_ADMISSION, *IN_REVIEW, S.SUSPENDED),
        "Record the applicant's withdrawal (撤回), which ends the case.",
    ),
    command(
        R,
        "suspend",
        (H, OFFICER),
        IN_REVIEW,
        "Suspend the reconsideration (中止, 第三十九条), stopping every running clock.",
    ),
    command(
        R,
        "resume",
        (H, OFFICER),
        (S.SUSPENDED,),
        "Resume the reconsideration (恢复); clocks continue with the days they had left.",
    ),
    command(
        R,
        "terminate",
        (H, OFFICER),
        (*IN_REVIEW, S.SUSPENDED),
        "Terminate the reconsideration (终止, 第四十一条).",
    ),
    command(
        R,
        "decide",
        (OFFICER,),
        _HEARING,
        "Decide (行政复议决定) as the case's hearing officer, approved by someone else.",
        applies=_decidable,
    ),
    command(
        R,
        "serve",
        (INTAKE, H),
        (S.DECIDED,),
        "Record service of the decision on the parties (送达).",
        applies=_not_served,
    ),
    command(
        R,
        "order_performance",
        (H, A),
        (S.DECIDED,),
        "Order the respondent that has not performed to perform by a date (责令履行).",
        applies=_served,
    ),
    command(
        R,
        "record_performance",
        (H,),
        (S.DECIDED,),
        "Record that the respondent performed the decision (履行).",
        applies=_served,
    ),
    command(
        R,
        "issue_opinion_letter",
        (H, OFFICER),
        (S.DECIDED,),
        "Send the respondent an opinion letter (意见书); its report is due in 60 days.",
    ),
    command(
        R,
        "receive_opinion_report",
        (INTAKE, H),
        (S.DECIDED,),
        "Record the respondent's report on correcting what the opinion letter named.",
        applies=lambda case, _a, _t: "reconsideration.opinion_report" in case.deadlines,
    ),
    command(
        R,
        "close",
        (H, A),
        (S.DECIDED,),
        "Close a decided case (结案) once served and nothing is outstanding.",
        applies=lambda case, _a, _t: case.served_on is not None and not case.deadlines,
    ),
)
