"""The demo seed's ledger: which district-years of which seed are stored completely.

Revision ID: 0009
Revises: 0008
"""

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE IF NOT EXISTS demo_seed_district_years (
            seed bigint NOT NULL,
            number integer NOT NULL,
            cases integer NOT NULL,
            events bigint NOT NULL,
            seeded_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (seed, number)
        )
        """
    )


def downgrade() -> None:
    op.execute("DROP TABLE demo_seed_district_years")
