"""Running statutory deadlines (期限): start, suspend, resume and extend, counted per the rules."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

from domain.calendar import WorkCalendar
from domain.errors import ValidationError
from domain.rules import Rule, Unit, Variant


class DeadlineError(ValidationError):
    """A deadline operation the counting rules do not allow."""


class ExtensionNotAllowed(DeadlineError):
    """The rule allows no extension (延长) at all."""


class ExtensionExceedsLimit(DeadlineError):
    """The extensions granted so far plus this one would pass the rule's cap."""


@dataclass(frozen=True, slots=True)
class Deadline:
    """A running period: when it started, when it is due, and whether its clock is stopped."""

    rule_id: str
    variant: Variant | None
    step: str
    unit: Unit
    length: int
    started_on: dt.date
    nominal_end: dt.date  # the last counted day, before rolling forward off a rest day
    due_on: dt.date  # while suspended: the due date as it stood when the clock stopped
    legal_basis: str
    warnings: tuple[str, ...] = ()
    extended_by: int = 0
    suspended_on: dt.date | None = None
    remaining: int | None = None  # units left, only while suspended

    @property
    def is_suspended(self) -> bool:
        """Whether the clock is stopped (中止)."""
        return self.suspended_on is not None

    def to_dict(self) -> dict[str, Any]:
        """The deadline as JSON-safe primitives, dates as ISO strings, for storing in events."""
        return {
            "rule_id": self.rule_id,
            "variant": self.variant.value if self.variant else None,
            "step": self.step,
            "unit": self.unit.value,
            "length": self.length,
            "started_on": self.started_on.isoformat(),
            "nominal_end": self.nominal_end.isoformat(),
            "due_on": self.due_on.isoformat(),
            "legal_basis": self.legal_basis,
            "warnings": list(self.warnings),
            "extended_by": self.extended_by,
            "suspended_on": self.suspended_on.isoformat() if self.suspended_on else None,
            "remaining": self.remaining,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Deadline:
        """Rebuild a deadline from `to_dict` output."""
        try:
            return cls(
                rule_id=str(data["rule_id"]),
                variant=Variant(data["variant"]) if data["variant"] else None,
                step=str(data["step"]),
                unit=Unit(data["unit"]),
                length=int(data["length"]),
                started_on=dt.date.fromisoformat(data["started_on"]),
                nominal_end=dt.date.fromisoformat(data["nominal_end"]),
                due_on=dt.date.fromisoformat(data["due_on"]),
                legal_basis=str(data["legal_basis"]),
                warnings=tuple(str(w) for w in data["warnings"]),
                extended_by=int(data["extended_by"]),
                suspended_on=_optional_date(data["suspended_on"]),
                remaining=None if data["remaining"] is None else int(data["remaining"]),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise DeadlineError(f"malformed deadline record: {exc!r}") from exc


def _optional_date(raw: str | None) -> dt.date | None:
    return dt.date.fromisoformat(raw) if raw else None


def start_deadline(rule: Rule, start: dt.date, calendar: WorkCalendar) -> Deadline:
    """The deadline for `rule` whose period starts on `start` (a day that is itself not counted)."""
    nominal_end, due_on, warnings = _count(rule.unit, start, rule.length, calendar)
    return Deadline(
        rule_id=rule.id,
        variant=rule.variant,
        step=rule.step,
        unit=rule.unit,
        length=rule.length,
        started_on=start,
        nominal_end=nominal_end,
        due_on=due_on,
        legal_basis=rule.legal_basis,
        warnings=warnings,
    )


def suspend(deadline: Deadline, on: dt.date, calendar: WorkCalendar) -> Deadline:
    """Stop the clock on `on` (中止), recording how many units are left."""
    if deadline.suspended_on is not None:
        raise DeadlineError(f"{_name(deadline)} is already suspended since {deadline.suspended_on}")
    if on < deadline.started_on:
        raise DeadlineError(f"{_name(deadline)} cannot be suspended before it started")
    if on > deadline.due_on:
        raise DeadlineError(f"{_name(deadline)} already ran out on {deadline.due_on}")
    if deadline.unit is Unit.WORKING_DAYS:
        remaining = calendar.working_days_between(on, deadline.due_on)
    else:
        # Suspended while rolled forward off a rest day: only the last day itself is left.
        remaining = max(0, (deadline.nominal_end - on).days)
    return replace(deadline, suspended_on=on, remaining=remaining)


def resume(deadline: Deadline, on: dt.date, calendar: WorkCalendar) -> Deadline:
    """Restart the clock on `on` (恢复) with exactly the units that were left when it stopped."""
    if deadline.suspended_on is None or deadline.remaining is None:
        raise DeadlineError(f"{_name(deadline)} is not suspended")
    if on < deadline.suspended_on:
        raise DeadlineError(
            f"{_name(deadline)} cannot resume on {on}, before its suspension on "
            f"{deadline.suspended_on}"
        )
    nominal_end, due_on, warnings = _count(deadline.unit, on, deadline.remaining, calendar)
    return replace(
        deadline,
        nominal_end=nominal_end,
        due_on=due_on,
        warnings=_merge(deadline.warnings, warnings),
        suspended_on=None,
        remaining=None,
    )


def extend(deadline: Deadline, days: int, rule: Rule, calendar: WorkCalendar) -> Deadline:
    """Lengthen the period by `days` of its unit (延长), within the rule's cumulative cap."""
    if (rule.id, rule.variant) != (deadline.rule_id, deadline.variant):
        raise DeadlineError(
            f"rule {_label(rule.id, rule.variant)} does not govern {_name(deadline)}"
        )
    if days < 1:
        raise DeadlineError(
            f"an extension of {_name(deadline)} must be a positive number of {_unit(deadline.unit)}"
        )
    if rule.max_extension is None:
        raise ExtensionNotAllowed(
            f"{_name(deadline)} cannot be extended: {rule.legal_basis} allows no extension"
        )
    total = deadline.extended_by + days
    if total > rule.max_extension:
        raise ExtensionExceedsLimit(
            f"{_name(deadline)} may be extended by at most {rule.max_extension} "
            f"{_unit(rule.unit)} in total ({rule.legal_basis}); {deadline.extended_by} already "
            f"granted, {days} more requested"
        )
    if deadline.remaining is not None:
        return replace(deadline, extended_by=total, remaining=deadline.remaining + days)
    # The extension adds to the period itself, so a calendar period grows from its nominal end.
    last_counted = deadline.due_on if deadline.unit is Unit.WORKING_DAYS else deadline.nominal_end
    nominal_end, due_on, warnings = _count(deadline.unit, last_counted, days, calendar)
    return replace(
        deadline,
        nominal_end=nominal_end,
        due_on=due_on,
        warnings=_merge(deadline.warnings, warnings),
        extended_by=total,
    )


def days_left(deadline: Deadline, today: dt.date) -> int | None:
    """Calendar days from `today` to the due date (negative once overdue); None while suspended."""
    if deadline.is_suspended:
        return None
    return (deadline.due_on - today).days


def is_overdue(deadline: Deadline, today: dt.date) -> bool:
    """Whether the due date has passed by `today`; a suspended deadline is never overdue."""
    return not deadline.is_suspended and today > deadline.due_on


def with_warning(deadline: Deadline, warning: str) -> Deadline:
    """The same deadline carrying one more warning (kept once, in order of arrival)."""
    return replace(deadline, warnings=_merge(deadline.warnings, (warning,)))


def _count(
    unit: Unit, start: dt.date, units: int, calendar: WorkCalendar
) -> tuple[dt.date, dt.date, tuple[str, ...]]:
    """Nominal end, due date and warnings of `units` counted from the day after `start`."""
    if units == 0:
        # Nothing left to count: due on `start` itself, or the first working day after it.
        due = calendar.next_working_day_on_or_after(start)
        return start, due.date, due.warnings
    if unit is Unit.WORKING_DAYS:
        end = calendar.add_working_days(start, units)
        return end.date, end.date, end.warnings
    nominal_end = start + dt.timedelta(days=units)
    due_on = calendar.next_working_day_on_or_after(nominal_end).date
    return nominal_end, due_on, calendar.warnings_between(start + dt.timedelta(days=1), due_on)


def _merge(*groups: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(w for group in groups for w in group))


def _label(rule_id: str, variant: Variant | None) -> str:
    return f"'{rule_id}'" + (f" ({variant.value})" if variant else "")


def _name(deadline: Deadline) -> str:
    return f"the {_label(deadline.rule_id, deadline.variant)} deadline"


def _unit(unit: Unit) -> str:
    return unit.value.replace("_", " ")
