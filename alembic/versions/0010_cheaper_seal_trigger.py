"""Audit: the seal trigger does its work in one function, reading the stated time as json.

Revision ID: 0010
Revises: 0009

The seal is unchanged: the same row in `event_hashes`, the same hash (`casework_event_hash`,
byte for byte), the same running hash, in the same transaction as the event. Only the trigger
function changes: it no longer calls `casework_seal(NEW, now())` with the row as a composite
argument, and it reads the stated time with the `json` parser, which only scans the text,
instead of building a `jsonb` value of the whole event. `casework_seal` stays (migration 0006
seals older events with it). Downgrade restores 0006's trigger function.
"""

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

SEAL_EVENT = """
CREATE OR REPLACE FUNCTION casework_seal_event() RETURNS trigger LANGUAGE plpgsql AS $$
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
     WHERE h.originator_id = NEW.originator_id AND h.originator_version < NEW.originator_version
     ORDER BY h.originator_version DESC LIMIT 1;
    -- Never earlier than the case's previous event, so the as-of index is monotonic.
    recorded := greatest(now(), case_recorded);
    BEGIN
        stated := (convert_from(NEW.state, 'UTF8')::json -> 'timestamp' ->> '_data_')::timestamptz;
    EXCEPTION WHEN others THEN
        stated := NULL;  -- not the library's JSON: the seal holds, only this index lacks it
    END;
    -- The library inserts under its table lock: this is the newest seal, and stays so.
    SELECT h.chain_hash INTO last_chain
      FROM event_hashes h ORDER BY h.notification_id DESC LIMIT 1;
    case_hash := coalesce(case_hash, zero);
    sealed := casework_event_hash(
        case_hash, NEW.notification_id, NEW.originator_id, NEW.originator_version, recorded,
        NEW.topic, NEW.state
    );
    INSERT INTO event_hashes VALUES (
        NEW.notification_id, NEW.originator_id, NEW.originator_version, recorded, stated,
        case_hash, sealed, sha256(coalesce(last_chain, zero) || sealed)
    );
    RETURN NULL;
END
$$
"""

# Migration 0006's function, as it was.
SEAL_EVENT_0006 = """
CREATE OR REPLACE FUNCTION casework_seal_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM casework_seal(NEW, now());
    RETURN NULL;
END
$$
"""


def upgrade() -> None:
    op.execute(SEAL_EVENT)


def downgrade() -> None:
    op.execute(SEAL_EVENT_0006)
