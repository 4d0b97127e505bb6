"""The queue's indexes end in the page's whole order, so a page reads its own rows only.

A queue page is ordered by (due_on, case_id, rule_id). The indexes on (organisation, due_on,
case_id) and (assignee, due_on, case_id) left the last key out, so a page of one organisation
read all of that organisation's open items and sorted them to keep the first 51: a few hundred
rows for a small office, tens of thousands for a large one, at every page. With rule_id at the
end, a page of one organisation or one assignee is read in the index's order from the cursor on:
the next 51 entries when nothing else is filtered, however long the queue. (A further filter, on
the procedure or the step, is checked on each entry's row as the scan goes.)

Revision ID: 0014
Revises: 0013
"""

from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The new indexes first: the old ones are dropped (which locks the table) only at the end,
    # so a server still reading the queue waits for the commit, not for the builds.
    op.execute(
        "CREATE INDEX work_items_by_org_order"
        " ON work_items (organisation, due_on, case_id, rule_id)"
    )
    op.execute(
        "CREATE INDEX work_items_by_assignee_order"
        " ON work_items (assignee, due_on, case_id, rule_id)"
    )
    op.execute("DROP INDEX work_items_by_org_due")
    op.execute("DROP INDEX work_items_by_assignee_due")


def downgrade() -> None:
    op.execute("CREATE INDEX work_items_by_org_due ON work_items (organisation, due_on, case_id)")
    op.execute("CREATE INDEX work_items_by_assignee_due ON work_items (assignee, due_on, case_id)")
    op.execute("DROP INDEX work_items_by_org_order")
    op.execute("DROP INDEX work_items_by_assignee_order")
