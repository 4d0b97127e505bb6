"""Audit: as-of index, hash chain, refusal of UPDATE and DELETE on the event tables.

Revision ID: 0006
Revises: 0005

Every event the library inserts gets, in the same transaction, a seal row in `event_hashes`
(written by an AFTER INSERT trigger, so the application cannot skip it): when it was recorded,
the time the event itself states, its hash chained to the previous event of its case, and a
running hash over the whole log in notification order. api/audit/offline_verify.py recomputes
exactly the same hashes; docs/audit.md gives the byte layout.
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

PROTECTED = ("casework_events", "event_hashes", "audit_checkpoints")

UPGRADE = [
    """
    CREATE TABLE event_hashes (
        notification_id bigint PRIMARY KEY,
        originator_id uuid NOT NULL,
        originator_version bigint NOT NULL,
        recorded_at timestamptz NOT NULL,
        stated_at timestamptz,
        prev_hash bytea NOT NULL,
        hash bytea NOT NULL,
        chain_hash bytea NOT NULL,
        UNIQUE (originator_id, originator_version)
    )
    """,
    # The as-of read: the latest version of a case recorded by an instant, one index probe.
    "CREATE INDEX event_hashes_as_of ON event_hashes "
    "(originator_id, recorded_at, originator_version)",
    "CREATE INDEX event_hashes_stated ON event_hashes "
    "(originator_id, stated_at, originator_version)",
    """
    CREATE TABLE audit_checkpoints (
        up_to_notification_id bigint PRIMARY KEY,
        chain_hash bytea NOT NULL,
        event_count bigint NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now()
    )
    """,
    # Layout: "CWE1" | prev hash (32) | notification id (8) | case id (16) | version (8)
    #         | recorded at, microseconds since 1970 UTC (8) | topic length (4) | topic | state
    """
    CREATE FUNCTION casework_event_hash(
        prev bytea, notification_id bigint, originator_id uuid, originator_version bigint,
        recorded_at timestamptz, topic text, state bytea
    ) RETURNS bytea LANGUAGE sql IMMUTABLE AS $$
        SELECT sha256(
            convert_to('CWE1', 'UTF8') || prev || int8send(notification_id)
            || uuid_send(originator_id) || int8send(originator_version)
            || int8send((extract(epoch FROM recorded_at) * 1000000)::bigint)
            || int4send(octet_length(convert_to(coalesce(topic, ''), 'UTF8')))
            || convert_to(coalesce(topic, ''), 'UTF8') || coalesce(state, ''::bytea)
        )
    $$
    """,
    """
    CREATE FUNCTION casework_seal(e casework_events, at timestamptz) RETURNS void
    LANGUAGE plpgsql AS $$
    DECLARE
        zero constant bytea := decode(repeat('00', 32), 'hex');
        case_hash bytea;
        case_recorded timestamptz;
        last_chain bytea;
        recorded timestamptz;
        stated timestamptz;
        sealed bytea;
    BEGIN
        SELECT h.hash, h.recorded_at INTO case_hash, case_recorded
          FROM event_hashes h
         WHERE h.originator_id = e.originator_id AND h.originator_version < e.originator_version
         ORDER BY h.originator_version DESC LIMIT 1;
        -- Never earlier than the case's previous event, so the as-of index is monotonic.
        recorded := greatest(at, case_recorded);
        BEGIN
            stated := (convert_from(e.state, 'UTF8')::jsonb
                       -> 'timestamp' ->> '_data_')::timestamptz;
        EXCEPTION WHEN others THEN
            stated := NULL;  -- not the library's JSON: the seal holds, only this index lacks it
        END;
        SELECT h.chain_hash INTO last_chain
          FROM event_hashes h ORDER BY h.notification_id DESC LIMIT 1;
        sealed := casework_event_hash(
            coalesce(case_hash, zero), e.notification_id, e.originator_id,
            e.originator_version, recorded, e.topic, e.state
        );
        INSERT INTO event_hashes VALUES (
            e.notification_id, e.originator_id, e.originator_version, recorded, stated,
            coalesce(case_hash, zero), sealed, sha256(coalesce(last_chain, zero) || sealed)
        );
    END
    $$
    """,
    # Recorded time is the inserting transaction's time (the library inserts under a table
    # lock, so notification order is commit order and the running hash is serialised too).
    """
    CREATE FUNCTION casework_seal_event() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM casework_seal(NEW, now());
        RETURN NULL;
    END
    $$
    """,
    """
    CREATE TRIGGER casework_events_seal AFTER INSERT ON casework_events
    FOR EACH ROW EXECUTE FUNCTION casework_seal_event()
    """,
    """
    CREATE FUNCTION casework_refuse_rewrite() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'casework: % on % refused: the audit record is append-only',
                        TG_OP, TG_TABLE_NAME
            USING ERRCODE = 'insufficient_privilege',
                  HINT = 'Events are corrected by recording a new event, never by rewriting one.';
    END
    $$
    """,
]


def upgrade() -> None:
    for statement in UPGRADE:
        op.execute(statement)
    for table in PROTECTED:
        op.execute(
            f"CREATE TRIGGER {table}_refuse_rewrite BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION casework_refuse_rewrite()"
        )
        op.execute(
            f"CREATE TRIGGER {table}_refuse_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION casework_refuse_rewrite()"
        )
    # Events recorded before this revision are sealed now, in notification order; their
    # recorded time is the time they state (the best evidence there is of when they happened).
    op.execute(
        """
        DO $$
        DECLARE e casework_events;
        BEGIN
            FOR e IN SELECT * FROM casework_events ORDER BY notification_id LOOP
                PERFORM casework_seal(e, coalesce(
                    (convert_from(e.state, 'UTF8')::jsonb -> 'timestamp' ->> '_data_')::timestamptz,
                    now()));
            END LOOP;
        END
        $$
        """
    )


def downgrade() -> None:
    for table in PROTECTED:
        op.execute(f"DROP TRIGGER {table}_refuse_truncate ON {table}")
        op.execute(f"DROP TRIGGER {table}_refuse_rewrite ON {table}")
    op.execute("DROP TRIGGER casework_events_seal ON casework_events")
    op.execute("DROP FUNCTION casework_refuse_rewrite()")
    op.execute("DROP FUNCTION casework_seal_event()")
    op.execute("DROP FUNCTION casework_seal(casework_events, timestamptz)")
    op.execute(
        "DROP FUNCTION casework_event_hash(bytea, bigint, uuid, bigint, timestamptz, text, bytea)"
    )
    op.execute("DROP TABLE audit_checkpoints")
    op.execute("DROP TABLE event_hashes")
