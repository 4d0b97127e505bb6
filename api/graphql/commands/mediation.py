"""The mediation's commands (调解), as the API offers them."""

from __future__ import annotations

from api.graphql.commands.table import command
from domain.actors import Role
from domain.mediation import MediationCase
from domain.mediation import MediationStatus as S

H = Role.HANDLER
M = MediationCase
_SETTLED = (S.AGREED, S.CONFIRMATION_PENDING, S.CONFIRMED, S.CONFIRMATION_REFUSED)

MEDIATION = (
    command(
        M,
        "hold_session",
        (H,),
        (S.MEDIATING,),
        "Record a mediation session: when, who mediated, what happened.",
    ),
    command(
        M,
        "change_type",
        (H,),
        (S.MEDIATING,),
        "Move the dispute to another arm of mediation (转调解类型); its clock follows.",
    ),
    command(
        M,
        "record_refusal",
        (H,),
        (S.MEDIATING,),
        "A party clearly refuses mediation: the case ends, with the reason recorded.",
    ),
    command(
        M,
        "reach_agreement",
        (H,),
        (S.MEDIATING,),
        "Record the agreement (调解协议); a written one may be judicially confirmed within "
        "30 days.",
        applies=lambda case, _a, _t: bool(case.sessions),
    ),
    command(
        M,
        "record_failure",
        (H,),
        (S.MEDIATING,),
        "Record that mediation failed (调解不成); the reason is required.",
    ),
    command(
        M,
        "apply_for_confirmation",
        (H,),
        (S.AGREED,),
        "Record the parties' joint application for judicial confirmation (司法确认), within "
        "30 days.",
        applies=lambda case, _a, _t: "mediation.judicial_confirmation" in case.deadlines,
    ),
    command(
        M,
        "record_confirmation",
        (H,),
        (S.CONFIRMATION_PENDING,),
        "Record the court's ruling: agreement confirmed valid, or confirmation refused.",
    ),
    command(
        M,
        "record_performance",
        (H,),
        _SETTLED,
        "Record how far the agreement has been carried out.",
    ),
    command(
        M,
        "close",
        (H,),
        (S.AGREED, S.CONFIRMED, S.CONFIRMATION_REFUSED),
        "Close a settled case (not while the court is still ruling on confirmation).",
    ),
)
