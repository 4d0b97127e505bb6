"""The dossier as GraphQL: connected cases (links, the same act) as nodes and edges."""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Annotated

import strawberry
from strawberry.types import Info

from api.graphql.context import Context
from api.graphql.lookup import hidden_cases, visible_case
from domain.values import CaseKind
from projections.dossier import Dossier, dossier_of_act, dossier_of_case


@strawberry.enum(description="Why two cases sit in one dossier.")
class DossierEdgeKind(Enum):
    """A recorded link, or the same administrative act."""

    LINK = "link"
    SAME_ACT = "same_act"


@strawberry.type(description="A case in a dossier.")
class DossierCase:
    """Enough to list it; open it with case(id:)."""

    id: strawberry.ID = strawberry.field(description="The case id.")
    kind: CaseKind = strawberry.field(description="The procedure.")
    reference: str = strawberry.field(description="The reference number (案号).")
    title: str = strawberry.field(description="The case's title.")
    organisation: str = strawberry.field(description="The organisation that registered it.")
    status: str = strawberry.field(description="Its state.")
    act_key: str | None = strawberry.field(description="The key of the act it is about.")
    opened_at: dt.datetime = strawberry.field(description="When it was registered.")


@strawberry.type(description="What connects two cases of a dossier.")
class DossierEdge:
    """A link as its source recorded it, or a pair about one act (source before target)."""

    source: strawberry.ID = strawberry.field(description="One case.")
    target: strawberry.ID = strawberry.field(description="The other case.")
    kind: DossierEdgeKind = strawberry.field(description="A link, or the same act.")
    relation: str | None = strawberry.field(description="The link's relation, from the source.")
    act_key: str | None = strawberry.field(description="The act both are about.")


@strawberry.type(name="Dossier", description="Connected cases (one dispute's file) and their ties.")
class DossierType:
    """Oldest case first; what the caller may not see is named, not silently dropped."""

    cases: list[DossierCase] = strawberry.field(description="The cases, oldest first.")
    edges: list[DossierEdge] = strawberry.field(description="What connects them.")
    withheld_cases: list[str] = strawberry.field(
        description="Reference numbers of connected cases the caller may not see (left out, "
        "with their edges)."
    )


async def _shown(context: Context, dossier: Dossier) -> DossierType:
    hidden = await hidden_cases(context, (c.case_id for c in dossier.cases))
    return DossierType(
        cases=[
            DossierCase(
                id=strawberry.ID(str(c.case_id)),
                kind=CaseKind(c.kind),
                reference=c.reference,
                title=c.title,
                organisation=c.organisation,
                status=c.status,
                act_key=c.act_key,
                opened_at=c.opened_at,
            )
            for c in dossier.cases
            if c.case_id not in hidden
        ],
        edges=[
            DossierEdge(
                source=strawberry.ID(str(e.source)),
                target=strawberry.ID(str(e.target)),
                kind=DossierEdgeKind(e.kind.value),
                relation=e.relation,
                act_key=e.act_key,
            )
            for e in dossier.edges
            if e.source not in hidden and e.target not in hidden
        ],
        withheld_cases=sorted(hidden.values()),
    )


@strawberry.type(description="Cases connected to a case or an act.")
class DossierQueries:
    """Query fields over the dossier view."""

    @strawberry.field(
        description="The case and every case connected to it by links or the same act; "
        "FORBIDDEN if the caller may not see the case itself."
    )
    async def dossier(
        self,
        info: Info[Context, None],
        case_id: Annotated[strawberry.ID, strawberry.argument(description="The case id.")],
    ) -> DossierType:
        """Connected cases are checked one by one (batched)."""
        context = info.context
        case = await visible_case(context, case_id)
        return await _shown(context, await context.read(dossier_of_case, case.id))

    @strawberry.field(
        description="Every case about an administrative act, and every case connected to them."
    )
    async def dossier_of_act(
        self,
        info: Info[Context, None],
        act_key: Annotated[
            str, strawberry.argument(description="The act's key (CaseSummary.act.key).")
        ],
    ) -> DossierType:
        """Cases the caller may not see are named in withheldCases."""
        context = info.context
        return await _shown(context, await context.read(dossier_of_act, act_key))
