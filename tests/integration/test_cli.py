import os
import shutil
import subprocess
import sys
from pathlib import Path

from api.database import ConnectionTarget

CASEWORK = shutil.which("casework") or str(Path(sys.executable).parent / "casework")


def run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"} | env
    return subprocess.run(
        [CASEWORK, *args], env=full_env, capture_output=True, text=True, timeout=60, check=False
    )


def test_db_status_says_the_schema_is_current(database: ConnectionTarget):
    result = run("db", "status", env={"DATABASE_URL": database.url})
    assert result.returncode == 0, result.stderr
    assert f"{database.host}:{database.port}/{database.dbname}" in result.stdout
    assert "schema is up to date at revision" in result.stdout


def test_db_status_fails_on_an_empty_database_and_upgrade_fixes_it(
    empty_database: ConnectionTarget,
):
    before = run("db", "status", env={"DATABASE_URL": empty_database.url})
    assert before.returncode == 1
    assert "empty (no Casework schema)" in before.stdout
    upgraded = run("db", "upgrade", env={"DATABASE_URL": empty_database.url})
    assert upgraded.returncode == 0, upgraded.stderr
    after = run("db", "status", env={"DATABASE_URL": empty_database.url})
    assert after.returncode == 0


def test_serve_refuses_an_out_of_date_external_schema(empty_database: ConnectionTarget):
    result = run("serve", "--port", "1", env={"DATABASE_URL": empty_database.url})
    assert result.returncode == 2
    assert "casework db upgrade" in result.stderr
    assert "Traceback" not in result.stderr


def test_unreachable_server_is_one_clear_line_naming_the_host():
    result = run("db", "status", env={"DATABASE_URL": "postgresql://someone@127.0.0.1:1/nowhere"})
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "cannot connect to PostgreSQL at 127.0.0.1:1/nowhere" in lines[0]
    assert "Check DATABASE_URL" in lines[0]


def test_a_database_url_of_another_kind_is_rejected_by_name():
    result = run("db", "status", env={"DATABASE_URL": "mysql://root@localhost/test"})
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "casework: bad setting DATABASE_URL: "
        "DATABASE_URL must start with postgresql:// (got scheme 'mysql')"
    )
