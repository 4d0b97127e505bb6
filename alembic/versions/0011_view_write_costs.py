"""Views cost less to write: fewer index entries per row and no column nobody reads.

- A case's summary row is rewritten at almost every event. With `fastupdate = off` every write
  that could not update the row in place put each of its ~75 grams into the GIN index one by one
  (about a millisecond a row). With `fastupdate` on, new entries go to the index's pending list
  and are merged in bulk when the list reaches `gin_pending_list_limit` (kept small, 1 MB, so a
  search never scans much of it) or when autovacuum passes. Free space on each page (fillfactor)
  lets a write that changes no indexed column update the row in place (HOT), touching no index.
- `case_heads.version` and `dossier_cases.version` were written at every event of a case and
  read by nothing; without them those rows change only when what is read changes (an
  assignment, a status).

Revision ID: 0011
Revises: 0010
"""

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        "ALTER INDEX case_summaries_by_gram SET (fastupdate = on, gin_pending_list_limit = 1024)"
    )
    op.execute("ALTER TABLE case_summaries SET (fillfactor = 50)")
    op.execute("ALTER TABLE case_heads DROP COLUMN version")
    op.execute("ALTER TABLE dossier_cases DROP COLUMN version")


def downgrade() -> None:
    # The older code keeps these columns up to date from the next event of each case on;
    # `casework projections rebuild work_queue dossier` fills them for every case at once.
    op.execute("ALTER TABLE dossier_cases ADD COLUMN version bigint NOT NULL DEFAULT 0")
    op.execute("ALTER TABLE case_heads ADD COLUMN version bigint NOT NULL DEFAULT 0")
    op.execute("SELECT gin_clean_pending_list('case_summaries_by_gram')")
    op.execute("ALTER INDEX case_summaries_by_gram SET (fastupdate = off)")
    op.execute("ALTER INDEX case_summaries_by_gram RESET (gin_pending_list_limit)")
    op.execute("ALTER TABLE case_summaries RESET (fillfactor)")
