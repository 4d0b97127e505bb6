import datetime as dt
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest

from domain.actors import Actor, Role
from domain.application import Casework
from domain.errors import ValidationError
from domain.mediation import MediationCase, MediationType, Origin
from domain.references import format_reference
from domain.step import CHINA
from domain.values import CaseKind, Party, PartyRole


def test_reference_numbers_follow_the_official_document_style():
    assert format_reference(CaseKind.RECONSIDERATION, 2026, 17) == "复议〔2026〕17号"
    assert format_reference(CaseKind.PETITION, 2027, 1) == "信访〔2027〕1号"


def test_reference_numbers_are_unique_under_concurrency(app: Casework):
    year = 3000 + dt.datetime.now().microsecond % 5000  # a year no other test uses
    with ThreadPoolExecutor(max_workers=8) as pool:
        numbers = list(
            pool.map(lambda _: app.references.next_number(CaseKind.MEDIATION, year), range(200))
        )
    assert sorted(numbers) == list(range(1, 201))


def test_each_kind_and_year_counts_on_its_own(app: Casework):
    year = 4000 + dt.datetime.now().microsecond % 5000
    first_litigation = app.references.next_number(CaseKind.LITIGATION, year)
    first_petition = app.references.next_number(CaseKind.PETITION, year)
    next_year = app.references.next_number(CaseKind.LITIGATION, year + 1)
    assert (first_litigation, first_petition, next_year) == (1, 1, 1)


def test_a_refused_registration_leaves_no_gap_in_the_register(
    app: Casework, actor: Callable[..., Actor]
):
    intake = actor(Role.INTAKE)

    def register(*names: str) -> MediationCase:
        return app.register(
            MediationCase,
            app.step(intake, at=dt.datetime(2026, 6, 1, 9, tzinfo=CHINA)),
            title="相邻通行纠纷",
            organisation=intake.organisation,
            parties=[Party(name, PartyRole.APPLICANT) for name in names],
            mediation_type=MediationType.ADMINISTRATIVE,
            origin=Origin.APPLICATION,
        )

    first = register("张三", "李四")
    with pytest.raises(ValidationError, match="at least two parties"):
        register("张三")
    second = register("王五", "赵六")
    number = int(first.reference.removeprefix("调解〔2026〕").removesuffix("号"))
    assert second.reference == f"调解〔2026〕{number + 1}号"
