"""The court-response calendar (应诉日历): what the agency owes the courts, day by day."""

from __future__ import annotations

import datetime as dt
from enum import Enum

import strawberry

from api.graphql.access import SEES_EVERYTHING, a_role
from api.graphql.context import Context
from api.graphql.errors import ErrorCode, Refusal
from domain.actors import Actor, Role
from projections.court_calendar import court_dates

MAX_DAYS = 366


@strawberry.enum(description="What falls due or happens on a calendar day.")
class CourtDateKind(Enum):
    """Kinds of entry in the court calendar."""

    DEFENCE_DUE = "DEFENCE_DUE"
    HEARING = "HEARING"
    APPEAL_WINDOW_ENDS = "APPEAL_WINDOW_ENDS"
    JUDGMENT_TO_PERFORM = "JUDGMENT_TO_PERFORM"
    RECOMMENDATION_REPLY_DUE = "RECOMMENDATION_REPLY_DUE"


@strawberry.type(description="One entry of the court calendar.")
class CourtDate:
    """A date, what it is, and the lawsuit it belongs to."""

    on: dt.date = strawberry.field(
        description="The day (for a judgment to perform: the day it took effect)."
    )
    what: CourtDateKind = strawberry.field(description="What falls due or happens.")
    case_id: strawberry.ID = strawberry.field(description="The lawsuit.")
    reference: str = strawberry.field(description="The lawsuit's reference number.")
    title: str = strawberry.field(description="The lawsuit's title.")
    organisation: str = strawberry.field(description="The defendant agency (code).")
    legal_basis: str = strawberry.field(description="The provision behind the date, if any.")
    head_scheduled_to_appear: bool | None = strawberry.field(
        description="For a hearing: whether the approved plan has the agency head appear in person "
        "(null: no plan yet)."
    )


def _scope(actor: Actor, organisation: str | None) -> tuple[str, ...] | None:
    if actor.role in SEES_EVERYTHING or actor.role == Role.COORDINATOR:
        return None if organisation is None else (organisation,)
    if organisation not in (None, actor.organisation):
        raise Refusal(
            ErrorCode.FORBIDDEN, f"{a_role(actor)} sees only {actor.organisation}'s lawsuits"
        )
    return (actor.organisation,)


async def court_calendar(
    context: Context, start: dt.date, end: dt.date, organisation: str | None
) -> list[CourtDate]:
    """The court calendar view's entries in the range, for the agencies the caller may see."""
    if end < start or (end - start).days > MAX_DAYS:
        raise Refusal(ErrorCode.VALIDATION, f"to: the range is 0 to {MAX_DAYS} days after from")
    orgs = _scope(context.actor, organisation)
    found = await context.read(court_dates, start, end, orgs)
    return [
        CourtDate(
            on=d.on_date,
            what=CourtDateKind(d.what.upper()),
            case_id=strawberry.ID(str(d.case_id)),
            reference=d.reference,
            title=d.title,
            organisation=d.organisation,
            legal_basis=d.legal_basis,
            head_scheduled_to_appear=d.head_appears,
        )
        for d in found
    ]
