import datetime as dt
from concurrent.futures import ThreadPoolExecutor

from domain.application import Casework
from domain.references import format_reference
from domain.values import CaseKind


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
