"""Case search by assignee: a person's open cases, newest first.

Revision ID: 0008
Revises: 0007
"""

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Partial: "my open cases" reads only the open ones, which stay few per person while closed
    # cases pile up over the years.
    op.execute(
        "CREATE INDEX case_summaries_open_by_assignee ON case_summaries "
        "(assignee, opened_on DESC, case_id) WHERE closed_on IS NULL"
    )


def downgrade() -> None:
    op.execute("DROP INDEX case_summaries_open_by_assignee")
