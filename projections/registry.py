"""Every view Casework keeps, by name."""

from __future__ import annotations

from collections.abc import Iterable

from projections.case_summary import CaseSummaryView
from projections.court_calendar import CourtCalendarView
from projections.dossier import DossierView
from projections.runner import TableView
from projections.statistics import StatisticsView
from projections.trail import TrailView
from projections.work_queue import WorkQueueView

VIEWS: tuple[type[TableView], ...] = (
    WorkQueueView,
    CourtCalendarView,
    CaseSummaryView,
    DossierView,
    TrailView,
    StatisticsView,
)


class UnknownView(ValueError):
    """A view name that is not one of VIEWS."""


def view_classes(names: Iterable[str] = ()) -> list[type[TableView]]:
    """The named views in registry order (all of them when no name is given)."""
    wanted = list(names)
    known = {view.name: view for view in VIEWS}
    if unknown := [n for n in wanted if n not in known]:
        raise UnknownView(f"no view named {', '.join(unknown)}; the views are: {', '.join(known)}")
    return [view for view in VIEWS if not wanted or view.name in wanted]
