"""Case summary and search: one row per case, found by a substring of any of its names."""

from __future__ import annotations

import datetime as dt
import functools
import unicodedata
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from psycopg import Connection, Cursor, sql
from psycopg.rows import DictRow, dict_row

from domain.case import CaseFile
from domain.step import china_date
from projections.reads import Rows, Statement
from projections.runner import CASES_IN_MEMORY, Change, TableView, ViewBatch, json_rows

# Between names in the stored search texts: normalised queries never contain it, so a match
# never runs across two names.
SEPARATOR = "\x1f"
# Document numbers are typed with whatever brackets are at hand: 〔2026〕, [2026], (2026), 【2026】.
_BRACKETS = str.maketrans("[(【〖])】〗", "〔〔〔〔〕〕〕〕")

_COLUMNS = """
    case_id, kind, reference, title, organisation, status, assignee,
    act_agency, act_document_number, act_date, act_key, parties, opened_on, closed_on,
    last_event_at, version, running_deadlines, suspended_deadlines, next_due_on
"""
# A batch's rows go as one JSON array per statement, unpacked by the server: one statement a
# batch instead of one execution a row.
_INSERT = """
INSERT INTO {case_summaries}
SELECT * FROM json_populate_recordset(NULL::{case_summaries}, %s)
"""
# Everything but opened_on follows the case as it stands after the batch's last event of it;
# closed_on keeps the day the case first became final, and clears if it ever leaves a final
# state (`reopened`: it was not final at some event of the batch).
_UPDATE = """
UPDATE {case_summaries} AS s SET
    kind = r.kind, reference = r.reference, title = r.title,
    organisation = r.organisation, status = r.status, assignee = r.assignee,
    act_agency = r.act_agency, act_document_number = r.act_document_number,
    act_date = r.act_date, act_key = r.act_key, parties = r.parties,
    closed_on = CASE WHEN u.reopened THEN r.closed_on ELSE coalesce(s.closed_on, r.closed_on) END,
    last_event_at = r.last_event_at, version = r.version,
    running_deadlines = r.running_deadlines, suspended_deadlines = r.suspended_deadlines,
    next_due_on = r.next_due_on
FROM json_populate_recordset(NULL::{case_summaries}, %s) AS r
JOIN json_to_recordset(%s) AS u (case_id uuid, reopened boolean) USING (case_id)
WHERE s.case_id = r.case_id
"""
# The names a case is found by, for a new case or one whose names may have changed; a row whose
# names are the same is left as it is. Grams arrive as one text, cut on the server.
_WRITE_SEARCH = """
INSERT INTO {case_search} AS c
    (case_id, search_names, search_parties, search_act, search_reference, search_grams)
SELECT case_id, names, parties, act, reference, string_to_array(grams, E'\\x1f')
FROM json_to_recordset(%s)
    AS r (case_id uuid, names text, parties text, act text, reference text, grams text)
ON CONFLICT (case_id) DO UPDATE SET
    search_names = EXCLUDED.search_names, search_parties = EXCLUDED.search_parties,
    search_act = EXCLUDED.search_act, search_reference = EXCLUDED.search_reference,
    search_grams = EXCLUDED.search_grams
WHERE (c.search_names, c.search_parties, c.search_act, c.search_reference, c.search_grams)
    IS DISTINCT FROM (EXCLUDED.search_names, EXCLUDED.search_parties, EXCLUDED.search_act,
    EXCLUDED.search_reference, EXCLUDED.search_grams)
"""


def normalise(text: str) -> str:
    """A name as searched: NFKC, casefolded, one kind of bracket, single spaces, no controls."""
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())
    folded = folded.translate(_BRACKETS)
    if not folded.isprintable():  # (checked whole first: names almost never hold controls)
        folded = "".join(c for c in folded if c.isprintable() or c.isspace())
    return " ".join(folded.split())


def name_grams(names: Iterable[str]) -> list[str]:
    """Every character and every pair of adjacent characters within a word of the names."""
    return _grams([normalise(name) for name in names])


def _grams(normalised: Iterable[str]) -> list[str]:
    grams: set[str] = set()
    for name in normalised:
        for word in name.split():
            grams.update(word)
            grams.update(word[i : i + 2] for i in range(len(word) - 1))
    return sorted(grams)


def query_grams(query: str) -> set[str]:
    """The grams any name containing the query must have: its pairs, or the lone character."""
    grams: set[str] = set()
    for word in normalise(query).split():
        grams.update([word] if len(word) == 1 else (word[i : i + 2] for i in range(len(word) - 1)))
    return grams


Names = tuple[str, str, tuple[str, ...], tuple[str, ...]]  # reference, title, parties, act


class CaseSummaryView(TableView):
    """Keeps one case_summaries row and one case_search row per case in step with the log.

    It remembers, for recently written cases, the names their search row was last given and
    at which version, so a batch writes a case's search row only when its names change. A
    memory is trusted only if it is older than the batch's first event of the case: one from
    a batch that was prepared but not committed is never older than that batch's events when
    they come again.
    """

    name = "case_summary"
    tables = ("case_summaries", "case_search")

    def __init__(self, suffix: str = "") -> None:
        super().__init__(suffix)
        self._insert = self.sql(_INSERT)
        self._update = self.sql(_UPDATE)
        self._write_search = self.sql(_WRITE_SEARCH)
        self._names: OrderedDict[UUID, tuple[int, Names]] = OrderedDict()

    def batch(self, curs: Cursor[DictRow]) -> ViewBatch:
        """One row per case the batch touches, written once, as the case stands after it."""
        return _SummaryBatch(self, curs)

    def names_written(self, case_id: UUID, before: int) -> Names | None:
        """The names last written for the case, if known to be written before this version."""
        known = self._names.get(case_id)
        return known[1] if known is not None and known[0] < before else None

    def remember(self, case_id: UUID, version: int, names: Names) -> None:
        """The case's search row is being written with these names as of this version."""
        self._names[case_id] = (version, names)
        self._names.move_to_end(case_id)
        while len(self._names) > CASES_IN_MEMORY:
            self._names.popitem(last=False)


@dataclass
class _Touched:
    """A case the batch touches, and how its finality went during the batch."""

    change: Change  # its last change in the batch
    first_version: int  # the case's version after its first change in the batch
    opened_on: dt.date | None  # the day it was opened, if opened in this batch
    final_since: dt.date | None  # the day it last became final, if final at the last change
    reopened: bool  # not final at some change of the batch (or opened in it)


class _SummaryBatch(ViewBatch):
    view: CaseSummaryView

    def __init__(self, view: CaseSummaryView, curs: Cursor[DictRow]) -> None:
        super().__init__(view, curs)
        self.touched: dict[UUID, _Touched] = {}

    def add(self, change: Change) -> None:
        day = china_date(change.event.timestamp)
        seen = self.touched.get(change.case_id)
        if isinstance(change.event, CaseFile.Opened) or seen is None:
            opened = day if isinstance(change.event, CaseFile.Opened) else None
            seen = _Touched(change, change.version, opened, None, opened is not None)
            self.touched[change.case_id] = seen
        seen.change = change
        if change.case.is_final:
            seen.final_since = seen.final_since or day
        else:
            seen.final_since, seen.reopened = None, True

    def flush(self) -> None:
        view = self.view
        inserts, updates, reopened, searches = [], [], [], []
        for case_id, seen in self.touched.items():
            row = _row(seen.change)
            row["closed_on"] = seen.final_since
            if seen.opened_on is not None:
                row["opened_on"] = seen.opened_on
                inserts.append(row)
            else:
                updates.append(row)
                reopened.append({"case_id": case_id, "reopened": seen.reopened})
            names = _names(seen.change.case)
            if view.names_written(case_id, seen.first_version) != names:
                searches.append(_search_row(case_id, names))
                view.remember(case_id, seen.change.version, names)
        if inserts:
            self.curs.execute(view._insert, (json_rows(inserts),))
        if updates:
            self.curs.execute(view._update, (json_rows(updates), json_rows(reopened)))
        if searches:
            self.curs.execute(view._write_search, (json_rows(searches),))


def _row(change: Change) -> dict[str, Any]:
    """The case's summary as it stands after the change, by column (but opened_on and
    closed_on, which the batch knows)."""
    case = change.case
    act = case.act
    running = [d for d in case.deadlines.values() if not d.is_suspended]
    return {
        "case_id": change.case_id,
        "kind": change.kind,
        "reference": case.reference,
        "title": case.title,
        "organisation": case.organisation,
        "status": case.status,
        "assignee": case.assignee,
        "act_agency": act.agency if act else None,
        "act_document_number": act.document_number if act else None,
        "act_date": act.date if act else None,
        "act_key": act.key if act else None,
        "parties": [{"name": p.name, "role": p.role} for p in case.parties],
        "last_event_at": change.event.timestamp,
        "version": change.version,
        "running_deadlines": len(running),
        "suspended_deadlines": len(case.deadlines) - len(running),
        "next_due_on": min((d.due_on for d in running), default=None),
    }


def _names(case: CaseFile) -> Names:
    act = case.act
    act_names = (act.agency, act.document_number, act.key) if act else ()
    return case.reference, case.title, tuple(p.name for p in case.parties), act_names


def _search_row(case_id: UUID, names: Names) -> dict[str, Any]:
    joined, parties, act, reference, grams = _searchable(*names)
    return {
        "case_id": case_id,
        "names": joined,
        "parties": parties,
        "act": act,
        "reference": reference,
        "grams": grams,
    }


@functools.lru_cache(maxsize=CASES_IN_MEMORY)  # as many as the runner keeps in memory
def _searchable(
    reference: str, title: str, party_names: tuple[str, ...], act_names: tuple[str, ...]
) -> tuple[str, str, str, str, str]:
    # Most events leave the names alone: normalise and cut them into grams once per case.
    ref, ttl = normalise(reference), normalise(title)
    parties = [normalise(name) for name in party_names]
    act = [normalise(name) for name in act_names]
    names = [ref, ttl, *parties, *act]
    return (
        SEPARATOR.join(names),
        SEPARATOR.join(parties),
        SEPARATOR.join(act),
        ref,
        SEPARATOR.join(_grams(names)),  # no name holds the separator
    )


# ---- reading ----------------------------------------------------------------------------


@dataclass(frozen=True)
class PartyName:
    """A party as the summary keeps it: full name and role (masking is the caller's)."""

    name: str
    role: str


@dataclass(frozen=True)
class ActSummary:
    """The administrative act a case is about."""

    agency: str
    document_number: str
    date: dt.date
    key: str


@dataclass(frozen=True)
class CaseSummary:
    """One case at a glance."""

    case_id: UUID
    kind: str
    reference: str
    title: str
    organisation: str
    status: str
    assignee: str | None
    act: ActSummary | None
    parties: tuple[PartyName, ...]
    opened_on: dt.date
    closed_on: dt.date | None
    last_event_at: dt.datetime
    version: int
    running_deadlines: int
    suspended_deadlines: int
    next_due_on: dt.date | None


@dataclass(frozen=True)
class CaseCursor:
    """Where a page of search results ended: the last case's opening day and id."""

    opened_on: dt.date
    case_id: UUID


@dataclass(frozen=True)
class CasePage:
    """A page of search results, newest first; `next` is None on the last page."""

    cases: tuple[CaseSummary, ...]
    next: CaseCursor | None


def case_summary(conn: Connection[Any], case_id: UUID) -> CaseSummary | None:
    """One case's summary, or None if the view has not seen it."""
    query = sql.SQL("SELECT {} FROM case_summaries WHERE case_id = %s").format(sql.SQL(_COLUMNS))
    with conn.cursor(row_factory=dict_row) as curs:
        row = curs.execute(query, (case_id,)).fetchone()
    return None if row is None else _summary(row)


class _Filters:
    """The WHERE clause of a search, built from the filters given, values as parameters."""

    def __init__(self) -> None:
        self.conditions: list[sql.Composable] = []
        self.params: dict[str, Any] = {}
        self.grams: set[str] = set()

    def equal(self, column: str, value: object) -> None:
        if value is not None:
            self.where(f"{column} = %({column})s", **{column: value})

    def where(self, condition: str, **params: Any) -> None:
        self.conditions.append(sql.SQL(condition))
        self.params.update(params)

    def contains(self, column: str, key: str, text: str | None) -> None:
        """The column (normalised names) holds the text; blank text filters nothing."""
        needle = normalise(text or "")
        if needle:
            self.where(f"strpos({column}, %({key})s) > 0", **{key: needle})
            self.grams |= query_grams(needle)

    def clause(self) -> sql.Composable:
        if self.grams:
            # The GIN index narrows to rows having every gram; strpos above keeps exact ones.
            self.where("search_grams @> %(grams)s", grams=sorted(self.grams))
        if not self.conditions:
            return sql.SQL("")
        return sql.SQL("WHERE ") + sql.SQL(" AND ").join(self.conditions)


_SEARCH = """
SELECT {columns} FROM case_summaries JOIN case_search USING (case_id) {where}
ORDER BY opened_on DESC, case_id LIMIT %(n)s
"""


@dataclass(frozen=True)
class SearchFilter:
    """What a search asks for; every filter given must hold, a blank one filters nothing.

    `text`: each word is a substring of some name (reference, title, party, act);
    `reference`, `party`, `act` (agency, document number or act key): a substring of that name.
    `assignee`: exactly this person's cases; `open_only`: only cases not closed.
    Names are compared normalised (NFKC, casefolded).
    """

    text: str | None = None
    reference: str | None = None
    party: str | None = None
    act: str | None = None
    kind: str | None = None
    status: str | None = None
    organisation: str | None = None
    assignee: str | None = None
    open_only: bool = False
    opened_from: dt.date | None = None
    opened_to: dt.date | None = None


def search_cases(
    conn: Connection[Any],
    where: SearchFilter = SearchFilter(),  # frozen: a shared default is safe
    *,
    scope: SearchScope | None = None,
    limit: int = 50,
    after: CaseCursor | None = None,
) -> CasePage:
    """Cases matching every filter, within the scope (None: everywhere), newest first, a page
    at a time."""
    if limit < 1:
        raise ValueError("a page holds at least one case")
    query, params = search_statement(where, scope=scope, after=after)
    params["n"] = limit + 1
    with conn.cursor(row_factory=dict_row) as curs:
        rows = curs.execute(query, params).fetchall()
    cases = tuple(_summary(row) for row in rows[:limit])
    more = len(rows) > limit
    return CasePage(cases, CaseCursor(cases[-1].opened_on, cases[-1].case_id) if more else None)


def search_statement(
    where: SearchFilter,
    *,
    scope: SearchScope | None = None,
    after: CaseCursor | None = None,
) -> tuple[sql.Composed, dict[str, Any]]:
    """The SQL of a search and its parameters, all but the row limit `n` (also for EXPLAIN).

    A scope keeps to a case of its organisations, or of a kind it covers everywhere (a
    coordinator's litigation).
    """
    filters = _Filters()
    for i, word in enumerate(normalise(where.text or "").split()):
        filters.contains("search_names", f"text_{i}", word)
    filters.contains("search_reference", "reference", where.reference)
    filters.contains("search_parties", "party", where.party)
    filters.contains("search_act", "act", where.act)
    filters.equal("kind", where.kind)
    filters.equal("status", where.status)
    filters.equal("organisation", where.organisation)
    filters.equal("assignee", where.assignee)
    if where.open_only:
        filters.where("closed_on IS NULL")
    if where.opened_from is not None:
        filters.where("opened_on >= %(opened_from)s", opened_from=where.opened_from)
    if where.opened_to is not None:
        filters.where("opened_on <= %(opened_to)s", opened_to=where.opened_to)
    if after is not None:
        filters.where(
            "(opened_on < %(after_on)s OR (opened_on = %(after_on)s AND case_id > %(after_id)s))",
            after_on=after.opened_on,
            after_id=after.case_id,
        )
    if scope is not None and scope.organisations is not None:
        filters.where(
            "(organisation = ANY(%(scope_orgs)s) OR kind = ANY(%(scope_kinds)s))",
            scope_orgs=list(scope.organisations),
            scope_kinds=list(scope.kinds_everywhere),
        )
    query = sql.SQL(_SEARCH).format(columns=sql.SQL(_COLUMNS), where=filters.clause())
    return query, filters.params


def _summary(row: dict[str, Any]) -> CaseSummary:
    act = (
        None
        if row["act_key"] is None
        else ActSummary(
            row["act_agency"], row["act_document_number"], row["act_date"], row["act_key"]
        )
    )
    return CaseSummary(
        case_id=row["case_id"],
        kind=row["kind"],
        reference=row["reference"],
        title=row["title"],
        organisation=row["organisation"],
        status=row["status"],
        assignee=row["assignee"],
        act=act,
        parties=tuple(PartyName(p["name"], p["role"]) for p in row["parties"]),
        opened_on=row["opened_on"],
        closed_on=row["closed_on"],
        last_event_at=row["last_event_at"],
        version=row["version"],
        running_deadlines=row["running_deadlines"],
        suspended_deadlines=row["suspended_deadlines"],
        next_due_on=row["next_due_on"],
    )


@dataclass(frozen=True)
class SearchScope:
    """The cases a caller may find: those of some organisations, and some kinds everywhere.

    `organisations` None means every organisation (then `kinds_everywhere` adds nothing).
    """

    organisations: tuple[str, ...] | None
    kinds_everywhere: tuple[str, ...] = ()


@dataclass(frozen=True)
class CaseGlance:
    """What a queue row shows of its case beyond the work item: state and version."""

    case_id: UUID
    status: str
    version: int
    assignee: str | None
    opened_on: dt.date
    last_event_at: dt.datetime


def case_glances(case_ids: Sequence[UUID]) -> Statement[dict[UUID, CaseGlance]]:
    """The summaries of many cases in one statement, by id (missing ids are left out)."""

    def by_id(rows: Rows) -> dict[UUID, CaseGlance]:
        return {row[0]: CaseGlance(*row) for row in rows}

    return Statement(
        "SELECT case_id, status, version, assignee, opened_on, last_event_at "
        "FROM case_summaries WHERE case_id = ANY(%s)",
        (list(case_ids),),
        by_id,
    )


def open_cases_assigned_to(
    conn: Connection[Any], assignee: str, organisations: tuple[str, ...] | None
) -> list[UUID]:
    """Ids of the cases not yet closed whose work is assigned to a person."""
    orgs = None if organisations is None else list(organisations)
    with conn.cursor() as curs:
        rows = curs.execute(
            "SELECT case_id FROM case_summaries WHERE assignee = %s AND closed_on IS NULL "
            "AND (%s::text[] IS NULL OR organisation = ANY(%s)) ORDER BY opened_on, case_id",
            (assignee, orgs, orgs),
        ).fetchall()
    return [row[0] for row in rows]
