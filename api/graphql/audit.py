"""Audit reads as GraphQL: a case's decision history, and whether the sealed log holds."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import strawberry
from starlette.concurrency import run_in_threadpool
from strawberry.types import Info

from api.audit.decisions import DecisionRecord, decision_history
from api.audit.ledger import verify_case, verify_log
from api.audit.offline_verify import Verdict
from api.graphql.access import check_sees_everything
from api.graphql.context import Context
from api.graphql.errors import ErrorCode, Refusal, refusal
from api.graphql.lookup import seen_case_id, visible_case
from api.graphql.types.common import Person
from api.graphql.types.documents import DocumentType
from domain.errors import DomainError


@strawberry.type(
    name="DecisionRecord",
    description="A decision-type step, with the documents the file held then.",
)
class DecisionRecordType:
    """Who decided, who approved, on what basis and evidence."""

    version: int = strawberry.field(description="The case's version after the step.")
    step: str = strawberry.field(description="The event's name, e.g. Decided.")
    at: dt.datetime = strawberry.field(description="The time the step states (UTC).")
    decider: Person = strawberry.field(description="Who took the decision.")
    approver: Person | None = strawberry.field(description="Who approved it, if anyone.")
    legal_basis: str = strawberry.field(description="The legal basis cited.")
    reason: str = strawberry.field(description="The stated reason (理由).")
    status_after: str = strawberry.field(description="The case's state after it.")
    documents: list[DocumentType] = strawberry.field(
        description="The documents on the case file when it was taken (the evidence)."
    )

    @classmethod
    def of(cls, record: DecisionRecord) -> DecisionRecordType:
        """From the audit record."""
        return cls(
            version=record.version,
            step=record.step,
            at=record.at,
            decider=Person.of(record.decider),
            approver=None if record.approver is None else Person.of(record.approver),
            legal_basis=record.legal_basis,
            reason=record.reason,
            status_after=record.status_after,
            documents=[DocumentType.of(d) for d in record.documents],
        )


@strawberry.type(description="Where the sealed record breaks, and how.")
class ChainProblem:
    """The first bad event, in log order."""

    notification_id: int = strawberry.field(description="Its position in the event log.")
    case_id: str | None = strawberry.field(description="Its case, when known.")
    version: int = strawberry.field(description="Its version within the case.")
    what: str = strawberry.field(description="What is wrong, in words.")


@strawberry.type(description="Whether the sealed event chain holds.")
class ChainVerdict:
    """From the stored events, their seals and the checkpoints."""

    holds: bool = strawberry.field(description="Whether every event matches its seal.")
    checked: int = strawberry.field(description="How many log positions were read.")
    problems: int = strawberry.field(description="How many problems were found.")
    first_problem: ChainProblem | None = strawberry.field(
        description="The first bad event; null when the chain holds."
    )

    @classmethod
    def of(cls, verdict: Verdict) -> ChainVerdict:
        """From the ledger's verdict."""
        first = verdict.first
        return cls(
            holds=verdict.holds,
            checked=verdict.checked,
            problems=len(verdict.problems),
            first_problem=None
            if first is None
            else ChainProblem(
                notification_id=first.notification_id,
                case_id=first.case or None,
                version=first.version,
                what=first.what,
            ),
        )


@strawberry.type(description="Audit reads.")
class AuditQueries:
    """Query fields over the event store and its seals."""

    @strawberry.field(
        description="Every decision-type step of a case, oldest first; FORBIDDEN if unseen."
    )
    async def decision_history(
        self,
        info: Info[Context, None],
        case_id: Annotated[strawberry.ID, strawberry.argument(description="The case id.")],
    ) -> list[DecisionRecordType]:
        """Replayed from the event store, off the event loop."""
        context = info.context
        case = await visible_case(context, case_id)
        try:
            records = await run_in_threadpool(
                decision_history, context.container.application, case.id
            )
        except DomainError as error:
            raise refusal(error) from None
        return [DecisionRecordType.of(r) for r in records]

    @strawberry.field(
        description="Verify the sealed event chain: of one case (anyone who may see it), or "
        "of the whole log, running hash and checkpoints included (auditors and admins only)."
    )
    async def verify_chain(
        self,
        info: Info[Context, None],
        case_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(description="One case; omit to verify the whole log."),
        ] = None,
    ) -> ChainVerdict:
        """Reads every event it verifies: the whole log may take a while."""
        context = info.context
        if case_id is None:
            check_sees_everything(context.actor, "verify the whole event log")
            return ChainVerdict.of(await context.read(verify_log))
        verdict = await context.read(verify_case, await seen_case_id(context, case_id))
        if verdict.checked == 0:
            raise Refusal(ErrorCode.NOT_FOUND, f"no case with id {case_id}")
        return ChainVerdict.of(verdict)
