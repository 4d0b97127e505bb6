"""The Query root: one case, the work queue, the court calendar, and who is asking."""

from __future__ import annotations

import datetime as dt
from importlib.metadata import PackageNotFoundError, version
from typing import Annotated

import strawberry
from strawberry.types import Info

from api.graphql.access import check_may_see
from api.graphql.calendar import CourtDate, court_calendar
from api.graphql.context import Context
from api.graphql.errors import ErrorCode, Refusal
from api.graphql.mutations.result import parse_case_id
from api.graphql.queue import WorkItemConnection, WorkQueueFilter, work_queue
from api.graphql.types.case import Case
from api.graphql.types.common import Person
from api.graphql.types.procedures import case_type
from domain.errors import DomainError

# Hooks for views built beside this API: search (case_summary.search_cases), the accountability
# trail (projections.trail), the dossier (projections.dossier), statistics and as-of queries
# plug in here as further Query fields, each reading its view through Context.read.


def _casework_version() -> str:
    try:
        return version("casework")
    except PackageNotFoundError:
        return "unknown"


@strawberry.type(description="Entry point for reading Casework.")
class Query:
    """Root query type."""

    @strawberry.field(description="The version of the Casework server answering.")
    def server_version(self) -> str:
        """The installed package version."""
        return _casework_version()

    @strawberry.field(description="The caller, as their token names them.")
    def me(self, info: Info[Context, None]) -> Person:
        """Who the token speaks for."""
        return Person.of(info.context.actor)

    @strawberry.field(
        description="One case of any procedure; FORBIDDEN if the caller may not see it."
    )
    async def case(
        self,
        info: Info[Context, None],
        id: Annotated[strawberry.ID, strawberry.argument(description="The case id.")],
    ) -> Case:
        """Read from the event store (the truth the next step checks against)."""
        context = info.context
        try:
            case_id = parse_case_id(id, "id")
        except DomainError as error:
            raise Refusal(ErrorCode(error.code), error.message) from None
        case = await context.cases.load(case_id)
        if case is None:
            raise Refusal(ErrorCode.NOT_FOUND, f"no case with id {case_id}")
        check_may_see(context.actor, case)
        return case_type(case)

    @strawberry.field(
        description="Work items by due date: the caller's, an organisation's, or all."
    )
    async def work_queue(
        self,
        info: Info[Context, None],
        filter: Annotated[
            WorkQueueFilter | None, strawberry.argument(description="What to list; default: mine.")
        ] = None,
        first: Annotated[int, strawberry.argument(description="Page size, 1 to 100.")] = 20,
        after: Annotated[
            str | None, strawberry.argument(description="The endCursor of the previous page.")
        ] = None,
    ) -> WorkItemConnection:
        """A Relay connection over the work_queue view."""
        return await work_queue(info.context, filter or WorkQueueFilter(), first, after)

    @strawberry.field(
        description="Court dates: defences, hearings, appeal windows, judgments to "
        "perform and recommendations to answer, between two days."
    )
    async def court_calendar(
        self,
        info: Info[Context, None],
        from_: Annotated[dt.date, strawberry.argument(name="from", description="First day.")],
        to: Annotated[dt.date, strawberry.argument(description="Last day (at most 366 later).")],
        organisation: Annotated[
            str | None, strawberry.argument(description="One agency only (code).")
        ] = None,
    ) -> list[CourtDate]:
        """Coordinators, auditors and admins see every agency; others their own."""
        return await court_calendar(info.context, from_, to, organisation)
