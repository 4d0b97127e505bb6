"""Case summary, search and dossier views.

Revision ID: 0004
Revises: 0003
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE case_summaries (
            case_id uuid PRIMARY KEY,
            kind text NOT NULL,
            reference text NOT NULL,
            title text NOT NULL,
            organisation text NOT NULL,
            status text NOT NULL,
            assignee text,
            act_agency text,
            act_document_number text,
            act_date date,
            act_key text,
            parties jsonb NOT NULL,
            opened_on date NOT NULL,
            closed_on date,
            last_event_at timestamptz NOT NULL,
            version bigint NOT NULL,
            running_deadlines integer NOT NULL,
            suspended_deadlines integer NOT NULL,
            next_due_on date,
            search_names text NOT NULL,
            search_parties text NOT NULL,
            search_act text NOT NULL,
            search_reference text NOT NULL,
            search_grams text[] NOT NULL
        )
        """
    )
    # Substring search without pg_trgm: characters and character pairs of every name.
    op.execute(
        "CREATE INDEX case_summaries_by_gram ON case_summaries USING gin (search_grams) "
        "WITH (fastupdate = off)"
    )
    op.execute("CREATE INDEX case_summaries_newest ON case_summaries (opened_on DESC, case_id)")
    op.execute(
        "CREATE INDEX case_summaries_by_org ON case_summaries "
        "(organisation, opened_on DESC, case_id)"
    )
    op.execute("CREATE INDEX case_summaries_by_act ON case_summaries (act_key)")
    op.execute(
        """
        CREATE TABLE dossier_cases (
            case_id uuid PRIMARY KEY,
            kind text NOT NULL,
            reference text NOT NULL,
            title text NOT NULL,
            organisation text NOT NULL,
            status text NOT NULL,
            act_key text,
            opened_at timestamptz NOT NULL,
            version bigint NOT NULL
        )
        """
    )
    op.execute("CREATE INDEX dossier_cases_by_act ON dossier_cases (act_key)")
    op.execute(
        """
        CREATE TABLE dossier_links (
            case_id uuid NOT NULL REFERENCES dossier_cases (case_id),
            other_id uuid NOT NULL,
            other_kind text NOT NULL,
            relation text NOT NULL,
            PRIMARY KEY (case_id, other_id)
        )
        """
    )
    op.execute("CREATE INDEX dossier_links_by_other ON dossier_links (other_id)")


def downgrade() -> None:
    op.execute("DROP TABLE dossier_links")
    op.execute("DROP TABLE dossier_cases")
    op.execute("DROP TABLE case_summaries")
