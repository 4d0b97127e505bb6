"""The working-day calendar (工作日历): public holidays, adjusted working days and their gaps."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from os import PathLike
from pathlib import Path

from chinese_calendar import is_workday  # type: ignore[import-untyped, unused-ignore]

_KINDS = {"workday": True, "holiday": False}


class CalendarFileError(ValueError):
    """A holiday-notice file that cannot be loaded; the message names file, line and problem."""


@dataclass(frozen=True, slots=True)
class DateResult:
    """A computed date and the warnings that qualify it (e.g. a year without holiday data)."""

    date: dt.date
    warnings: tuple[str, ...] = ()


def missing_year_warning(year: int) -> str:
    """The warning shown when a year's holidays are unknown and only weekends are rest days."""
    return (
        f"{year}年节假日安排未载入，按周末计算 / "
        f"holiday calendar for {year} not loaded; counted weekends only"
    )


@cache
def _library_covers(year: int) -> bool:
    try:
        is_workday(dt.date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


class WorkCalendar:
    """Says which days are working days: chinesecalendar, overridden by operator-loaded notices."""

    def __init__(self, extra_days: Mapping[dt.date, bool] | None = None) -> None:
        self._overrides = dict(extra_days or {})
        self._override_years = frozenset(day.year for day in self._overrides)
        # Per instance, so calendars with different overrides never share answers.
        self._working = cache(self._lookup)

    @classmethod
    def load_overrides(cls, path: str | PathLike[str]) -> WorkCalendar:
        """A calendar with the holiday notice in a `date,kind` CSV file applied."""
        return cls(read_overrides(path))

    def covers(self, year: int) -> bool:
        """Whether the holidays of `year` are known (library or loaded notice)."""
        return year in self._override_years or _library_covers(year)

    def is_working_day(self, day: dt.date) -> bool:
        """Whether `day` is a working day; adjusted working days (调休) count as working days."""
        return self._working(day)

    def _lookup(self, day: dt.date) -> bool:
        if day in self._overrides:
            return self._overrides[day]
        if _library_covers(day.year):
            return bool(is_workday(day))
        return day.weekday() < 5

    def warnings_between(self, first: dt.date, last: dt.date) -> tuple[str, ...]:
        """Warnings for every uncovered year touched by the days first..last (inclusive)."""
        years = range(first.year, last.year + 1)
        return tuple(missing_year_warning(y) for y in years if not self.covers(y))

    def next_working_day_on_or_after(self, day: dt.date) -> DateResult:
        """`day` itself if it is a working day, else the first working day after it."""
        found = day
        while not self.is_working_day(found):
            found += dt.timedelta(days=1)
        return DateResult(found, self.warnings_between(day, found))

    def add_working_days(self, start: dt.date, n: int) -> DateResult:
        """The n-th working day after `start` (the start day itself is not counted)."""
        if n < 1:
            raise ValueError(f"n must be a positive number of working days, got {n}")
        found, counted = start, 0
        while counted < n:
            found += dt.timedelta(days=1)
            counted += self.is_working_day(found)
        return DateResult(found, self.warnings_between(start + dt.timedelta(days=1), found))

    def working_days_between(self, a: dt.date, b: dt.date) -> int:
        """How many working days fall in (a, b]; zero when b is not after a."""
        return sum(self.is_working_day(d) for d in _days_after(a, b))


def _days_after(a: dt.date, b: dt.date) -> Iterable[dt.date]:
    return (a + dt.timedelta(days=i) for i in range(1, (b - a).days + 1))


def read_overrides(path: str | PathLike[str]) -> dict[dt.date, bool]:
    """Read a holiday notice as `date,kind` rows (kind: holiday | workday); `#` starts a comment."""
    source = Path(path)
    rows = _data_lines(source)
    if not rows or [c.strip() for c in rows[0][1].split(",")] != ["date", "kind"]:
        line = rows[0][0] if rows else 1
        raise CalendarFileError(f"{source}, line {line}: the header must be 'date,kind'")
    days: dict[dt.date, bool] = {}
    for line, text in rows[1:]:
        day, working = _parse_row(source, line, text)
        if day in days and days[day] != working:
            raise CalendarFileError(f"{source}, line {line}: {day} is listed as both kinds")
        days[day] = working
    return days


def _data_lines(source: Path) -> list[tuple[int, str]]:
    try:
        text = source.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise CalendarFileError(f"{source}: cannot read the file ({exc.strerror})") from exc
    numbered = enumerate(text.splitlines(), start=1)
    return [(n, t.strip()) for n, t in numbered if t.strip() and not t.lstrip().startswith("#")]


def _parse_row(source: Path, line: int, text: str) -> tuple[dt.date, bool]:
    cells = [c.strip() for c in text.split(",")]
    if len(cells) != 2:
        raise CalendarFileError(f"{source}, line {line}: expected 2 columns, found {len(cells)}")
    raw_date, kind = cells
    try:
        day = dt.date.fromisoformat(raw_date)
    except ValueError:
        raise CalendarFileError(
            f"{source}, line {line}: '{raw_date}' is not a date (expected YYYY-MM-DD)"
        ) from None
    if kind not in _KINDS:
        raise CalendarFileError(
            f"{source}, line {line}: kind '{kind}' must be 'holiday' or 'workday'"
        )
    return day, _KINDS[kind]
