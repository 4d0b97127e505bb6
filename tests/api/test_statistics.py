"""Annual figures over GraphQL: numerators, denominators, rates, and who may read them."""

from __future__ import annotations

import uuid
from typing import Any

from api.bootstrap import Container
from domain.actors import Role
from domain.step import china_date
from tests.api.conftest import GraphQL, Users
from tests.api.test_trail import mediation

RATE = "{ numerator denominator rate }"
MEASURES = [
    "reconsiderationCorrection",
    "litigationLoss",
    "headAppearance",
    "recommendationReply",
    "petitionAcceptanceOnTime",
    "petitionClosureOnTime",
    "petitionSatisfaction",
    "mediationSuccess",
    "judicialConfirmation",
]
FIGURES = (
    "organisation year onTime { ruleId step onTime "
    + RATE
    + " } "
    + " ".join(f"{m} {RATE}" for m in MEASURES)
)
ONE = (
    "query($org: String!, $year: Int!) { statistics(organisation: $org, year: $year) { "
    + FIGURES
    + " } }"
)
ALL = f"query($year: Int!) {{ statisticsByOrganisation(year: $year) {{ {FIGURES} }} }}"
NOTHING = {"numerator": 0, "denominator": 0, "rate": None}


def year_of(container: Container) -> int:
    return china_date(container.application.clock()).year


async def test_an_organisations_figures_count_its_outcomes_and_leave_empty_rates_null(
    gql: GraphQL, users: Users, api_container: Container
) -> None:
    intake, handler, head = users(Role.INTAKE), users(Role.HANDLER), users(Role.APPROVER)
    agreed, refused = await mediation(gql, intake), await mediation(gql, intake)
    agreed = await gql.step(handler, "mediationHoldSession", agreed, mediator="王", notes="陈述")
    day = china_date(api_container.application.clock()).isoformat()
    await gql.step(
        handler, "mediationReachAgreement", agreed, terms="让路", effectiveOn=day, written=True
    )
    await gql.step(handler, "mediationRecordRefusal", refused, party="李四", reason="明确拒绝调解")
    year = year_of(api_container)
    figures = (await gql.query(head, ONE, {"org": head.org, "year": year}))["statistics"]
    assert {m: figures[m] for m in MEASURES} == {
        **dict.fromkeys(MEASURES, NOTHING),
        "mediationSuccess": {"numerator": 1, "denominator": 2, "rate": 0.5},
        "judicialConfirmation": {"numerator": 0, "denominator": 1, "rate": 0.0},
    }
    assert (figures["organisation"], figures["year"]) == (head.org, year)
    assert figures["onTime"] == [
        {
            "ruleId": "mediation.administrative",
            "step": "行政调解 / administrative mediation",
            "onTime": {"numerator": 2, "denominator": 2, "rate": 1.0},
        }
    ]
    auditor = users(Role.AUDITOR, org="audit")
    assert (await gql.query(auditor, ONE, {"org": head.org, "year": year}))["statistics"] == figures
    table = (await gql.query(auditor, ALL, {"year": year}))["statisticsByOrganisation"]
    assert [row for row in table if row["organisation"] == head.org] == [figures]
    assert [row["organisation"] for row in table] == sorted(row["organisation"] for row in table)


async def test_an_organisation_with_nothing_counted_has_every_rate_null(
    gql: GraphQL, users: Users, api_container: Container
) -> None:
    head = users(Role.APPROVER)
    figures = (await gql.query(head, ONE, {"org": head.org, "year": year_of(api_container)}))[
        "statistics"
    ]
    assert {m: figures[m] for m in MEASURES} == dict.fromkeys(MEASURES, NOTHING)
    assert figures["onTime"] == []


async def test_other_organisations_figures_are_for_auditors_and_admins_only(
    gql: GraphQL, users: Users, api_container: Container
) -> None:
    year, other = year_of(api_container), "org-" + uuid.uuid4().hex[:8]
    for role in (Role.HANDLER, Role.APPROVER, Role.COORDINATOR):
        caller = users(role)
        errors = await gql.errors(caller, ONE, {"org": other, "year": year})
        assert [e["extensions"]["code"] for e in errors] == ["FORBIDDEN"]
        errors = await gql.errors(caller, ALL, {"year": year})
        assert [(e["extensions"]["code"], e["message"]) for e in errors] == [
            ("FORBIDDEN", "only auditors and admins may read every organisation's statistics")
        ]
    admin: dict[str, Any] = await gql.query(users(Role.ADMIN), ONE, {"org": other, "year": year})
    assert admin["statistics"]["organisation"] == other


async def test_a_year_out_of_range_is_a_validation_error(gql: GraphQL, users: Users) -> None:
    head = users(Role.APPROVER)
    errors = await gql.errors(head, ONE, {"org": head.org, "year": 20260})
    assert [e["extensions"]["code"] for e in errors] == ["VALIDATION"]
