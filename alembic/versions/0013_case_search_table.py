"""A case's search names live in a table of their own, written only when the names change.

A case summary row changes at almost every event (status, version, deadlines), while the names
it is found by (reference, title, parties, act) and their ~75 grams change rarely. Kept in one
row, every rewrite of the summary carried the search texts and, whenever it could not update in
place, put every gram into the GIN index again. Apart, the summary row is narrow and the gram
index is written when a case opens or its names change.

Revision ID: 0013
Revises: 0012
"""

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

SEARCH_COLUMNS = "search_names, search_parties, search_act, search_reference, search_grams"


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE case_search (
            case_id uuid PRIMARY KEY,
            search_names text NOT NULL,
            search_parties text NOT NULL,
            search_act text NOT NULL,
            search_reference text NOT NULL,
            search_grams text[] NOT NULL
        )
        """
    )
    op.execute(
        f"INSERT INTO case_search (case_id, {SEARCH_COLUMNS}) "
        f"SELECT case_id, {SEARCH_COLUMNS} FROM case_summaries"
    )
    # Substring search without pg_trgm: characters and character pairs of every name.
    op.execute(
        "CREATE INDEX case_search_by_gram ON case_search USING gin (search_grams) "
        "WITH (fastupdate = on, gin_pending_list_limit = 1024)"
    )
    for column in SEARCH_COLUMNS.split(", "):
        op.execute(f"ALTER TABLE case_summaries DROP COLUMN {column}")  # with its index


def downgrade() -> None:
    for column in SEARCH_COLUMNS.split(", "):
        kind = "text[]" if column == "search_grams" else "text"
        op.execute(f"ALTER TABLE case_summaries ADD COLUMN {column} {kind}")
    op.execute(
        f"UPDATE case_summaries s SET ({SEARCH_COLUMNS}) = "
        f"(SELECT {SEARCH_COLUMNS} FROM case_search c WHERE c.case_id = s.case_id)"
    )
    for column in SEARCH_COLUMNS.split(", "):
        op.execute(f"ALTER TABLE case_summaries ALTER COLUMN {column} SET NOT NULL")
    op.execute(
        "CREATE INDEX case_summaries_by_gram ON case_summaries USING gin (search_grams) "
        "WITH (fastupdate = on, gin_pending_list_limit = 1024)"
    )
    op.execute("DROP TABLE case_search")
