"""The petition's commands (信访), as the API offers them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from api.graphql.commands.table import command
from domain.actors import Actor, Role
from domain.petition import Channel, LegalChannel, Petition, Routing, Satisfaction
from domain.petition import PetitionStatus as S

INTAKE, H, A = Role.INTAKE, Role.HANDLER, Role.APPROVER


def _held_by_caller(case: Any, actor: Actor, _: dt.date) -> bool:
    return actor.role == Role.ADMIN or case.holder == actor.organisation


def _supervised(case: Any, _: Actor, __: dt.date) -> bool:
    return case.supervision is not None


def _unsupervised(case: Any, _: Actor, __: dt.date) -> bool:
    return case.supervision is None


def _opinion_unevaluated(case: Any, _: Actor, __: dt.date) -> bool:
    return bool(case.opinions) and case.latest_opinion not in case.evaluations


_DIVERTIBLE = (S.REGISTERED, S.ROUTED)
_HOLDER: dict[str, Any] = {"applies": _held_by_caller}

PETITION = (
    command(
        Petition,
        "route",
        (INTAKE, A),
        (S.REGISTERED,),
        "Transfer (转送) or assign (交办) the petition to the competent agency; approved by a "
        "head of the petitions office.",
        enums={"method": Routing},
        **_HOLDER,
    ),
    command(
        Petition,
        "divert",
        (INTAKE, H, A),
        _DIVERTIBLE,
        "Divert to a legal channel whose case already exists here, linking both (诉访分离).",
        enums={"channel": LegalChannel},
        target=True,
        **_HOLDER,
    ),
    command(
        Petition,
        "divert_outside",
        (INTAKE, H, A),
        _DIVERTIBLE,
        "Divert to a legal channel without a case here (e.g. arbitration), noting where.",
        enums={"channel": LegalChannel},
        **_HOLDER,
    ),
    command(
        Petition,
        "decline",
        (INTAKE, H, A),
        _DIVERTIBLE,
        "Tell the petitioner it is not accepted (不予受理), with the reason; approved.",
        **_HOLDER,
    ),
    command(
        Petition,
        "accept",
        (H, A),
        (S.ROUTED,),
        "The competent agency accepts the petition (受理); handling starts; approved.",
        **_HOLDER,
    ),
    command(
        Petition,
        "note_investigation",
        (H,),
        (S.ACCEPTED,),
        "Record a note of the investigation.",
        **_HOLDER,
    ),
    command(
        Petition,
        "record_hearing",
        (H,),
        (S.ACCEPTED,),
        "Record a petition hearing (信访听证) held during handling.",
        **_HOLDER,
    ),
    command(
        Petition,
        "extend_handling",
        (H, A),
        (S.ACCEPTED,),
        "Extend handling once, by at most 30 days, with the agency head's approval.",
        **_HOLDER,
    ),
    command(
        Petition,
        "issue_opinion",
        (H, A),
        (S.ACCEPTED,),
        "Issue the written handling opinion (处理意见); the review window runs from its "
        "service; approved.",
        **_HOLDER,
    ),
    command(
        Petition,
        "request_review",
        (INTAKE, H),
        (S.ANSWERED,),
        "Record the petitioner's request for review (复查) by the agency one level up.",
    ),
    command(
        Petition,
        "answer_review",
        (H, A),
        (S.REVIEW_REQUESTED,),
        "The reviewing agency's written review opinion; the re-review window opens; approved.",
        **_HOLDER,
    ),
    command(
        Petition,
        "request_rereview",
        (INTAKE, H),
        (S.REVIEWED,),
        "Record the petitioner's request for re-review (复核) by the level above the reviewer.",
    ),
    command(
        Petition,
        "answer_rereview",
        (H, A),
        (S.REREVIEW_REQUESTED,),
        "The re-review opinion; the matter is final (终结); approved.",
        **_HOLDER,
    ),
    command(
        Petition,
        "evaluate",
        (INTAKE, H),
        (S.ANSWERED, S.REVIEW_REQUESTED, S.REVIEWED, S.REREVIEW_REQUESTED, S.CONCLUDED),
        "Record the petitioner's evaluation (满意/基本满意/不满意) of the latest opinion.",
        enums={"satisfaction": Satisfaction},
        applies=_opinion_unevaluated,
    ),
    command(
        Petition,
        "close",
        (INTAKE, H),
        (S.ANSWERED, S.REVIEWED, S.CONCLUDED),
        "Close the petition once no review can follow (lapsed, waived, or concluded).",
    ),
    command(
        Petition,
        "supervise",
        (INTAKE, A),
        None,
        "Mark as a backlog case supervised by an organisation, with instructions (督查督办).",
        applies=_unsupervised,
    ),
    command(
        Petition,
        "lift_supervision",
        (INTAKE, A),
        None,
        "End backlog supervision, with the reason.",
        applies=_supervised,
    ),
)

REGISTRATION_ENUMS = {"channel": Channel}
