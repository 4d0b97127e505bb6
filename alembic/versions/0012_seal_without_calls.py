"""Audit: the seal trigger computes the hash in its own body; no index on the stated time.

Revision ID: 0012
Revises: 0011

The seal is unchanged: the same row in `event_hashes`, the same hash, byte for byte, the same
running hash, in the same transaction as the event. Two costs of every insert go:

- The trigger called `casework_event_hash`, a SQL function declared IMMUTABLE whose body uses
  stable functions (`extract` on a timestamptz, `convert_to`), so PostgreSQL could not inline
  it and planned its body again in every transaction. The trigger now evaluates the same
  expression itself. `casework_event_hash` stays as it is: it is the layout's definition, and
  a test checks that the trigger's hashes equal it.
- `event_hashes_stated` (originator_id, stated_at, originator_version) was read by no query;
  every seal paid for an entry in it. `stated_at` is still written.

Downgrade restores 0010's trigger function and the index.
"""

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

# 0010's function, with casework_event_hash's body (0006) in place of the call to it.
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
        stated := NULL;  -- not the library's JSON: the seal holds, only this column lacks it
    END;
    -- The library inserts under its table lock: this is the newest seal, and stays so.
    SELECT h.chain_hash INTO last_chain
      FROM event_hashes h ORDER BY h.notification_id DESC LIMIT 1;
    case_hash := coalesce(case_hash, zero);
    -- The body of casework_event_hash (0006), on this event, its case's hash and recorded.
    sealed := sha256(
        convert_to('CWE1', 'UTF8') || case_hash || int8send(NEW.notification_id)
        || uuid_send(NEW.originator_id) || int8send(NEW.originator_version)
        || int8send((extract(epoch FROM recorded) * 1000000)::bigint)
        || int4send(octet_length(convert_to(coalesce(NEW.topic, ''), 'UTF8')))
        || convert_to(coalesce(NEW.topic, ''), 'UTF8') || coalesce(NEW.state, ''::bytea)
    );
    INSERT INTO event_hashes VALUES (
        NEW.notification_id, NEW.originator_id, NEW.originator_version, recorded, stated,
        case_hash, sealed, sha256(coalesce(last_chain, zero) || sealed)
    );
    RETURN NULL;
END
$$
"""

# Migration 0010's function, as it was.
SEAL_EVENT_0010 = """
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


def upgrade() -> None:
    op.execute(SEAL_EVENT)
    op.execute("DROP INDEX event_hashes_stated")


def downgrade() -> None:
    op.execute(
        "CREATE INDEX event_hashes_stated ON event_hashes "
        "(originator_id, stated_at, originator_version)"
    )
    op.execute(SEAL_EVENT_0010)
