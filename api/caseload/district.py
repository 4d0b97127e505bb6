"""The simulated district: its calendar, staff, random choices and the cases it moves along."""

from __future__ import annotations

import datetime as dt
import heapq
import random
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Concatenate, Generic, ParamSpec, TypeVar

from api.caseload.people import Staff, dossiers, roster
from domain.actors import Actor
from domain.application import Casework
from domain.case import CaseFile
from domain.deadlines import Deadline
from domain.step import CHINA, Step
from domain.values import AdministrativeAct, CaseKind

C = TypeVar("C", bound=CaseFile)
P = ParamSpec("P")
Runner = Iterator[dt.date]  # yields the day it takes its next step on
HORIZON = dt.date(2026, 12, 18)  # the holiday calendar covers 2026 only
LATE_SHARE = 0.1  # steps taken after their deadline, so on-time rates are not all 100%
BOOST = 0.75  # chance of trying a choice not taken yet, so small caseloads cover every event


@dataclass(eq=False)
class Track(Generic[C]):
    """One generated case as the district follows it (its latest state, without reloading)."""

    kind: CaseKind
    organisation: str
    finishes: bool  # else it stops mid-procedure
    stop_after: int  # steps after which an unfinished case stops
    case: C | None = None
    version: int = 0  # events stored, including links the cached case does not show
    steps: int = 0
    reserved: bool = False
    last_at: dt.datetime | None = None

    @property
    def now(self) -> C:
        """The case as the last step left it."""
        assert self.case is not None, "the case is not registered yet"
        return self.case

    def saved(self, case: C) -> C:
        """Remember the case a command returned (a command may also record nothing)."""
        self.case = case
        self.version = case.version
        self.steps += 1
        return case


@dataclass
class District:
    """Runs every case's path day by day, interleaving their steps in the event log."""

    app: Casework
    rng: random.Random
    organisations: Sequence[str]
    finish_share: float
    budget: int  # how many cases to register in all
    acts: tuple[AdministrativeAct, ...] = ()
    today: dt.date = dt.date.min
    tracks: list[Track[Any]] = field(default_factory=list)
    reserved: int = 0
    _staff: dict[str, Staff] = field(default_factory=dict)
    _seen: dict[str, set[str]] = field(default_factory=dict)
    _queue: list[tuple[dt.date, int, Track[Any], Runner]] = field(default_factory=list)
    _order: int = 0

    def __post_init__(self) -> None:
        self.acts = dossiers(self.rng, max(4, self.budget // 3))
        self.calendar = self.app.timekeeper.calendar

    # ---- people and things ---------------------------------------------------------

    def staff(self, organisation: str) -> Staff:
        """The organisation's roster, made on first use."""
        if organisation not in self._staff:
            self._staff[organisation] = roster(self.rng, organisation)
        return self._staff[organisation]

    @property
    def staffed(self) -> tuple[str, ...]:
        """Every organisation whose staff acted, in order of first appearance."""
        return tuple(self._staff)

    def one(self, people: Sequence[Actor]) -> Actor:
        """Any one of them."""
        return self.rng.choice(people)

    def dossier(self) -> AdministrativeAct:
        """An act from the district's dossiers; several cases share each."""
        return self.rng.choice(self.acts)

    def superior(self, organisation: str, *taken: str) -> str:
        """The organisation one level up (复查/复核机关): another of the district's, if free."""
        codes = list(self.organisations)
        start = codes.index(organisation) + 1 if organisation in codes else 0
        for code in codes[start:] + codes[:start]:
            if code not in (organisation, *taken):
                return code
        above = f"{organisation}-up"
        while above in taken:
            above += "-up"
        return above

    # ---- random choices --------------------------------------------------------------

    def chance(self, share: float) -> bool:
        """True with the given probability."""
        return self.rng.random() < share

    def maybe(self, point: str, share: float) -> bool:
        """Whether to take an optional step (tried early at least once, like pick)."""
        return self.pick(point, {"yes": share, "no": 1 - share}) == "yes"

    def pick(self, point: str, weights: Mapping[str, float]) -> str:
        """A weighted choice; an option never taken at this point is tried first, often."""
        seen = self._seen.setdefault(point, set())
        fresh = [option for option in weights if option not in seen]
        if fresh and self.chance(BOOST):
            choice = self.rng.choice(fresh)
        else:
            choice = self.rng.choices(list(weights), list(weights.values()))[0]
        seen.add(choice)
        return choice

    # ---- time ------------------------------------------------------------------------

    def working(self, day: dt.date) -> dt.date:
        """The day itself, or mostly the next working day when it is a rest day."""
        if self.calendar.is_working_day(day) or self.chance(0.05):
            return day
        return self.calendar.next_working_day_on_or_after(day).date

    def later(self, low: int, high: int) -> dt.date:
        """A day some days from today."""
        return self.working(self.today + dt.timedelta(days=self.rng.randint(low, high)))

    def by(self, deadline: Deadline, *, late_share: float = LATE_SHARE) -> dt.date:
        """A day to meet a deadline on; now and then a few days after it (missed)."""
        if self.chance(late_share):
            late = self.working(deadline.due_on + dt.timedelta(days=self.rng.randint(1, 12)))
            return max(late, self.today)  # a deadline missed long ago is met late today
        return self.within(deadline.due_on)

    def within(self, last: dt.date) -> dt.date:
        """A day from tomorrow to `last` (never after it, a working day if one is free)."""
        if last <= self.today:
            return self.today
        day = self.today + dt.timedelta(days=self.rng.randint(1, (last - self.today).days))
        moved = self.working(day)
        return moved if moved <= last else day

    def after(self, day: dt.date, low: int = 1, high: int = 6) -> dt.date:
        """A day some days after a given day (e.g. once a period has lapsed)."""
        start = max(day, self.today)
        return self.working(start + dt.timedelta(days=self.rng.randint(low, high)))

    def step(
        self,
        track: Track[Any],
        actor: Actor,
        *,
        reason: str = "",
        legal_basis: str = "",
        approver: Actor | None = None,
        also: Sequence[Track[Any]] = (),
    ) -> Step:
        """A step today, in office hours, after the last step on each case it touches."""
        minutes = self.rng.randint(8 * 60 + 30, 17 * 60 + 30)
        moment = dt.datetime.combine(self.today, dt.time(), CHINA) + dt.timedelta(minutes=minutes)
        for earlier in (track.last_at, *(t.last_at for t in also)):
            if earlier is not None and moment <= earlier:
                moment = earlier + dt.timedelta(minutes=self.rng.randint(3, 40))
        for touched in (track, *also):
            touched.last_at = moment
        return self.app.step(
            actor, reason=reason, legal_basis=legal_basis, approver=approver, at=moment
        )

    # ---- cases -----------------------------------------------------------------------

    def do(
        self,
        track: Track[C],
        command: Callable[Concatenate[C, P], object],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> C:
        """Run one command (a method of the case's class) and remember the result."""
        case = track.now
        return track.saved(
            self.app.act(case.id, type(case), lambda loaded: command(loaded, *args, **kwargs))
        )

    def attach(self, track: Track[C], actor: Actor, name: str) -> None:
        """Put a document on the case file, when the application keeps documents (案卷材料)."""
        if self.app.blobs is None:
            return
        content = f"{track.now.title}\n{name}\n{track.version}".encode()
        case, _ = self.app.attach_document(
            track.now.id,
            [content],
            name=name,
            media_type="application/pdf",
            step=self.step(track, actor),
        )
        assert isinstance(case, type(track.now))
        track.saved(case)

    def new_track(self, kind: CaseKind, organisation: str, *, reserve: bool = False) -> Track[Any]:
        """A case to be registered; a reserved one holds its place in the budget till then."""
        finishes = self.chance(self.finish_share)
        track: Track[Any] = Track(kind, organisation, finishes, self.rng.randint(2, 14))
        if reserve:
            track.reserved = True
            self.reserved += 1
        return track

    def has_room(self) -> bool:
        """Whether another case may still be opened."""
        return len(self.tracks) + self.reserved < self.budget

    def opened(self, track: Track[C], case: C) -> C:
        """Record a registered case."""
        if track.reserved:
            track.reserved = False
            self.reserved -= 1
        self.tracks.append(track)
        return track.saved(case)

    def may_finish(self, track: Track[Any]) -> bool:
        """Whether the case may take its closing step (the rest stay open, mid-procedure)."""
        return track.finishes

    # ---- the run ---------------------------------------------------------------------

    def start(self, day: dt.date, track: Track[Any], runner: Runner) -> None:
        """Let a case's path begin on a day."""
        self._order += 1
        heapq.heappush(self._queue, (day, self._order, track, runner))

    def run(self) -> None:
        """Advance all cases in day order until every path ends or the year runs out."""
        while self._queue:
            day, _, track, runner = heapq.heappop(self._queue)
            if day > HORIZON or (not track.finishes and track.steps >= track.stop_after):
                continue
            assert day >= self.today, "a path went back in time"
            self.today = day
            following = next(runner, None)
            if following is not None:
                self.start(following, track, runner)
