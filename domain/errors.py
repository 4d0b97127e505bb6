"""Domain errors: the one family of refusals that the API maps to error types."""

from __future__ import annotations


class DomainError(Exception):
    """A command the domain refuses, with a stable machine-readable code."""

    code: str = "DOMAIN"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ValidationError(DomainError):
    """Input that breaks a rule of the domain, optionally naming the offending field."""

    code = "VALIDATION"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class InvalidTransition(DomainError):
    """A step the case's current state does not allow; names the state and the step."""

    code = "INVALID_TRANSITION"

    def __init__(self, what: str, state: str, step: str, why: str = "") -> None:
        message = f"the {what} is {state}; it cannot {step}"
        super().__init__(message + (f" ({why})" if why else ""))
        self.state = state
        self.step = step


class SeparationOfDuties(DomainError):
    """The same person may not hold two roles the rules keep apart (立审分离, self-approval)."""

    code = "SEPARATION_OF_DUTIES"


class Forbidden(DomainError):
    """The actor's role or organisation may not take this step."""

    code = "FORBIDDEN"


class NotFound(DomainError):
    """No case with that id (or not of the kind asked for)."""

    code = "NOT_FOUND"


class Conflict(DomainError):
    """The case changed since it was read; reload it and try again."""

    code = "CONFLICT"
