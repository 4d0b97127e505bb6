"""The one place domain errors become GraphQL error types, and request-level refusals are coded."""

from __future__ import annotations

import logging
import re
from enum import Enum
from typing import Any

import strawberry
from graphql.error import GraphQLError
from strawberry.extensions import MaskErrors

from domain import errors as domain

logger = logging.getLogger(__name__)


@strawberry.enum(description="Why a request or a step was refused.")
class ErrorCode(Enum):
    """Stable machine-readable refusal codes."""

    NOT_FOUND = "NOT_FOUND"
    CONFLICT = "CONFLICT"
    INVALID_TRANSITION = "INVALID_TRANSITION"
    FORBIDDEN = "FORBIDDEN"
    SEPARATION_OF_DUTIES = "SEPARATION_OF_DUTIES"
    VALIDATION = "VALIDATION"
    UNAUTHENTICATED = "UNAUTHENTICATED"
    LIMIT = "LIMIT"
    INTERNAL = "INTERNAL"


@strawberry.interface(description="A refusal: what went wrong, in words and as a code.")
class Problem:
    """Every error type of a mutation result implements this."""

    message: str = strawberry.field(description="What was refused and why, for people.")
    code: ErrorCode = strawberry.field(description="The refusal as a stable code, for programs.")


@strawberry.type(description="No case with that id, or not of the kind the step needs.")
class NotFoundError(Problem):
    """NOT_FOUND."""


@strawberry.type(description="The case changed since it was read: reload it and try again.")
class ConflictError(Problem):
    """CONFLICT."""


@strawberry.type(description="The case's current state does not allow this step.")
class InvalidTransitionError(Problem):
    """INVALID_TRANSITION."""

    state: str | None = strawberry.field(description="The state the case is in.", default=None)


@strawberry.type(description="The caller's role or organisation may not take this step.")
class ForbiddenError(Problem):
    """FORBIDDEN."""


@strawberry.type(description="One person may not hold both roles here (立审分离, self-approval).")
class SeparationOfDutiesError(Problem):
    """SEPARATION_OF_DUTIES."""


@strawberry.type(description="Input that breaks a rule, naming the offending field.")
class ValidationError(Problem):
    """VALIDATION."""

    field: str | None = strawberry.field(description="The input field at fault, if one is.")


ProblemType = (
    NotFoundError
    | ConflictError
    | InvalidTransitionError
    | ForbiddenError
    | SeparationOfDutiesError
    | ValidationError
)


def problem(error: domain.DomainError) -> ProblemType:
    """The GraphQL error type of a domain refusal (the only mapping there is)."""
    if isinstance(error, domain.ValidationError):
        return ValidationError(message=error.message, code=ErrorCode.VALIDATION, field=error.field)
    if isinstance(error, domain.InvalidTransition):
        return InvalidTransitionError(
            message=error.message, code=ErrorCode.INVALID_TRANSITION, state=error.state
        )
    simple: dict[type[domain.DomainError], tuple[Any, ErrorCode]] = {
        domain.NotFound: (NotFoundError, ErrorCode.NOT_FOUND),
        domain.Conflict: (ConflictError, ErrorCode.CONFLICT),
        domain.Forbidden: (ForbiddenError, ErrorCode.FORBIDDEN),
        domain.SeparationOfDuties: (SeparationOfDutiesError, ErrorCode.SEPARATION_OF_DUTIES),
    }
    for kind, (cls, code) in simple.items():
        if isinstance(error, kind):
            result: ProblemType = cls(message=error.message, code=code)
            return result
    # A DomainError subclass nobody mapped is a bug here, not something to hide.
    raise TypeError(f"unmapped domain error {type(error).__name__}") from error


class Refusal(Exception):
    """A query-level refusal with a code (FORBIDDEN, NOT_FOUND, …) that the client may see."""

    def __init__(self, code: ErrorCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def refusal(error: domain.DomainError) -> Refusal:
    """A domain refusal raised from a query, keeping its code."""
    return Refusal(ErrorCode(error.code), error.message)


# The messages of the depth, alias and token limits (strawberry's and graphql-core's).
_LIMITS = re.compile(
    r"exceeds maximum operation depth|^\d+ aliases found\. Allowed|contains more than \d+ tokens"
)


class CodedErrors(MaskErrors):
    """Give every error a code; hide the text of anything unexpected (it is logged instead)."""

    def __init__(self) -> None:
        super().__init__(error_message="internal error")

    def _process_errors(self, errors: list[GraphQLError]) -> list[GraphQLError]:
        return [_coded(error) for error in errors]


def _coded(error: GraphQLError) -> GraphQLError:
    original = error.original_error
    if original is None or error.path is None:
        # Refused before execution: syntax, unknown field, bad variable value, the limits.
        limit = _LIMITS.search(error.message) is not None
        code = ErrorCode.LIMIT if limit else ErrorCode.VALIDATION
        return _with_code(error, error.message, code)
    if isinstance(original, Refusal):
        return _with_code(error, original.message, original.code)
    if isinstance(original, domain.DomainError):
        return _with_code(error, original.message, ErrorCode(original.code))
    logger.error("GraphQL resolver failed", exc_info=original)
    return _with_code(error, "internal error", ErrorCode.INTERNAL, keep_original=False)


def _with_code(
    error: GraphQLError, message: str, code: ErrorCode, *, keep_original: bool = True
) -> GraphQLError:
    return GraphQLError(
        message=message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=error.original_error if keep_original else None,
        extensions={**(error.extensions or {}), "code": code.value},
    )
