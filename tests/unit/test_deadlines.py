import json
from dataclasses import replace
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.calendar import WorkCalendar, missing_year_warning
from domain.deadlines import (
    Deadline,
    DeadlineError,
    ExtensionExceedsLimit,
    ExtensionNotAllowed,
    days_left,
    extend,
    is_overdue,
    resume,
    start_deadline,
    suspend,
    with_warning,
)
from domain.errors import DomainError
from domain.rules import Rule, Unit, Variant, load_rules

CALENDAR = WorkCalendar()
RULES = load_rules()
ORD, SIMPLE = Variant.ORDINARY, Variant.SIMPLIFIED
NO_2027 = (missing_year_warning(2027),)


def _start(rule_id: str, start: date, variant: Variant | None = None) -> Deadline:
    return start_deadline(RULES.get(rule_id, variant), start, CALENDAR)


@pytest.mark.parametrize(
    ("rule_id", "variant", "start", "nominal_end", "due_on", "warnings"),
    [
        # 春节 2026 (rest Feb 15-23; Sat Feb 14 and Sat Feb 28 are adjusted working days).
        ("petition.route", None, "2026-02-01", "2026-02-16", "2026-02-24", ()),
        ("litigation.appeal.ruling", None, "2026-02-04", "2026-02-14", "2026-02-14", ()),
        ("litigation.defence", None, "2026-02-13", "2026-02-28", "2026-02-28", ()),
        ("litigation.defence", None, "2026-02-14", "2026-03-01", "2026-03-02", ()),
        ("reconsideration.admission", None, "2026-02-12", "2026-02-26", "2026-02-26", ()),
        ("reconsideration.correction", None, "2026-02-13", "2026-03-05", "2026-03-05", ()),
        ("reconsideration.reply", ORD, "2026-02-12", "2026-03-04", "2026-03-04", ()),
        # 劳动节 2026 (rest May 1-5; Sat May 9 is an adjusted working day).
        ("litigation.appeal.judgment", None, "2026-04-16", "2026-05-01", "2026-05-06", ()),
        ("litigation.appeal.ruling", None, "2026-04-29", "2026-05-09", "2026-05-09", ()),
        ("reconsideration.copy_to_respondent", ORD, "2026-04-28", "2026-05-11", "2026-05-11", ()),
        (
            "reconsideration.copy_to_respondent",
            SIMPLE,
            "2026-04-29",
            "2026-05-07",
            "2026-05-07",
            (),
        ),
        # 中秋 + 国庆 2026 (rest Sep 25-27, Oct 1-7; Sun Sep 20 and Sat Oct 10 are working days).
        ("reconsideration.admission", None, "2026-09-18", "2026-09-24", "2026-09-24", ()),
        ("litigation.defence", None, "2026-09-17", "2026-10-02", "2026-10-08", ()),
        ("reconsideration.reply", ORD, "2026-09-24", "2026-10-15", "2026-10-15", ()),
        ("reconsideration.reply", SIMPLE, "2026-09-24", "2026-10-09", "2026-10-09", ()),
        # 元旦 2026 (rest Jan 1-3; Sun Jan 4 is an adjusted working day).
        ("litigation.defence", None, "2025-12-17", "2026-01-01", "2026-01-04", ()),
        # Month ends: calendar periods count days, not months.
        ("reconsideration.decision", ORD, "2026-01-31", "2026-04-01", "2026-04-01", ()),
        ("reconsideration.decision", SIMPLE, "2026-01-31", "2026-03-02", "2026-03-02", ()),
        ("petition.review.request", None, "2026-01-31", "2026-03-02", "2026-03-02", ()),
        ("reconsideration.apply", None, "2026-03-31", "2026-05-30", "2026-06-01", ()),
        # 2027 is not covered: weekends only, with the warning (Jan 1 2027 counts as working).
        ("litigation.defence", None, "2026-12-17", "2027-01-01", "2027-01-01", NO_2027),
        ("reconsideration.admission", None, "2027-01-29", "2027-02-05", "2027-02-05", NO_2027),
        ("litigation.appeal.ruling", None, "2027-03-03", "2027-03-13", "2027-03-15", NO_2027),
    ],
)
def test_due_dates_around_holidays_month_ends_and_uncovered_years(
    *,
    rule_id: str,
    variant: Variant | None,
    start: str,
    nominal_end: str,
    due_on: str,
    warnings: tuple[str, ...],
) -> None:
    rule = RULES.get(rule_id, variant)

    assert start_deadline(rule, date.fromisoformat(start), CALENDAR) == Deadline(
        rule_id=rule_id,
        variant=rule.variant,
        step=rule.step,
        unit=rule.unit,
        length=rule.length,
        started_on=date.fromisoformat(start),
        nominal_end=date.fromisoformat(nominal_end),
        due_on=date.fromisoformat(due_on),
        legal_basis=rule.legal_basis,
        warnings=warnings,
    )


def test_working_day_periods_skip_rest_days_while_calendar_periods_count_them() -> None:
    ten_working = _start("reconsideration.reply", date(2026, 9, 30), ORD)
    ten_calendar = _start("litigation.appeal.ruling", date(2026, 9, 30))

    assert (ten_working.unit, ten_working.due_on) == (Unit.WORKING_DAYS, date(2026, 10, 20))
    assert (ten_calendar.unit, ten_calendar.due_on) == (Unit.CALENDAR_DAYS, date(2026, 10, 10))


def test_a_calendar_period_ending_on_a_rest_day_rolls_to_the_next_working_day() -> None:
    deadline = _start("litigation.appeal.judgment", date(2026, 4, 16))

    assert (deadline.nominal_end, deadline.due_on) == (date(2026, 5, 1), date(2026, 5, 6))


def test_a_calendar_period_ending_on_an_adjusted_working_saturday_does_not_roll() -> None:
    deadline = _start("litigation.defence", date(2026, 2, 13))

    assert deadline.due_on == deadline.nominal_end == date(2026, 2, 28)


def test_a_loaded_holiday_notice_removes_the_warning_and_moves_the_due_date() -> None:
    calendar = WorkCalendar({date(2027, 1, 1): False})

    deadline = start_deadline(RULES.get("litigation.defence"), date(2026, 12, 17), calendar)

    assert (deadline.due_on, deadline.warnings) == (date(2027, 1, 4), ())


def test_days_left_counts_calendar_days_and_goes_negative_when_overdue() -> None:
    deadline = _start("reconsideration.decision", date(2026, 3, 2))  # due 2026-05-06

    assert [days_left(deadline, date(2026, 4, 30)), is_overdue(deadline, date(2026, 4, 30))] == [
        6,
        False,
    ]
    assert [days_left(deadline, date(2026, 5, 6)), is_overdue(deadline, date(2026, 5, 6))] == [
        0,
        False,
    ]
    assert [days_left(deadline, date(2026, 5, 7)), is_overdue(deadline, date(2026, 5, 7))] == [
        -1,
        True,
    ]


def test_suspension_records_the_calendar_days_left_and_resumption_continues_them() -> None:
    deadline = _start("reconsideration.decision", date(2026, 3, 2))  # nominal May 1, due May 6

    suspended = suspend(deadline, date(2026, 3, 12), CALENDAR)
    resumed = resume(suspended, date(2026, 6, 1), CALENDAR)

    assert (suspended.suspended_on, suspended.remaining) == (date(2026, 3, 12), 50)
    assert resumed == replace(deadline, nominal_end=date(2026, 7, 21), due_on=date(2026, 7, 21))


def test_suspension_records_the_working_days_left_and_resumption_continues_them() -> None:
    deadline = _start("reconsideration.reply", date(2026, 2, 12), ORD)  # due Mar 4

    suspended = suspend(deadline, date(2026, 2, 24), CALENDAR)
    resumed = resume(suspended, date(2026, 4, 28), CALENDAR)

    # (Feb 24, Mar 4] holds Feb 25, 26, 27, 28 (adjusted), Mar 2, 3, 4.
    assert suspended.remaining == 7
    assert resumed.due_on == date(2026, 5, 11)


def test_a_suspended_deadline_is_never_overdue_and_has_no_days_left() -> None:
    suspended = suspend(_start("petition.route", date(2026, 2, 1)), date(2026, 2, 3), CALENDAR)

    assert days_left(suspended, date(2027, 1, 1)) is None
    assert not is_overdue(suspended, date(2027, 1, 1))


def test_suspended_during_the_roll_forward_only_the_last_day_is_left() -> None:
    deadline = _start("petition.route", date(2026, 2, 1))  # nominal Feb 16, due Feb 24

    suspended = suspend(deadline, date(2026, 2, 20), CALENDAR)

    assert suspended.remaining == 0
    assert resume(suspended, date(2026, 2, 20), CALENDAR).due_on == date(2026, 2, 24)
    assert resume(suspended, date(2026, 3, 1), CALENDAR).due_on == date(2026, 3, 2)


def test_resuming_into_an_uncovered_year_adds_the_warning() -> None:
    suspended = suspend(_start("petition.route", date(2026, 3, 2)), date(2026, 3, 5), CALENDAR)

    assert resume(suspended, date(2027, 3, 1), CALENDAR).warnings == NO_2027


@pytest.mark.parametrize(
    ("suspend_on", "resume_on", "problem"),
    [
        (date(2026, 3, 1), None, "cannot be suspended before it started"),
        (date(2026, 3, 18), None, "already ran out on 2026-03-17"),
        (date(2026, 3, 5), date(2026, 3, 4), "cannot resume on 2026-03-04, before its suspension"),
    ],
)
def test_suspension_and_resumption_dates_must_make_sense(
    suspend_on: date, resume_on: date | None, problem: str
) -> None:
    deadline = _start("petition.route", date(2026, 3, 2))  # due 2026-03-17

    with pytest.raises(DeadlineError, match=problem):
        resume(suspend(deadline, suspend_on, CALENDAR), resume_on or suspend_on, CALENDAR)


def test_a_deadline_cannot_be_suspended_twice_or_resumed_while_running() -> None:
    deadline = _start("petition.route", date(2026, 3, 2))

    with pytest.raises(DeadlineError, match="is not suspended"):
        resume(deadline, date(2026, 3, 3), CALENDAR)
    with pytest.raises(DeadlineError, match="already suspended since 2026-03-03"):
        suspend(suspend(deadline, date(2026, 3, 3), CALENDAR), date(2026, 3, 4), CALENDAR)


def test_an_extension_lengthens_the_period_from_its_nominal_end() -> None:
    rule = RULES.get("petition.handle")
    deadline = start_deadline(rule, date(2026, 3, 2), CALENDAR)  # nominal May 1, due May 6

    extended = extend(deadline, 30, rule, CALENDAR)

    assert extended == replace(
        deadline, nominal_end=date(2026, 5, 31), due_on=date(2026, 6, 1), extended_by=30
    )


def test_extensions_are_capped_cumulatively() -> None:
    rule = RULES.get("petition.handle")
    twice = extend(
        extend(start_deadline(rule, date(2026, 3, 2), CALENDAR), 20, rule, CALENDAR),
        10,
        rule,
        CALENDAR,
    )

    with pytest.raises(ExtensionExceedsLimit) as raised:
        extend(twice, 1, rule, CALENDAR)

    assert twice.extended_by == 30
    assert raised.value.code == "VALIDATION"
    assert raised.value.message == (
        "the 'petition.handle' deadline may be extended by at most 30 calendar days in total "
        "(《信访工作条例》第三十四条); 30 already granted, 1 more requested"
    )


def test_a_rule_without_max_extension_cannot_be_extended() -> None:
    rule = RULES.get("reconsideration.decision", SIMPLE)

    with pytest.raises(ExtensionNotAllowed) as raised:
        extend(start_deadline(rule, date(2026, 3, 2), CALENDAR), 1, rule, CALENDAR)

    assert isinstance(raised.value, DomainError)
    assert raised.value.message == (
        "the 'reconsideration.decision' (simplified) deadline cannot be extended: "
        "《行政复议法》第六十二条第二款 allows no extension"
    )


def test_an_extension_must_be_positive_and_use_the_deadlines_own_rule() -> None:
    rule = RULES.get("reconsideration.decision", ORD)
    deadline = start_deadline(rule, date(2026, 3, 2), CALENDAR)

    with pytest.raises(DeadlineError, match="positive number of calendar days"):
        extend(deadline, 0, rule, CALENDAR)
    with pytest.raises(DeadlineError, match=r"rule 'petition.handle' does not govern"):
        extend(deadline, 5, RULES.get("petition.handle"), CALENDAR)


def test_an_extension_while_suspended_adds_to_the_days_left() -> None:
    rule = RULES.get("reconsideration.decision", ORD)
    suspended = suspend(
        start_deadline(rule, date(2026, 3, 2), CALENDAR), date(2026, 3, 12), CALENDAR
    )

    extended = extend(suspended, 10, rule, CALENDAR)

    assert (extended.remaining, extended.extended_by) == (60, 10)
    assert resume(extended, date(2026, 3, 12), CALENDAR).due_on == date(2026, 5, 11)


def test_a_warning_is_added_once() -> None:
    deadline = _start("petition.route", date(2026, 3, 2))

    assert with_warning(with_warning(deadline, "x"), "x").warnings == ("x",)


def test_a_deadline_round_trips_through_json_safe_primitives() -> None:
    rule = RULES.get("reconsideration.decision", ORD)
    deadline = extend(start_deadline(rule, date(2026, 12, 1), CALENDAR), 5, rule, CALENDAR)
    suspended = suspend(deadline, date(2026, 12, 20), CALENDAR)

    for original in (deadline, suspended):
        stored = json.loads(json.dumps(original.to_dict()))
        assert Deadline.from_dict(stored) == original
    assert suspended.to_dict()["suspended_on"] == "2026-12-20"
    assert deadline.to_dict()["warnings"] == list(NO_2027)


def test_a_malformed_deadline_record_is_refused() -> None:
    record = _start("petition.route", date(2026, 3, 2)).to_dict()
    record["due_on"] = "soon"

    with pytest.raises(DeadlineError, match="malformed deadline record"):
        Deadline.from_dict(record)


START_DATES = st.dates(min_value=date(2024, 1, 1), max_value=date(2027, 12, 31))


@settings(max_examples=200, deadline=None)
@given(rule=st.sampled_from(RULES.all()), start=START_DATES, data=st.data())
def test_suspension_then_resumption_keeps_exactly_the_units_that_were_left(
    rule: Rule, start: date, data: st.DataObject
) -> None:
    deadline = start_deadline(rule, start, CALENDAR)
    span = (deadline.due_on - start).days
    suspend_on = start + timedelta(days=data.draw(st.integers(0, span), label="suspend after"))
    resume_on = suspend_on + timedelta(days=data.draw(st.integers(0, 200), label="resume after"))

    suspended = suspend(deadline, suspend_on, CALENDAR)
    resumed = resume(suspended, resume_on, CALENDAR)
    left = suspended.remaining

    assert left is not None
    assert resume(suspended, suspend_on, CALENDAR).due_on == deadline.due_on
    if left == 0:
        assert resumed.due_on == CALENDAR.next_working_day_on_or_after(resume_on).date
    elif deadline.unit is Unit.WORKING_DAYS:
        assert CALENDAR.working_days_between(resume_on, resumed.due_on) == left
    else:
        assert (resumed.nominal_end - resume_on).days == left


@settings(max_examples=200, deadline=None)
@given(rule=st.sampled_from(RULES.all()), start=START_DATES)
def test_a_due_date_is_never_a_rest_day(rule: Rule, start: date) -> None:
    deadline = start_deadline(rule, start, CALENDAR)

    assert CALENDAR.is_working_day(deadline.due_on)
    assert deadline.due_on >= deadline.nominal_end > start
