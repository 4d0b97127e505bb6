"""Cases by id for read fields: parsed, loaded through the request's dataloader, and visible."""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

from api.graphql.access import SEES_EVERYTHING, check_may_see, may_see
from api.graphql.context import Context
from api.graphql.errors import ErrorCode, Refusal, refusal
from api.graphql.mutations.result import parse_case_id
from domain.case import CaseFile
from domain.errors import DomainError


async def visible_case(context: Context, id: str, field: str = "caseId") -> CaseFile:
    """The case as it is now: VALIDATION for a bad id, NOT_FOUND, or FORBIDDEN."""
    try:
        case_id = parse_case_id(id, field)
    except DomainError as error:
        raise refusal(error) from None
    case = await context.cases.load(case_id)
    if case is None:
        raise Refusal(ErrorCode.NOT_FOUND, f"no case with id {case_id}")
    check_may_see(context.actor, case)
    return case


async def seen_case_id(context: Context, id: str, field: str = "caseId") -> UUID:
    """A case id the caller may read about, loading the case only to check who may see it
    (auditors and admins see every case, even one whose stored events no longer load)."""
    if context.actor.role in SEES_EVERYTHING:
        try:
            return parse_case_id(id, field)
        except DomainError as error:
            raise refusal(error) from None
    return (await visible_case(context, id, field)).id


async def hidden_cases(context: Context, case_ids: Iterable[UUID]) -> dict[UUID, str]:
    """Of these cases, those the caller may not see, by id, with their reference numbers."""
    ids = sorted(set(case_ids))
    loaded = await context.cases.load_many(ids)
    return {
        case_id: case.reference
        for case_id, case in zip(ids, loaded, strict=True)
        if case is not None and not may_see(context.actor, case)
    }
