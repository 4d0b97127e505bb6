from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.calendar import CalendarFileError, DateResult, WorkCalendar, read_overrides

CALENDAR = WorkCalendar()
WARNING_2027 = (
    "2027年节假日安排未载入，按周末计算 / "
    "holiday calendar for 2027 not loaded; counted weekends only"
)


@pytest.mark.parametrize(
    ("day", "working"),
    [
        # 春节 2026: rest Feb 15-23, adjusted working Saturdays Feb 14 and Feb 28.
        (date(2026, 2, 13), True),
        (date(2026, 2, 14), True),
        (date(2026, 2, 15), False),
        (date(2026, 2, 19), False),
        (date(2026, 2, 23), False),
        (date(2026, 2, 24), True),
        (date(2026, 2, 28), True),
        (date(2026, 3, 1), False),
        # 劳动节 2026: rest May 1-5, adjusted working Saturday May 9.
        (date(2026, 4, 30), True),
        (date(2026, 5, 1), False),
        (date(2026, 5, 5), False),
        (date(2026, 5, 6), True),
        (date(2026, 5, 9), True),
        (date(2026, 5, 10), False),
        # 中秋 + 国庆 2026: rest Sep 25-27 and Oct 1-7, adjusted working Sep 20 (Sun), Oct 10 (Sat).
        (date(2026, 9, 20), True),
        (date(2026, 9, 25), False),
        (date(2026, 9, 27), False),
        (date(2026, 10, 1), False),
        (date(2026, 10, 7), False),
        (date(2026, 10, 8), True),
        (date(2026, 10, 10), True),
        (date(2026, 10, 11), False),
        # 元旦 2026: rest Jan 1-3, adjusted working Sunday Jan 4.
        (date(2026, 1, 1), False),
        (date(2026, 1, 4), True),
        # 2027 is not in the library: weekends only, so New Year's Day (a Friday) counts as working.
        (date(2027, 1, 1), True),
        (date(2027, 1, 2), False),
        (date(2027, 1, 3), False),
    ],
)
def test_working_days_follow_the_official_holiday_calendar(day: date, working: bool) -> None:
    assert CALENDAR.is_working_day(day) is working


def test_the_library_covers_2004_to_2026_and_not_2027() -> None:
    assert [CALENDAR.covers(y) for y in (2003, 2004, 2026, 2027)] == [False, True, True, False]


def test_next_working_day_skips_the_spring_festival_without_warning() -> None:
    assert CALENDAR.next_working_day_on_or_after(date(2026, 2, 15)) == DateResult(date(2026, 2, 24))


def test_next_working_day_of_a_working_day_is_the_day_itself() -> None:
    assert CALENDAR.next_working_day_on_or_after(date(2026, 2, 14)) == DateResult(date(2026, 2, 14))


def test_a_date_computed_in_an_uncovered_year_carries_the_bilingual_warning() -> None:
    assert CALENDAR.next_working_day_on_or_after(date(2027, 1, 2)) == DateResult(
        date(2027, 1, 4), (WARNING_2027,)
    )


def test_adding_working_days_counts_adjusted_saturdays_and_skips_the_holiday() -> None:
    assert CALENDAR.add_working_days(date(2026, 2, 13), 1) == DateResult(date(2026, 2, 14))
    assert CALENDAR.add_working_days(date(2026, 2, 14), 1) == DateResult(date(2026, 2, 24))


def test_adding_working_days_does_not_count_the_start_day() -> None:
    assert CALENDAR.add_working_days(date(2026, 3, 2), 1).date == date(2026, 3, 3)


def test_adding_working_days_into_2027_warns() -> None:
    assert CALENDAR.add_working_days(date(2026, 12, 30), 3) == DateResult(
        date(2027, 1, 4), (WARNING_2027,)
    )


def test_adding_zero_working_days_is_refused() -> None:
    with pytest.raises(ValueError, match="positive"):
        CALENDAR.add_working_days(date(2026, 3, 2), 0)


def test_working_days_between_counts_the_half_open_interval() -> None:
    # (Feb 13, Feb 28]: Feb 14 (adjusted), 24, 25, 26, 27, 28 (adjusted).
    assert CALENDAR.working_days_between(date(2026, 2, 13), date(2026, 2, 28)) == 6
    assert CALENDAR.working_days_between(date(2026, 2, 28), date(2026, 2, 28)) == 0
    assert CALENDAR.working_days_between(date(2026, 3, 5), date(2026, 3, 1)) == 0


def test_operator_overrides_make_a_year_covered_and_win_over_the_library() -> None:
    calendar = WorkCalendar({date(2027, 1, 1): False, date(2026, 2, 24): False})

    assert calendar.covers(2027)
    assert not calendar.is_working_day(date(2027, 1, 1))
    assert not calendar.is_working_day(date(2026, 2, 24))
    assert calendar.next_working_day_on_or_after(date(2027, 1, 1)) == DateResult(date(2027, 1, 4))


def test_a_holiday_notice_file_loads_with_comments_and_blank_lines(tmp_path: Path) -> None:
    notice = tmp_path / "2027.csv"
    notice.write_text(
        "# 国务院办公厅关于2027年部分节假日安排的通知\n"
        "date,kind\n"
        "2027-01-01,holiday\n"
        "\n"
        "2027-02-20,workday\n",
        encoding="utf-8",
    )

    calendar = WorkCalendar.load_overrides(notice)

    assert read_overrides(notice) == {date(2027, 1, 1): False, date(2027, 2, 20): True}
    assert calendar.covers(2027)
    assert calendar.is_working_day(date(2027, 2, 20))
    assert calendar.add_working_days(date(2026, 12, 31), 1) == DateResult(date(2027, 1, 4))


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("day,type\n2027-01-01,holiday\n", "line 1: the header must be 'date,kind'"),
        ("", "line 1: the header must be 'date,kind'"),
        ("date,kind\n2027-01-01,holiday\n2027-13-01,holiday\n", "line 3: '2027-13-01' is not a"),
        ("date,kind\n2027-01-01,vacation\n", "line 2: kind 'vacation' must be 'holiday' or"),
        ("date,kind\n2027-01-01\n", "line 2: expected 2 columns, found 1"),
        ("date,kind\n2027-01-01,holiday\n2027-01-01,workday\n", "line 3: 2027-01-01 is listed"),
    ],
)
def test_a_broken_holiday_notice_names_file_line_and_problem(
    tmp_path: Path, content: str, problem: str
) -> None:
    notice = tmp_path / "notice.csv"
    notice.write_text(content, encoding="utf-8")

    with pytest.raises(CalendarFileError) as raised:
        WorkCalendar.load_overrides(notice)

    assert str(raised.value).startswith(f"{notice}, {problem}")


def test_a_missing_holiday_notice_file_is_reported(tmp_path: Path) -> None:
    with pytest.raises(CalendarFileError, match="cannot read"):
        read_overrides(tmp_path / "absent.csv")


@settings(max_examples=200)
@given(
    start=st.dates(min_value=date(2024, 1, 1), max_value=date(2027, 12, 31)),
    n=st.integers(min_value=1, max_value=40),
)
def test_adding_n_working_days_lands_on_a_working_day_n_working_days_later(
    start: date, n: int
) -> None:
    result = CALENDAR.add_working_days(start, n)

    assert CALENDAR.is_working_day(result.date)
    assert CALENDAR.working_days_between(start, result.date) == n
    assert bool(result.warnings) == (result.date.year >= 2027)


@settings(max_examples=200)
@given(day=st.dates(min_value=date(2024, 1, 1), max_value=date(2027, 12, 31)))
def test_the_next_working_day_is_the_first_working_day_on_or_after(day: date) -> None:
    found = CALENDAR.next_working_day_on_or_after(day).date

    assert CALENDAR.is_working_day(found)
    gap = (found - day).days
    assert not any(CALENDAR.is_working_day(day + timedelta(days=i)) for i in range(gap))
