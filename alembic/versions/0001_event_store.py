"""Event store: the eventsourcing library's tables, taken from its DDL for 9.5.6.

Revision ID: 0001
Revises:
"""

from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_AUTOVACUUM = (
    "WITH (    autovacuum_enabled = true,    autovacuum_vacuum_threshold = 100000000,"
    "    autovacuum_vacuum_scale_factor = 0.5,    autovacuum_analyze_threshold = 1000,"
    "    autovacuum_analyze_scale_factor = 0.01)"
)

# The library's statements, verbatim as eventsourcing 9.5.6 renders them for the
# application "Casework" (tests/integration/test_event_store_ddl.py fails on drift).
# Its DB-function insert path (es_insert_events_uuid) is deliberately absent: it
# inserts without the table lock that keeps notification ids in commit order.
EVENT_STORE_DDL = [
    'CREATE TABLE IF NOT EXISTS "public"."casework_events" (originator_id "uuid" NOT NULL, '
    "originator_version bigint NOT NULL, topic text, state bytea, notification_id bigserial, "
    "PRIMARY KEY (originator_id, originator_version)) " + _AUTOVACUUM,
    'CREATE TYPE "public"."stored_event_uuid" AS (originator_id "uuid", '
    "originator_version bigint, topic text, state bytea)",
    'CREATE UNIQUE INDEX IF NOT EXISTS "casework_events_notification_id_idx" '
    'ON "public"."casework_events" (notification_id ASC);',
    'CREATE TABLE IF NOT EXISTS "public"."casework_snapshots" (originator_id "uuid" NOT NULL, '
    "originator_version bigint NOT NULL, topic text, state bytea, "
    "PRIMARY KEY (originator_id, originator_version)) " + _AUTOVACUUM,
    'CREATE TABLE IF NOT EXISTS "public"."projection_tracking" (application_name text, '
    "notification_id bigint, PRIMARY KEY (application_name))" + _AUTOVACUUM,
]

# What the library writes when it creates a single-row tracking table itself.
TRACKING_MIGRATION_MARK = 'INSERT INTO "public"."projection_tracking" VALUES (\'__migration__\', 1)'


def upgrade() -> None:
    for statement in EVENT_STORE_DDL:
        op.execute(statement)
    op.execute(TRACKING_MIGRATION_MARK)


def downgrade() -> None:
    op.execute('DROP TABLE "public"."projection_tracking"')
    op.execute('DROP TABLE "public"."casework_snapshots"')
    op.execute('DROP TABLE "public"."casework_events"')
    op.execute('DROP TYPE "public"."stored_event_uuid"')
