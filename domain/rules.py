"""The rules table (时限规则): every statutory time limit as a row of data, checked at start-up."""

from __future__ import annotations

import csv
import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from os import PathLike
from pathlib import Path
from typing import TypeVar

from domain.errors import NotFound

DEFAULT_RULES_PATH = Path(__file__).with_name("rules.csv")

_E = TypeVar("_E", bound=StrEnum)

COLUMNS = (
    "id",
    "procedure",
    "variant",
    "step",
    "length",
    "unit",
    "starts",
    "stops",
    "max_extension",
    "legal_basis",
)

REQUIRED_RULE_IDS = frozenset(
    {
        "petition.route",
        "petition.accept",
        "petition.handle",
        "petition.review.request",
        "petition.review.answer",
        "petition.rereview.request",
        "petition.rereview.answer",
        "reconsideration.apply",
        "reconsideration.admission",
        "reconsideration.correction",
        "reconsideration.copy_to_respondent",
        "reconsideration.reply",
        "reconsideration.decision",
        "reconsideration.opinion_report",
        "litigation.defence",
        "litigation.appeal.judgment",
        "litigation.appeal.ruling",
        "litigation.recommendation_reply",
        "mediation.administrative",
        "mediation.judicial_confirmation",
    }
)


class Unit(StrEnum):
    """How a period is counted."""

    CALENDAR_DAYS = "calendar_days"
    WORKING_DAYS = "working_days"


class Variant(StrEnum):
    """The procedure variant a rule applies to (普通程序 / 简易程序)."""

    ORDINARY = "ordinary"
    SIMPLIFIED = "simplified"


@dataclass(frozen=True, slots=True)
class Rule:
    """One time limit: how long, in what unit, what starts and stops it, and why (legal basis)."""

    id: str
    procedure: str
    variant: Variant | None
    step: str
    length: int
    unit: Unit
    starts: str
    stops: str
    max_extension: int | None
    legal_basis: str


class RulesFileError(ValueError):
    """A rules table that cannot be used; the message names the file, line and problem."""


class UnknownRule(NotFound):
    """A rule id (or a variant of it) that is not in the rules table."""

    def __init__(self, rule_id: str, known: Iterable[str], variant: Variant | None = None) -> None:
        ids = sorted(set(known))
        if rule_id in ids:
            message = f"rule '{rule_id}' has no {variant} variant"
        else:
            close = difflib.get_close_matches(rule_id, ids, n=3, cutoff=0.6)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            message = f"unknown rule '{rule_id}'{hint}"
        super().__init__(message)
        self.rule_id = rule_id


class RuleBook:
    """The loaded rules table, looked up by rule id and procedure variant."""

    def __init__(self, rules: Iterable[Rule]) -> None:
        self._rules: dict[tuple[str, Variant | None], Rule] = {(r.id, r.variant): r for r in rules}

    def get(self, rule_id: str, variant: Variant | None = None) -> Rule:
        """The rule for `rule_id`; rules that differ by variant default to the ordinary one."""
        rule = self._rules.get((rule_id, None)) or self._rules.get(
            (rule_id, variant or Variant.ORDINARY)
        )
        if rule is None:
            raise UnknownRule(rule_id, (r.id for r in self._rules.values()), variant)
        return rule

    def all(self) -> list[Rule]:
        """Every rule, in table order."""
        return list(self._rules.values())


def load_rules(path: str | PathLike[str] | None = None) -> RuleBook:
    """Load and validate the rules table (default: the packaged `domain/rules.csv`)."""
    source = Path(path) if path is not None else DEFAULT_RULES_PATH
    try:
        text = source.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise RulesFileError(f"{source}: cannot read the rules file ({exc.strerror})") from exc
    reader = csv.DictReader(text.splitlines())
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise RulesFileError(f"{source}, line 1: missing column(s) {', '.join(missing)}")
    rules: list[Rule] = []
    lines: dict[tuple[str, Variant | None], int] = {}
    for row in reader:
        where = f"{source}, line {reader.line_num}"
        rule = _parse_row(row, where)
        if (rule.id, rule.variant) in lines:
            first = lines[(rule.id, rule.variant)]
            raise RulesFileError(f"{where}: duplicate rule {_label(rule)} (first on line {first})")
        lines[(rule.id, rule.variant)] = reader.line_num
        rules.append(rule)
    _check_table(source, rules, lines)
    return RuleBook(rules)


def _label(rule: Rule) -> str:
    return f"'{rule.id}'" + (f" ({rule.variant})" if rule.variant else "")


def _parse_row(row: Mapping[str, str | None], where: str) -> Rule:
    cells = {c: (row.get(c) or "").strip() for c in COLUMNS}
    for column in ("id", "procedure", "step", "length", "unit", "starts", "stops", "legal_basis"):
        if not cells[column]:
            raise RulesFileError(f"{where}: column '{column}' is empty")
    if not cells["id"].startswith(cells["procedure"] + "."):
        raise RulesFileError(
            f"{where}: id '{cells['id']}' does not belong to procedure '{cells['procedure']}'"
        )
    return Rule(
        id=cells["id"],
        procedure=cells["procedure"],
        variant=_choice(Variant, cells["variant"], "variant", where) if cells["variant"] else None,
        step=cells["step"],
        length=_integer(cells["length"], "length", where, minimum=1),
        unit=_choice(Unit, cells["unit"], "unit", where),
        starts=cells["starts"],
        stops=cells["stops"],
        max_extension=(
            _integer(cells["max_extension"], "max_extension", where, minimum=0)
            if cells["max_extension"]
            else None
        ),
        legal_basis=cells["legal_basis"],
    )


def _choice(kind: type[_E], raw: str, column: str, where: str) -> _E:
    try:
        return kind(raw)
    except ValueError:
        allowed = ", ".join(member.value for member in kind)
        raise RulesFileError(f"{where}: {column} '{raw}' is not one of {allowed}") from None


def _integer(raw: str, column: str, where: str, *, minimum: int) -> int:
    if not (raw.isascii() and raw.isdigit()) or int(raw) < minimum:
        kind = "a positive" if minimum > 0 else "a non-negative"
        raise RulesFileError(f"{where}: {column} '{raw}' must be {kind} whole number")
    return int(raw)


def _check_table(
    source: Path, rules: list[Rule], lines: Mapping[tuple[str, Variant | None], int]
) -> None:
    ids = {r.id for r in rules}
    for rule_id in sorted(ids):
        variants = {r.variant for r in rules if r.id == rule_id}
        if len(variants) > 1 and None in variants:
            line = lines[(rule_id, None)]
            raise RulesFileError(
                f"{source}, line {line}: rule '{rule_id}' has rows both with and without a variant"
            )
        if None not in variants and Variant.ORDINARY not in variants:
            line = min(lines[(rule_id, v)] for v in variants)
            raise RulesFileError(f"{source}, line {line}: rule '{rule_id}' has no ordinary row")
    absent = sorted(REQUIRED_RULE_IDS - ids)
    if absent:
        raise RulesFileError(f"{source}: missing required rule(s) {', '.join(absent)}")
