"""Court calendar view: what each lawsuit owes the courts, by date.

Revision ID: 0007
Revises: 0006
"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE court_dates (
            case_id uuid NOT NULL,
            entry text NOT NULL,
            what text NOT NULL,
            on_date date NOT NULL,
            suspended boolean NOT NULL,
            head_appears boolean,
            legal_basis text NOT NULL,
            reference text NOT NULL,
            title text NOT NULL,
            organisation text NOT NULL,
            PRIMARY KEY (case_id, entry)
        )
        """
    )
    op.execute("CREATE INDEX court_dates_by_date ON court_dates (on_date, organisation)")
    op.execute("CREATE INDEX court_dates_by_org_date ON court_dates (organisation, on_date)")


def downgrade() -> None:
    op.execute("DROP TABLE court_dates")
