"""Reference-number counters per case kind and year.

Revision ID: 0002
Revises: 0001
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE case_reference_counters (
            kind text NOT NULL,
            year integer NOT NULL CHECK (year BETWEEN 1949 AND 9999),
            last_number integer NOT NULL CHECK (last_number > 0),
            PRIMARY KEY (kind, year)
        )
        """
    )


def downgrade() -> None:
    op.execute("DROP TABLE case_reference_counters")
