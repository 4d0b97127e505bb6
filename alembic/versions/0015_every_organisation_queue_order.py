"""A queue page across every organisation reads its own rows too, not the whole table.

Auditors read every organisation's queue, and court-response coordinators read the litigation
work of every organisation. With no index in the page's order (due_on, case_id, rule_id) such a
page read every open item of the district, or every open litigation item, and sorted them to keep
the first 51: at ten district-years, 20,000 items and some 25-45 ms a page, growing with the
caseload. An index in the page's order serves the every-organisation page, and one led by the
procedure serves a page of one procedure by equality (a coordinator's), each reading the next
51 entries from the cursor on.

Each build holds a SHARE lock on work_items: the queue is read meanwhile, but the views' writes
(and so mutations waiting for their views) wait until the migration commits. The table holds open
items only; at ten district-years (20,405 items) a build took about 0.1 s.

Revision ID: 0015
Revises: 0014
"""

from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE INDEX work_items_by_due_order ON work_items (due_on, case_id, rule_id)")
    op.execute(
        "CREATE INDEX work_items_by_kind_order ON work_items (kind, due_on, case_id, rule_id)"
    )


def downgrade() -> None:
    op.execute("DROP INDEX work_items_by_kind_order")
    op.execute("DROP INDEX work_items_by_due_order")
