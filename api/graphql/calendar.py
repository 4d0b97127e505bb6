"""The court-response calendar (应诉日历): what the agency owes the courts, day by day."""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Any

import strawberry

from api.graphql.access import SEES_EVERYTHING, a_role
from api.graphql.context import Context
from api.graphql.errors import ErrorCode, Refusal
from api.graphql.reads import litigation_cases_in, litigation_items_between
from domain.actors import Actor, Role
from domain.litigation import LitigationCase, LitigationStatus

MAX_DAYS = 366
_BY_RULE = {
    "litigation.defence": "DEFENCE_DUE",
    "litigation.appeal.judgment": "APPEAL_WINDOW_ENDS",
    "litigation.appeal.ruling": "APPEAL_WINDOW_ENDS",
    "litigation.recommendation_reply": "RECOMMENDATION_REPLY_DUE",
}


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
    """Deadlines from the work queue; hearings and judgments to perform from the lawsuits."""
    if end < start or (end - start).days > MAX_DAYS:
        raise Refusal(ErrorCode.VALIDATION, f"to: the range is 0 to {MAX_DAYS} days after from")
    orgs = _scope(context.actor, organisation)
    today = context.today
    items = await context.read(litigation_items_between, today, start, end, orgs)
    entries = [
        CourtDate(
            on=i.due_on,
            what=CourtDateKind(_BY_RULE[i.rule_id]),
            case_id=strawberry.ID(str(i.case_id)),
            reference=i.reference,
            title=i.title,
            organisation=i.organisation,
            legal_basis=i.legal_basis,
            head_scheduled_to_appear=None,
        )
        for i in items
        if i.rule_id in _BY_RULE
    ]
    statuses = [LitigationStatus.HEARING_SCHEDULED.value, LitigationStatus.EFFECTIVE.value]
    case_ids = await context.read(litigation_cases_in, statuses, orgs)
    for case in await context.cases.load_many(case_ids):
        if isinstance(case, LitigationCase):
            entries.extend(_case_dates(case, start, end))
    return sorted(entries, key=lambda e: (e.on, e.what.value, e.reference))


def _case_dates(case: LitigationCase, start: dt.date, end: dt.date) -> list[CourtDate]:
    common: dict[str, Any] = {
        "case_id": strawberry.ID(str(case.id)),
        "reference": case.reference,
        "title": case.title,
        "organisation": case.organisation,
    }
    found: list[CourtDate] = []
    hearing = case.hearing_on
    if case.status == LitigationStatus.HEARING_SCHEDULED and hearing and start <= hearing <= end:
        plan = case.appearance_plan
        found.append(
            CourtDate(
                on=hearing,
                what=CourtDateKind.HEARING,
                legal_basis="",
                head_scheduled_to_appear=None if plan is None else plan.head_appears,
                **common,
            )
        )
    effective = case.effective_on
    if case.status == LitigationStatus.EFFECTIVE and case.lost and effective and effective <= end:
        # Outstanding until performed, so it shows from the day it took effect onwards.
        found.append(
            CourtDate(
                on=max(effective, start),
                what=CourtDateKind.JUDGMENT_TO_PERFORM,
                legal_basis="《行政诉讼法》第九十四条",
                head_scheduled_to_appear=None,
                **common,
            )
        )
    return found
