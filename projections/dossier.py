"""Dossier: the cases linked to one another or about the same administrative act, as a graph."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, LiteralString
from uuid import UUID

from psycopg import Connection, Cursor, sql
from psycopg.rows import DictRow, dict_row

from domain.case import CaseFile
from projections.runner import Change, TableView, ViewBatch, json_rows

# A batch's rows go as one JSON array per statement, unpacked by the server.
_INSERT_CASE = """
INSERT INTO {dossier_cases} SELECT * FROM json_populate_recordset(NULL::{dossier_cases}, %s)
"""
# Most events leave the status as it was: then the row is found and left alone.
_UPDATE_CASE = """
UPDATE {dossier_cases} AS d SET status = r.status
FROM json_to_recordset(%s) AS r (case_id uuid, status text)
WHERE d.case_id = r.case_id AND d.status <> r.status
"""
_INSERT_LINK = """
INSERT INTO {dossier_links} SELECT * FROM json_populate_recordset(NULL::{dossier_links}, %s)
"""


class DossierView(TableView):
    """Keeps the dossier's cases (nodes) and links (edges) in step with the event log."""

    name = "dossier"
    tables = ("dossier_cases", "dossier_links")

    def __init__(self, suffix: str = "") -> None:
        super().__init__(suffix)
        self._insert_case = self.sql(_INSERT_CASE)
        self._update_case = self.sql(_UPDATE_CASE)
        self._insert_link = self.sql(_INSERT_LINK)

    def batch(self, curs: Cursor[DictRow]) -> ViewBatch:
        """Each case the batch touches written once as it stands after it; links in order."""
        return _DossierBatch(self, curs)


class _DossierBatch(ViewBatch):
    view: DossierView

    def __init__(self, view: DossierView, curs: Cursor[DictRow]) -> None:
        super().__init__(view, curs)
        self.cases: dict[UUID, Change] = {}  # each case's last change in the batch
        self.opened: dict[UUID, dict[str, Any]] = {}  # cases opened in the batch, as opened
        self.links: list[dict[str, Any]] = []

    def add(self, change: Change) -> None:
        event = change.event
        self.cases[change.case_id] = change
        if isinstance(event, CaseFile.Opened):
            case = change.case
            self.opened[change.case_id] = {
                "case_id": change.case_id,
                "kind": change.kind,
                "reference": case.reference,
                "title": case.title,
                "organisation": case.organisation,
                "act_key": case.act.key if case.act else None,
                "opened_at": event.timestamp,
            }
        elif isinstance(event, CaseFile.Linked):
            link = event.link
            self.links.append(
                {
                    "case_id": change.case_id,
                    "other_id": link.case_id,
                    "other_kind": link.kind,
                    "relation": link.relation,
                }
            )

    def flush(self) -> None:
        view, inserts, updates = self.view, [], []
        for case_id, change in self.cases.items():
            status = change.case.status
            if (opened := self.opened.get(case_id)) is not None:
                inserts.append(opened | {"status": status})
            else:
                updates.append({"case_id": case_id, "status": status})
        if inserts:
            self.curs.execute(view._insert_case, (json_rows(inserts),))
        if updates:
            self.curs.execute(view._update_case, (json_rows(updates),))
        if self.links:
            self.curs.execute(view._insert_link, (json_rows(self.links),))


class EdgeKind(StrEnum):
    """Why two cases sit in one dossier."""

    LINK = "link"  # a recorded link (诉访分离, co-defendant, referral, settlement)
    SAME_ACT = "same_act"  # both are about the same administrative act


@dataclass(frozen=True)
class DossierCase:
    """A case in a dossier."""

    case_id: UUID
    kind: str
    reference: str
    title: str
    organisation: str
    status: str
    act_key: str | None
    opened_at: dt.datetime


@dataclass(frozen=True)
class DossierEdge:
    """A link as the source case recorded it, or a pair of cases about one act (source < target)."""

    source: UUID
    target: UUID
    kind: EdgeKind
    relation: str | None  # the link's relation, from the source's side
    act_key: str | None  # the act both are about


@dataclass(frozen=True)
class Dossier:
    """Connected cases, oldest first, and what connects them."""

    cases: tuple[DossierCase, ...]
    edges: tuple[DossierEdge, ...]


# Everything reachable from the seed cases through links (either way) or a shared act.
# UNION (not UNION ALL) drops rows already found, so cycles — every link is recorded both
# ways — end the recursion instead of repeating it.
_REACH = """
WITH RECURSIVE reach (case_id) AS (
    {seed}
    UNION
    SELECT next.case_id
    FROM reach r
    CROSS JOIN LATERAL (
        SELECT l.other_id FROM dossier_links l WHERE l.case_id = r.case_id
        UNION SELECT l.case_id FROM dossier_links l WHERE l.other_id = r.case_id
        UNION SELECT same.case_id
              FROM dossier_cases c JOIN dossier_cases same ON same.act_key = c.act_key
              WHERE c.case_id = r.case_id
    ) AS next (case_id)
)
SELECT c.case_id, c.kind, c.reference, c.title, c.organisation, c.status, c.act_key, c.opened_at
FROM dossier_cases c JOIN reach USING (case_id)
ORDER BY c.opened_at, c.case_id
"""
_OF_CASE = "SELECT case_id FROM dossier_cases WHERE case_id = %(seed)s"
_OF_ACT = "SELECT case_id FROM dossier_cases WHERE act_key = %(seed)s"
_EDGES = """
SELECT case_id AS source, other_id AS target, 'link' AS kind, relation, NULL AS act_key
FROM dossier_links
WHERE case_id = ANY(%(ids)s) AND other_id = ANY(%(ids)s)
UNION ALL
SELECT a.case_id, b.case_id, 'same_act', NULL, a.act_key
FROM dossier_cases a JOIN dossier_cases b ON b.act_key = a.act_key AND a.case_id < b.case_id
WHERE a.case_id = ANY(%(ids)s)
ORDER BY kind, source, target
"""


def dossier_of_case(conn: Connection[Any], case_id: UUID) -> Dossier:
    """The case and every case connected to it (empty if the view has not seen it)."""
    return _dossier(conn, _OF_CASE, case_id)


def dossier_of_act(conn: Connection[Any], act_key: str) -> Dossier:
    """Every case about the act (its `AdministrativeAct.key`) and every case connected to them."""
    return _dossier(conn, _OF_ACT, act_key)


def _dossier(conn: Connection[Any], seed: LiteralString, value: object) -> Dossier:
    with conn.cursor(row_factory=dict_row) as curs:
        query = sql.SQL(_REACH).format(seed=sql.SQL(seed))
        cases = tuple(DossierCase(**row) for row in curs.execute(query, {"seed": value}))
        ids = [case.case_id for case in cases]
        edges = tuple(
            DossierEdge(
                row["source"], row["target"], EdgeKind(row["kind"]), row["relation"], row["act_key"]
            )
            for row in curs.execute(_EDGES, {"ids": ids})
        )
    return Dossier(cases, edges)
