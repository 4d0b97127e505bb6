"""Accountability trail and statistics views.

Revision ID: 0005
Revises: 0004
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

TABLES = (
    """
    CREATE TABLE trail_entries (
        position bigint PRIMARY KEY,
        case_id uuid NOT NULL,
        version bigint NOT NULL,
        at timestamptz NOT NULL,
        kind text NOT NULL,
        reference text NOT NULL,
        organisation text NOT NULL,
        step text NOT NULL,
        decisive boolean NOT NULL,
        actor_id text NOT NULL,
        actor_role text NOT NULL,
        actor_organisation text NOT NULL,
        actor_name text NOT NULL,
        approver_id text,
        approver_role text,
        approver_organisation text,
        approver_name text,
        reason text NOT NULL,
        legal_basis text NOT NULL,
        deadlines text[] NOT NULL,
        ended text[] NOT NULL,
        UNIQUE (case_id, version)
    )
    """,
    """
    CREATE TABLE trail_links (
        case_id uuid NOT NULL,
        linked_case_id uuid NOT NULL,
        relation text NOT NULL,
        position bigint NOT NULL,
        PRIMARY KEY (case_id, linked_case_id)
    )
    """,
    """
    CREATE TABLE statistics_facts (
        case_id uuid NOT NULL,
        measure text NOT NULL,
        item text NOT NULL,
        kind text NOT NULL,
        organisation text NOT NULL,
        counted_on date NOT NULL,
        year integer NOT NULL,
        achieved boolean NOT NULL,
        PRIMARY KEY (case_id, measure, item)
    )
    """,
    """
    CREATE TABLE statistics_deadlines (
        case_id uuid NOT NULL,
        version bigint NOT NULL,
        rule_id text NOT NULL,
        kind text NOT NULL,
        organisation text NOT NULL,
        step text NOT NULL,
        year integer NOT NULL,
        due_on date NOT NULL,
        stopped_on date NOT NULL,
        suspended boolean NOT NULL,
        on_time boolean NOT NULL,
        PRIMARY KEY (case_id, version, rule_id)
    )
    """,
)

# One index per read query (keyset order is always time, then position).
INDEXES = (
    "CREATE INDEX trail_by_case ON trail_entries (case_id, at, position)",
    "CREATE INDEX trail_by_actor ON trail_entries (actor_id, at, position)",
    "CREATE INDEX trail_by_approver ON trail_entries (approver_id, at, position) "
    "WHERE approver_id IS NOT NULL",
    "CREATE INDEX trail_by_organisation ON trail_entries (organisation, at, position)",
    "CREATE INDEX trail_by_actor_organisation ON trail_entries (actor_organisation, at, position)",
    "CREATE INDEX trail_links_by_linked ON trail_links (linked_case_id)",
    "CREATE INDEX statistics_facts_by_org_year ON statistics_facts (organisation, year, measure)",
    "CREATE INDEX statistics_facts_by_year ON statistics_facts (year, organisation)",
    "CREATE INDEX statistics_deadlines_by_org_year "
    "ON statistics_deadlines (organisation, year, rule_id)",
    "CREATE INDEX statistics_deadlines_by_year ON statistics_deadlines (year, organisation)",
)


def upgrade() -> None:
    for statement in (*TABLES, *INDEXES):
        op.execute(statement)


def downgrade() -> None:
    for table in ("statistics_deadlines", "statistics_facts", "trail_links", "trail_entries"):
        op.execute(f"DROP TABLE {table}")
