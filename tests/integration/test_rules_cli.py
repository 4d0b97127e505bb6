from tests.integration.test_cli import run


def test_rules_due_prints_the_due_date_first_then_the_legal_basis():
    result = run("rules", "due", "reconsideration.decision", "2026-09-01", env={})
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    # 60 calendar days end on Saturday 2026-10-31, a rest day: due the next working day.
    assert lines[0].split()[0] == "2026-11-02"
    assert lines[1] == "legal basis: 《行政复议法》第六十二条第一款"
    assert not any(line.startswith("warning:") for line in lines)


def test_rules_due_takes_the_simplified_procedure():
    result = run(
        "rules", "due", "reconsideration.copy_to_respondent", "2026-04-29",
        "--procedure", "simplified", env={},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    # 3 working days after 29 April skip the Labour Day holiday (1–5 May).
    assert result.stdout.split()[0] == "2026-05-07"


def test_rules_due_warns_when_the_holiday_calendar_does_not_cover_the_year():
    result = run("rules", "due", "petition.route", "2026-12-20", env={})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[0] == "2027-01-04"
    assert "warning: 2027年节假日安排未载入" in result.stdout


def test_rules_due_names_an_unknown_rule_and_suggests_the_right_one():
    result = run("rules", "due", "petition.rout", "2026-12-20", env={})
    assert result.returncode == 2
    assert "unknown rule 'petition.rout'; did you mean petition.route" in result.stderr


def test_rules_list_prints_every_rule_id():
    result = run("rules", "list", env={})
    assert result.returncode == 0, result.stderr
    for rule_id in ("petition.route", "reconsideration.opinion_report", "mediation.administrative"):
        assert rule_id in result.stdout
