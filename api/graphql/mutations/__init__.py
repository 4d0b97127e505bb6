"""The Mutation root: registration, one mutation per domain command, work assignment, and
documents."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from api.graphql.context import Context
from api.graphql.mutations import work
from api.graphql.mutations.documents import DocumentMutation
from api.graphql.mutations.registration import REGISTRATION_MUTATIONS
from api.graphql.mutations.result import CaseResult
from api.graphql.mutations.steps import STEP_MUTATIONS


@strawberry.type(description="Work assignment and links between cases.")
class WorkMutation:
    """The mutations that are not a procedure's own step."""

    @strawberry.mutation(description="Assign (分案) or reassign (改派) the work on one case.")
    async def assign_case(
        self,
        info: Info[Context, None],
        input: Annotated[work.AssignCaseInput, strawberry.argument(description="What to do.")],
    ) -> CaseResult:
        """One case, at the version the caller read."""
        return await work.assign(info.context, input)

    @strawberry.mutation(description="Hand over every open case of one person (someone leaves).")
    async def reassign_work(
        self,
        info: Info[Context, None],
        input: Annotated[work.ReassignWorkInput, strawberry.argument(description="What to do.")],
    ) -> work.WorkReassigned:
        """Each case is reassigned as its own step."""
        return await work.reassign_work(info.context, input)

    @strawberry.mutation(description="Link two existing cases both ways (e.g. co-defendants).")
    async def link_cases(
        self,
        info: Info[Context, None],
        input: Annotated[work.LinkCasesInput, strawberry.argument(description="What to do.")],
    ) -> CaseResult:
        """Both cases gain a link, in one transaction."""
        return await work.link(info.context, input)


def _mutation_type() -> type:
    namespace: dict[str, Any] = {"__doc__": "Root mutation type.", **REGISTRATION_MUTATIONS}
    namespace.update(STEP_MUTATIONS)
    cls = type("Mutation", (WorkMutation, DocumentMutation), namespace)
    return strawberry.type(cls, name="Mutation", description="Every change to a case.")


Mutation = _mutation_type()
