"""Annual assessment figures (依法行政考核) as GraphQL: numerators, denominators and rates."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.types import Info

from api.graphql.access import check_organisation, check_sees_everything
from api.graphql.context import Context
from api.graphql.errors import ErrorCode, Refusal
from projections.statistics import Rate, Statistics, statistics, statistics_by_organisation

Year = Annotated[int, strawberry.argument(description="The year (China time), e.g. 2026.")]


@strawberry.type(name="Rate", description="A numerator over a denominator.")
class RateType:
    """The rate is null when nothing was counted (a zero denominator)."""

    numerator: int = strawberry.field(description="How many achieved it.")
    denominator: int = strawberry.field(description="How many were counted.")
    rate: float | None = strawberry.field(description="numerator / denominator; null over 0.")

    @classmethod
    def of(cls, rate: Rate) -> RateType:
        """From the read model's rate."""
        return cls(numerator=rate.numerator, denominator=rate.denominator, rate=rate.rate)


@strawberry.type(description="Deadlines of one rule stopped in the year, and how many in time.")
class StepOnTime:
    """On-time rate per statutory step."""

    rule_id: str = strawberry.field(description="The rule in the rules table.")
    step: str = strawberry.field(description="The step it times.")
    on_time: RateType = strawberry.field(description="Stopped on or before the due date.")


@strawberry.type(name="Statistics", description="One organisation's assessment figures for a year.")
class StatisticsType:
    """Each measure as numerator, denominator and rate."""

    organisation: str = strawberry.field(description="The organisation (code).")
    year: int = strawberry.field(description="The year.")
    reconsideration_correction: RateType = strawberry.field(description="纠错率.")
    on_time: list[StepOnTime] = strawberry.field(description="Per step, deadlines met.")
    litigation_loss: RateType = strawberry.field(description="败诉率.")
    head_appearance: RateType = strawberry.field(description="负责人出庭应诉率.")
    recommendation_reply: RateType = strawberry.field(description="司法建议回复率.")
    petition_acceptance_on_time: RateType = strawberry.field(description="按期受理率.")
    petition_closure_on_time: RateType = strawberry.field(description="按期办结率.")
    petition_satisfaction: RateType = strawberry.field(description="满意率.")
    mediation_success: RateType = strawberry.field(description="调解成功率.")
    judicial_confirmation: RateType = strawberry.field(description="司法确认率.")

    @classmethod
    def of(cls, figures: Statistics) -> StatisticsType:
        """From the read model's figures."""
        return cls(
            organisation=figures.organisation,
            year=figures.year,
            reconsideration_correction=RateType.of(figures.reconsideration_correction),
            on_time=[
                StepOnTime(rule_id=s.rule_id, step=s.step, on_time=RateType.of(s.on_time))
                for s in figures.on_time
            ],
            litigation_loss=RateType.of(figures.litigation_loss),
            head_appearance=RateType.of(figures.head_appearance),
            recommendation_reply=RateType.of(figures.recommendation_reply),
            petition_acceptance_on_time=RateType.of(figures.petition_acceptance_on_time),
            petition_closure_on_time=RateType.of(figures.petition_closure_on_time),
            petition_satisfaction=RateType.of(figures.petition_satisfaction),
            mediation_success=RateType.of(figures.mediation_success),
            judicial_confirmation=RateType.of(figures.judicial_confirmation),
        )


def _check_year(year: int) -> int:
    if not 2000 <= year <= 2100:
        raise Refusal(ErrorCode.VALIDATION, f"year: {year} is not a year Casework counts")
    return year


@strawberry.type(description="Annual assessment figures.")
class StatisticsQueries:
    """Query fields over the statistics view."""

    @strawberry.field(
        description="One organisation's figures for a year: the caller's own, or any for "
        "auditors and admins (FORBIDDEN otherwise)."
    )
    async def statistics(
        self,
        info: Info[Context, None],
        organisation: Annotated[str, strawberry.argument(description="The organisation (code).")],
        year: Year,
    ) -> StatisticsType:
        """Every rate null when the organisation has nothing counted that year."""
        context = info.context
        check_organisation(context.actor, organisation, "the statistics")
        return StatisticsType.of(await context.read(statistics, organisation, _check_year(year)))

    @strawberry.field(
        description="The district-wide table: every organisation with figures in the year, by "
        "code; auditors and admins only (FORBIDDEN otherwise)."
    )
    async def statistics_by_organisation(
        self, info: Info[Context, None], year: Year
    ) -> list[StatisticsType]:
        """One statement per measure family."""
        context = info.context
        check_sees_everything(context.actor, "read every organisation's statistics")
        figures = await context.read(statistics_by_organisation, _check_year(year))
        return [StatisticsType.of(f) for f in figures]
