"""What every step carries in: who acts, when, why, on what basis, and the deadline rules."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from zoneinfo import ZoneInfo

from domain import deadlines
from domain.actors import Actor
from domain.calendar import WorkCalendar
from domain.deadlines import Deadline
from domain.errors import ValidationError
from domain.rules import RuleBook, Variant

CHINA = ZoneInfo("Asia/Shanghai")


def china_date(moment: dt.datetime) -> dt.date:
    """The calendar date in China Standard Time, where deadlines are counted."""
    return moment.astimezone(CHINA).date()


@dataclass(frozen=True)
class Timekeeper:
    """Starts and moves deadlines from the rules table and the holiday calendar."""

    rules: RuleBook
    calendar: WorkCalendar

    def start(self, rule_id: str, on: dt.date, variant: Variant | None = None) -> Deadline:
        """The deadline of a rule whose period starts on a day (not itself counted)."""
        return deadlines.start_deadline(self.rules.get(rule_id, variant), on, self.calendar)

    def start_with_length(self, rule_id: str, on: dt.date, length: int) -> Deadline:
        """A deadline whose length an authority set (a court's limit), else the rule's default."""
        rule = self.rules.get(rule_id)
        if length <= 0:
            raise ValidationError("a time limit must be at least one day", field="limitDays")
        return deadlines.start_deadline(replace(rule, length=length), on, self.calendar)

    def suspend(self, deadline: Deadline, on: dt.date) -> Deadline:
        """Stop a deadline's clock (中止)."""
        return deadlines.suspend(deadline, on, self.calendar)

    def resume(self, deadline: Deadline, on: dt.date) -> Deadline:
        """Restart it with the days that were left (恢复)."""
        return deadlines.resume(deadline, on, self.calendar)

    def extend(self, deadline: Deadline, days: int) -> Deadline:
        """Extend it within the rule's cap (延长)."""
        rule = self.rules.get(deadline.rule_id, deadline.variant)
        return deadlines.extend(deadline, days, rule, self.calendar)


@dataclass(frozen=True)
class Step:
    """One person's act on a case at one moment."""

    actor: Actor
    at: dt.datetime
    timekeeper: Timekeeper
    reason: str = ""
    legal_basis: str = ""
    approver: Actor | None = None

    def __post_init__(self) -> None:
        if self.at.tzinfo is None:
            raise ValidationError("a step's time must carry a time zone", field="at")

    @property
    def today(self) -> dt.date:
        """The step's date in China Standard Time."""
        return china_date(self.at)

    def reported_day(
        self, day: dt.date | None, field: str, not_before: dt.date | None = None
    ) -> dt.date:
        """A date the step reports (served, received, held): today if not given, never in the
        future, and not before the fact it follows."""
        if day is None:
            day = self.today
        if day > self.today:
            raise ValidationError(
                f"{field} {day} is in the future (today is {self.today})", field=field
            )
        if not_before is not None and day < not_before:
            raise ValidationError(f"{field} {day} is before {not_before}", field=field)
        return day
