"""Who may see and act on what: the API's side of authorisation (the domain checks the rest)."""

from __future__ import annotations

from api.graphql.commands.table import READ_ONLY, Command
from api.graphql.errors import ErrorCode, Refusal
from domain.actors import Actor, Role
from domain.case import CaseFile
from domain.petition import Petition
from domain.values import CaseKind
from projections.case_summary import SearchScope

# Roles that read every organisation's cases.
SEES_EVERYTHING = frozenset({Role.AUDITOR, Role.ADMIN})


def involved_organisations(case: CaseFile) -> set[str]:
    """Organisations whose staff work on the case: the registering one, and for a petition
    the agency it was routed to and the reviewing ones."""
    involved = {case.organisation}
    if isinstance(case, Petition):
        involved |= {org for org in (case.agency, case.reviewer, case.rereviewer) if org}
    return involved


def may_see(actor: Actor, case: CaseFile) -> bool:
    """Auditors and admins see all; coordinators all litigation; others their organisations'."""
    if actor.role in SEES_EVERYTHING:
        return True
    if actor.role == Role.COORDINATOR and case.KIND == CaseKind.LITIGATION:
        return True
    return actor.organisation in involved_organisations(case)


def check_may_see(actor: Actor, case: CaseFile) -> None:
    """FORBIDDEN for a case the caller may not see (never a silent 'not found')."""
    if not may_see(actor, case):
        raise Refusal(
            ErrorCode.FORBIDDEN,
            f"{actor.id} ({actor.role}, {actor.organisation}) may not see case {case.reference}",
        )


def role_refusal(actor: Actor, command: Command) -> str | None:
    """Why the caller's role may not try the step at all, or None."""
    if command.allows_role(actor.role):
        return None
    if actor.role in READ_ONLY:
        return f"{a_role(actor)} reads cases and takes no steps"
    allowed = ", ".join(sorted(str(r) for r in command.roles | {Role.ADMIN}))
    return f"{a_role(actor)} may not {command.name}; this needs: {allowed}"


def litigation_only(kinds: tuple[str, ...] | None) -> tuple[str, ...]:
    """A coordinator's kinds outside its own organisation: litigation, or FORBIDDEN."""
    litigation = CaseKind.LITIGATION.value
    others = [k for k in kinds or () if k != litigation]
    if others:
        raise Refusal(
            ErrorCode.FORBIDDEN,
            f"a coordinator sees only the litigation of other organisations, not their "
            f"{', '.join(others)} cases",
        )
    return (litigation,)


def queue_scope(
    actor: Actor, organisation: str | None, kinds: tuple[str, ...] | None
) -> tuple[str | None, tuple[str, ...] | None]:
    """The organisation and kinds an organisation-wide queue read may cover, or FORBIDDEN.

    Returns (organisation, kinds); None means every one.
    """
    if actor.role in SEES_EVERYTHING:
        return organisation, kinds
    if organisation is None or organisation == actor.organisation:
        return actor.organisation, kinds
    if actor.role == Role.COORDINATOR:
        return organisation, litigation_only(kinds)
    raise Refusal(
        ErrorCode.FORBIDDEN,
        f"{a_role(actor)} of {actor.organisation} may not read the queue of {organisation}",
    )


def a_role(actor: Actor) -> str:
    """'an auditor', 'a handler': the caller's role with its article, for messages."""
    role = str(actor.role)
    return f"{'an' if role[0] in 'aeiou' else 'a'} {role}"


def search_scope(actor: Actor, organisation: str | None, kind: str | None) -> SearchScope:
    """The cases a search may return, or FORBIDDEN.

    Without an organisation named, a search covers the caller's organisation (and for a
    coordinator litigation everywhere); naming one the caller may not search is refused, never
    answered with an empty page.
    """
    litigation = CaseKind.LITIGATION.value
    if actor.role in SEES_EVERYTHING:
        return SearchScope(None)
    if organisation is None or organisation == actor.organisation:
        coordinator = actor.role == Role.COORDINATOR and organisation is None
        return SearchScope((actor.organisation,), (litigation,) if coordinator else ())
    if actor.role == Role.COORDINATOR:
        return SearchScope((), litigation_only(None if kind is None else (kind,)))
    raise Refusal(
        ErrorCode.FORBIDDEN,
        f"{a_role(actor)} of {actor.organisation} may not search the cases of {organisation}",
    )


def check_organisation(actor: Actor, organisation: str, what: str) -> None:
    """FORBIDDEN unless the caller sees every organisation or it is their own."""
    if actor.role in SEES_EVERYTHING or organisation == actor.organisation:
        return
    raise Refusal(
        ErrorCode.FORBIDDEN,
        f"{a_role(actor)} of {actor.organisation} may not read {what} of {organisation}",
    )


def check_sees_everything(actor: Actor, what: str) -> None:
    """FORBIDDEN unless the caller is an auditor or an admin."""
    if actor.role not in SEES_EVERYTHING:
        raise Refusal(ErrorCode.FORBIDDEN, f"only auditors and admins may {what}")
