"""The accountability trail as GraphQL: steps by case, person or organisation, and 责任倒查."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import strawberry
from strawberry.types import Info

from api.graphql import cursors
from api.graphql.access import check_organisation, check_sees_everything
from api.graphql.context import Context
from api.graphql.errors import ErrorCode, Refusal
from api.graphql.lookup import hidden_cases, visible_case
from api.graphql.queue import MAX_PAGE, PageInfo
from api.graphql.types.trail import (
    ResponsibilityChain,
    ResponsibleStepType,
    TrailConnection,
    TrailEdge,
    TrailEntryType,
)
from projections.trail import (
    TrailPage,
    responsibility_chain,
    trail_of_actor,
    trail_of_case,
    trail_of_organisation,
)

First = Annotated[int, strawberry.argument(description="Page size, 1 to 100.")]
After = Annotated[
    str | None, strawberry.argument(description="The endCursor of the previous page.")
]
Since = Annotated[
    dt.datetime | None, strawberry.argument(description="Only steps recorded at or after this.")
]
Until = Annotated[
    dt.datetime | None, strawberry.argument(description="Only steps recorded before this.")
]
CaseId = Annotated[strawberry.ID, strawberry.argument(description="The case id.")]


def _cursor(position: int) -> str:
    return cursors.encode("trail", position)


def _position(cursor: str | None) -> int | None:
    if cursor is None:
        return None

    def parse(fields: list[str]) -> int:
        tag, position = fields
        if tag != "trail":
            raise ValueError(tag)
        return int(position)

    return cursors.decode(cursor, parse, "this trail")


def _page_size(first: int) -> int:
    if not 1 <= first <= MAX_PAGE:
        raise Refusal(ErrorCode.VALIDATION, f"first: a page holds 1 to {MAX_PAGE} steps")
    return first


def _connection(page: TrailPage) -> TrailConnection:
    edges = [TrailEdge(cursor=_cursor(e.position), node=TrailEntryType.of(e)) for e in page.entries]
    return TrailConnection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=page.next_after is not None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
    )


@strawberry.type(description="Who did what, when, why and on what basis (谁决策谁负责).")
class TrailQueries:
    """Query fields over the trail view."""

    @strawberry.field(description="Every step on one case, oldest first; FORBIDDEN if unseen.")
    async def case_trail(
        self, info: Info[Context, None], case_id: CaseId, first: First = 50, after: After = None
    ) -> TrailConnection:
        """The case must be one the caller may see."""
        context = info.context
        case = await visible_case(context, case_id)
        page = await context.read(
            trail_of_case, case.id, after=_position(after), limit=_page_size(first)
        )
        return _connection(page)

    @strawberry.field(
        description="Every step a person took or approved, oldest first: one's own, or anyone's "
        "for auditors and admins (FORBIDDEN otherwise)."
    )
    async def actor_trail(
        self,
        info: Info[Context, None],
        *,
        actor_id: Annotated[str, strawberry.argument(description="The person's user id.")],
        since: Since = None,
        until: Until = None,
        first: First = 50,
        after: After = None,
    ) -> TrailConnection:
        """A person's steps may lie in any organisation's cases."""
        context = info.context
        if actor_id != context.actor.id:
            check_sees_everything(context.actor, "read another person's trail")
        page = await context.read(
            trail_of_actor, actor_id, since, until, after=_position(after), limit=_page_size(first)
        )
        return _connection(page)

    @strawberry.field(
        description="Every step on an organisation's cases or by its staff, oldest first: the "
        "caller's own organisation, or any for auditors and admins (FORBIDDEN otherwise)."
    )
    async def organisation_trail(
        self,
        info: Info[Context, None],
        *,
        organisation: Annotated[str, strawberry.argument(description="The organisation (code).")],
        since: Since = None,
        until: Until = None,
        first: First = 50,
        after: After = None,
    ) -> TrailConnection:
        """Coordinators too read only their own organisation's: it spans every procedure."""
        context = info.context
        check_organisation(context.actor, organisation, "the trail")
        page = await context.read(
            trail_of_organisation,
            organisation,
            since,
            until,
            after=_position(after),
            limit=_page_size(first),
        )
        return _connection(page)

    @strawberry.field(
        description="责任倒查: who took or approved each decision-bearing step on the case and "
        "every case linked to it, oldest first; linked cases the caller may not see are named "
        "in `withheldCases` and their steps left out."
    )
    async def responsibility_chain(
        self, info: Info[Context, None], case_id: CaseId
    ) -> ResponsibilityChain:
        """The case itself must be visible; linked ones are checked one by one."""
        context = info.context
        case = await visible_case(context, case_id)
        chain = await context.read(responsibility_chain, case.id)
        hidden = await hidden_cases(context, (step.case_id for step in chain))
        return ResponsibilityChain(
            steps=[ResponsibleStepType.of(s) for s in chain if s.case_id not in hidden],
            withheld_cases=sorted(hidden.values()),
        )
