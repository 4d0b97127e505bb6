from collections.abc import Callable
from pathlib import Path

import pytest

from domain.errors import DomainError
from domain.rules import (
    DEFAULT_RULES_PATH,
    REQUIRED_RULE_IDS,
    RuleBook,
    RulesFileError,
    Unit,
    UnknownRule,
    Variant,
    load_rules,
)

RULES = load_rules()
CAL, WORK = Unit.CALENDAR_DAYS, Unit.WORKING_DAYS
ORD, SIMPLE = Variant.ORDINARY, Variant.SIMPLIFIED


@pytest.mark.parametrize(
    ("rule_id", "variant", "length", "unit", "max_extension"),
    [
        ("petition.route", None, 15, CAL, None),
        ("petition.accept", None, 15, CAL, None),
        ("petition.handle", None, 60, CAL, 30),
        ("petition.review.request", None, 30, CAL, None),
        ("petition.review.answer", None, 30, CAL, None),
        ("petition.rereview.request", None, 30, CAL, None),
        ("petition.rereview.answer", None, 30, CAL, None),
        ("reconsideration.apply", None, 60, CAL, None),
        ("reconsideration.admission", None, 5, WORK, None),
        ("reconsideration.correction", None, 10, WORK, None),
        ("reconsideration.copy_to_respondent", ORD, 7, WORK, None),
        ("reconsideration.copy_to_respondent", SIMPLE, 3, WORK, None),
        ("reconsideration.reply", ORD, 10, WORK, None),
        ("reconsideration.reply", SIMPLE, 5, WORK, None),
        ("reconsideration.decision", ORD, 60, CAL, 30),
        ("reconsideration.decision", SIMPLE, 30, CAL, None),
        ("reconsideration.opinion_report", None, 60, CAL, None),
        ("litigation.defence", None, 15, CAL, None),
        ("litigation.appeal.judgment", None, 15, CAL, None),
        ("litigation.appeal.ruling", None, 10, CAL, None),
        ("litigation.recommendation_reply", None, 60, CAL, None),
        ("mediation.administrative", None, 30, CAL, None),
        ("mediation.judicial_confirmation", None, 30, CAL, None),
    ],
)
def test_the_packaged_table_holds_each_statutory_limit(
    rule_id: str, variant: Variant | None, length: int, unit: Unit, max_extension: int | None
) -> None:
    rule = RULES.get(rule_id, variant)

    assert (rule.id, rule.variant, rule.length, rule.unit, rule.max_extension) == (
        rule_id,
        variant,
        length,
        unit,
        max_extension,
    )
    assert rule.legal_basis
    assert rule.procedure == rule_id.partition(".")[0]


def test_the_packaged_table_has_every_required_rule_and_nothing_else() -> None:
    assert {r.id for r in RULES.all()} == REQUIRED_RULE_IDS
    assert len(RULES.all()) == 23


def test_reconsideration_short_periods_are_working_days_per_article_88() -> None:
    reconsideration = [r for r in RULES.all() if r.procedure == "reconsideration"]

    assert all((r.unit is WORK) == (r.length <= 10) for r in reconsideration)
    assert all("第八十八条" in r.legal_basis for r in reconsideration if r.unit is WORK)


def test_a_rule_with_variants_defaults_to_the_ordinary_procedure() -> None:
    assert RULES.get("reconsideration.decision") == RULES.get("reconsideration.decision", ORD)


def test_a_rule_without_variants_applies_to_every_variant() -> None:
    assert RULES.get("reconsideration.admission", SIMPLE) == RULES.get("reconsideration.admission")


def test_an_unknown_rule_id_is_named_with_the_close_ids() -> None:
    with pytest.raises(UnknownRule) as raised:
        RULES.get("petition.handel")

    assert isinstance(raised.value, DomainError)
    assert raised.value.code == "NOT_FOUND"
    assert raised.value.message == (
        "unknown rule 'petition.handel'; did you mean petition.handle, petition.accept, "
        "petition.route?"
    )


def test_a_missing_variant_of_a_known_rule_is_named_as_such() -> None:
    book = RuleBook(r for r in RULES.all() if r.variant is not SIMPLE)

    with pytest.raises(UnknownRule) as raised:
        book.get("reconsideration.reply", SIMPLE)

    assert raised.value.message == "rule 'reconsideration.reply' has no simplified variant"


Edit = Callable[[list[str]], object]


def _line_of(lines: list[str], rule_id: str, variant: str = "") -> int:
    prefix = f"{rule_id},{rule_id.partition('.')[0]},{variant},"
    return next(i for i, line in enumerate(lines) if line.startswith(prefix))


def _replace_cell(rule_id: str, column: int, value: str, variant: str = "") -> Edit:
    def edit(lines: list[str]) -> None:
        i = _line_of(lines, rule_id, variant)
        cells = lines[i].split(",")
        cells[column] = value
        lines[i] = ",".join(cells)

    return edit


def _write_broken(tmp_path: Path, edit: Edit) -> Path:
    lines = DEFAULT_RULES_PATH.read_text(encoding="utf-8").splitlines()
    edit(lines)
    broken = tmp_path / "rules.csv"
    broken.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return broken


def _line(rule_id: str, variant: str = "") -> int:
    lines = DEFAULT_RULES_PATH.read_text(encoding="utf-8").splitlines()
    return _line_of(lines, rule_id, variant) + 1


@pytest.mark.parametrize(
    ("edit", "problem"),
    [
        (
            _replace_cell("petition.accept", 0, ""),
            f"line {_line('petition.accept')}: column 'id' is empty",
        ),
        (
            _replace_cell("litigation.defence", 5, "weeks"),
            f"line {_line('litigation.defence')}: unit 'weeks' is not one of calendar_days, "
            "working_days",
        ),
        (
            _replace_cell("petition.route", 4, "0"),
            f"line {_line('petition.route')}: length '0' must be a positive whole number",
        ),
        (
            _replace_cell("petition.route", 4, "ten"),
            f"line {_line('petition.route')}: length 'ten' must be a positive whole number",
        ),
        (
            _replace_cell("petition.handle", 8, "-1"),
            f"line {_line('petition.handle')}: max_extension '-1' must be a non-negative whole "
            "number",
        ),
        (
            _replace_cell("reconsideration.reply", 2, "summary", "simplified"),
            f"line {_line('reconsideration.reply', 'simplified')}: variant 'summary' is not one "
            "of ordinary, simplified",
        ),
        (
            _replace_cell("mediation.administrative", 1, "litigation"),
            f"line {_line('mediation.administrative')}: id 'mediation.administrative' does not "
            "belong to procedure 'litigation'",
        ),
        (
            lambda lines: lines.append(lines[_line_of(lines, "litigation.defence")]),
            f"line 25: duplicate rule 'litigation.defence' (first on line "
            f"{_line('litigation.defence')})",
        ),
        (
            lambda lines: lines.pop(_line_of(lines, "petition.accept")),
            "missing required rule(s) petition.accept",
        ),
        (
            _replace_cell("reconsideration.decision", 2, "", "simplified"),
            f"line {_line('reconsideration.decision', 'simplified')}: rule "
            "'reconsideration.decision' has rows both with and without a variant",
        ),
        (
            _replace_cell("reconsideration.decision", 2, "simplified", "ordinary"),
            f"line {_line('reconsideration.decision', 'simplified')}: duplicate rule "
            "'reconsideration.decision' (simplified) (first on line "
            f"{_line('reconsideration.decision', 'ordinary')})",
        ),
        (
            lambda lines: lines.__setitem__(0, lines[0].replace(",legal_basis", ",basis")),
            "line 1: missing column(s) legal_basis",
        ),
    ],
)
def test_a_broken_rules_file_is_refused_naming_file_line_and_problem(
    tmp_path: Path, edit: Edit, problem: str
) -> None:
    broken = _write_broken(tmp_path, edit)

    with pytest.raises(RulesFileError) as raised:
        load_rules(broken)

    separator = ", " if problem.startswith("line ") else ": "
    assert str(raised.value) == f"{broken}{separator}{problem}"


def test_a_rule_whose_variants_lack_the_ordinary_row_is_refused(tmp_path: Path) -> None:
    broken = _write_broken(
        tmp_path, lambda lines: lines.pop(_line_of(lines, "reconsideration.reply", "ordinary"))
    )

    with pytest.raises(RulesFileError, match=r"rule 'reconsideration\.reply' has no ordinary row"):
        load_rules(broken)


def test_an_unreadable_rules_file_is_reported(tmp_path: Path) -> None:
    with pytest.raises(RulesFileError, match=r"absent\.csv: cannot read the rules file"):
        load_rules(tmp_path / "absent.csv")
