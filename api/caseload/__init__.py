"""A realistic, deterministic caseload: a district's year of petitions, reconsiderations, lawsuits
and mediations, generated through the Casework application's own commands.

Purpose
-------
Projection tests rebuild views from a log that looks like a real district's, benchmarks time the
event store and the views on thousands of cases, and a demo database gets a believable seed.

How it works
------------
`generate(app, cases=..., seed=..., organisations=[...])` registers `cases` cases spread over the
four procedures and the given organisations and walks each along a random but valid path of its
procedure: registration, assignment and reassignment, routing, acceptance and refusal, diversion
of petitions to reconsideration, litigation or mediation (诉访分离), hearings, extensions with an
approver, suspension and resumption, every kind of decision and judgment, appeals, retrials,
judicial recommendations, co-defendant lawsuits after an upheld reconsideration, mediation
agreements and judicial confirmation, evaluations and closures.

- Only public application methods are used (`register`, `act`, `prepare`, `open_linked`,
  `link_cases`, `step`), with the roles, approvers and separations of duty the domain demands. A
  domain error is a bug of this generator and propagates.
- The same seed gives the same commands (ids and reference numbers aside): every choice comes from
  one `random.Random(seed)`.
- Time moves forward. The district advances day by day through 2026 from `start`, in China time,
  on working days mostly, and each day every case due for a step takes it, so the events of
  different cases interleave in the log. Nothing happens after 18 December 2026.
- About `finish_share` of the cases reach a final state; the others stop mid-procedure with their
  deadlines running. Some steps come after their due date, so on-time rates are not all 100%.
- Each organisation has a small, stable staff with Chinese names; parties and administrative acts
  are Chinese too, and several cases share one act (a dossier).
- `mix` weighs the procedures of arriving cases and `arrival_days` spreads the arrivals (the
  demo seed uses a district's yearly mix, all year round).

Bulk loading
------------
Run through `api.caseload.buffered.BufferedCasework`, the same commands are stored many cases
per transaction instead of one command per transaction; `api.caseload.seed` stores whole
district-years that way (`casework demo seed`), resumably.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from api.caseload import litigation, mediation, petition, reconsideration
from api.caseload.district import HORIZON, District, Runner, Track
from api.caseload.people import applicant
from domain.application import Casework
from domain.deadlines import Deadline
from domain.errors import ValidationError
from domain.values import CaseKind, Party

__all__ = ["ARRIVALS", "Caseload", "SavedState", "generate"]

ARRIVALS = {
    CaseKind.PETITION: 35.0,
    CaseKind.RECONSIDERATION: 30.0,
    CaseKind.LITIGATION: 20.0,
    CaseKind.MEDIATION: 15.0,
}
ARRIVAL_DAYS = 160  # registrations spread over the first months, so most paths end in the year
PATHS: Mapping[CaseKind, Callable[[District, Track[Any], Party], Runner]] = {
    CaseKind.PETITION: petition.arrive,
    CaseKind.RECONSIDERATION: reconsideration.arrive,
    CaseKind.LITIGATION: litigation.arrive,
    CaseKind.MEDIATION: mediation.arrive,
}


@dataclass(frozen=True)
class SavedState:
    """A case as the generator's last command on it left it."""

    version: int
    status: str
    deadlines: Mapping[str, Deadline]


@dataclass(frozen=True)
class Caseload:
    """What was generated: the cases, their events, and where they ended."""

    case_ids: tuple[UUID, ...]  # in order of registration
    kinds: tuple[CaseKind, ...]  # the kind of each case, in the same order
    events: int  # events stored, registrations and links included
    final: Mapping[CaseKind, int]  # cases in a final state, per kind
    statuses: Mapping[tuple[CaseKind, str], int]  # cases per kind and status
    open_ids: tuple[UUID, ...]  # cases not in a final state
    organisations: tuple[str, ...]  # every organisation that acted, reviewers included
    states: Mapping[UUID, SavedState]  # what replaying each case's events must give
    seconds: float  # wall time of the generation

    def ids(self, kind: CaseKind) -> tuple[UUID, ...]:
        """The cases of one procedure, in order of registration."""
        return tuple(i for i, k in zip(self.case_ids, self.kinds, strict=True) if k is kind)

    @property
    def events_per_second(self) -> float:
        """Generation speed."""
        return self.events / self.seconds if self.seconds else 0.0


def generate(
    app: Casework,
    *,
    cases: int,
    seed: int,
    organisations: Sequence[str],
    start: dt.date = dt.date(2026, 1, 5),
    finish_share: float = 0.8,
    mix: Mapping[CaseKind, float] = ARRIVALS,
    arrival_days: int | None = None,
) -> Caseload:
    """Register `cases` cases and walk them through 2026; the same seed, the same commands.

    `mix` weighs the procedures of arriving cases; `arrival_days` spreads arrivals over that
    many days from `start` (default: the first months, so most paths end within the year)."""
    if not organisations:
        raise ValidationError("name at least one organisation", field="organisations")
    if start > HORIZON or start.year != HORIZON.year:
        raise ValidationError(f"the caseload starts in {HORIZON.year}", field="start")
    began = time.perf_counter()
    rng = random.Random(seed)
    district = District(app, rng, list(organisations), finish_share, budget=cases)
    if arrival_days is None:
        window = max(0, min(ARRIVAL_DAYS, (HORIZON - start).days // 2))
    else:
        window = max(0, min(arrival_days, (HORIZON - start).days))
    kinds, weights = list(mix), list(mix.values())
    for _ in range(cases):
        kind = rng.choices(kinds, weights)[0]
        track = district.new_track(kind, rng.choice(organisations))
        day = district.working(start + dt.timedelta(days=rng.randint(0, window)))
        district.start(day, track, _arrival(district, track, applicant(rng)))
    district.run()
    return _report(district, time.perf_counter() - began)


def _arrival(district: District, track: Track[Any], party: Party) -> Runner:
    """A new case, unless the cases opened from others have used up the budget."""
    if district.has_room():
        yield from PATHS[track.kind](district, track, party)


def _report(district: District, seconds: float) -> Caseload:
    tracks = district.tracks
    final = Counter(t.kind for t in tracks if t.now.is_final)
    return Caseload(
        case_ids=tuple(t.now.id for t in tracks),
        kinds=tuple(t.kind for t in tracks),
        events=sum(t.version for t in tracks),
        final={kind: final[kind] for kind in CaseKind},
        statuses=dict(Counter((t.kind, str(t.now.status)) for t in tracks)),
        open_ids=tuple(t.now.id for t in tracks if not t.now.is_final),
        organisations=tuple(district.staffed),
        states={
            t.now.id: SavedState(t.version, str(t.now.status), dict(t.now.deadlines))
            for t in tracks
        },
        seconds=seconds,
    )
