"""What every mutation returns, and the one way a mutation runs a domain call."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Union
from uuid import UUID

import strawberry
from starlette.concurrency import run_in_threadpool

from api.graphql.context import Context
from api.graphql.errors import (
    ConflictError,
    ErrorCode,
    ForbiddenError,
    InvalidTransitionError,
    NotFoundError,
    SeparationOfDutiesError,
    ValidationError,
    problem,
)
from api.graphql.types.case import Case
from api.graphql.types.procedures import case_type
from domain.case import CaseFile
from domain.errors import DomainError
from domain.errors import ValidationError as DomainValidation


@strawberry.type(description="The step was recorded; the case as it stands after it.")
class CaseUpdated:
    """Success."""

    case: Case = strawberry.field(description="The case after the step (its new version).")
    views_current: bool = strawberry.field(
        description="Whether the queue and other views already show the step (read-your-writes);"
        " false only if they were still catching up when the bounded wait ended."
    )


CaseResult = Annotated[
    Union[  # noqa: UP007  # strawberry needs a Union object to name
        CaseUpdated,
        NotFoundError,
        ConflictError,
        InvalidTransitionError,
        ForbiddenError,
        SeparationOfDutiesError,
        ValidationError,
    ],
    strawberry.union("CaseResult", description="The updated case, or why the step was refused."),
]


def parse_case_id(value: str, field: str = "caseId") -> UUID:
    """A case id from input, or a VALIDATION error naming the field."""
    try:
        return UUID(str(value))
    except ValueError:
        raise DomainValidation(f"{field} is not a case id: {value!r}", field=field) from None


def forbidden(message: str) -> ForbiddenError:
    """The FORBIDDEN result."""
    return ForbiddenError(message=message, code=ErrorCode.FORBIDDEN)


async def run_step(context: Context, call: Callable[[], CaseFile]) -> CaseResult:
    """Run a domain call off the event loop; refusals become error types; then wait (bounded)
    for the views, so the caller's next query shows the step."""
    try:
        case = await run_in_threadpool(call)
    except DomainError as error:
        return problem(error)
    current = await run_in_threadpool(context.container.wait_for_views)
    return CaseUpdated(case=case_type(case), views_current=current)
