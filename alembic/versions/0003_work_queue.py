"""Work queue view: one row per running deadline, plus the case heads it needs.

Revision ID: 0003
Revises: 0002
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE case_heads (
            case_id uuid PRIMARY KEY,
            kind text NOT NULL,
            reference text NOT NULL,
            title text NOT NULL,
            organisation text NOT NULL,
            assignee text,
            opened_at timestamptz NOT NULL,
            version bigint NOT NULL
        )
        """
    )
    op.execute(
        """
        CREATE TABLE work_items (
            case_id uuid NOT NULL REFERENCES case_heads (case_id),
            rule_id text NOT NULL,
            step text NOT NULL,
            started_on date NOT NULL,
            due_on date NOT NULL,
            suspended boolean NOT NULL,
            extended_by integer NOT NULL,
            legal_basis text NOT NULL,
            warnings text[] NOT NULL,
            kind text NOT NULL,
            reference text NOT NULL,
            title text NOT NULL,
            organisation text NOT NULL,
            assignee text,
            PRIMARY KEY (case_id, rule_id)
        )
        """
    )
    op.execute("CREATE INDEX work_items_by_org_due ON work_items (organisation, due_on, case_id)")
    op.execute("CREATE INDEX work_items_by_assignee_due ON work_items (assignee, due_on, case_id)")


def downgrade() -> None:
    op.execute("DROP TABLE work_items")
    op.execute("DROP TABLE case_heads")
