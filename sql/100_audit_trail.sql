-- SPDX-License-Identifier: GPL-3.0-or-later
-- 100 audit trail (janus.eventhandler.hipaa.audit). Append-only, one SHA-256 hash chain per Janus
-- instance, monthly partitions (six years of trail stay fast to query and to archive by month).
-- Nothing here stores PHI: the handler scrubs every event before it is queued, spooled or written.

-- Writer role: INSERT and SELECT only. Grant it to the login the handler uses
-- (GRANT janus_audit_writer TO janus_audit_login). Roles are cluster-wide: another database's
-- migration may create it at the same moment, so "already exists" is success, not an error.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'janus_audit_writer') THEN
        CREATE ROLE janus_audit_writer NOLOGIN;
    END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
    NULL;
END
$$;

CREATE TABLE audit_record (
    instance_id  text        NOT NULL,                -- general.instance_id: one chain per Janus
    seq          bigint      NOT NULL CHECK (seq > 0),-- 1, 2, 3 ... within the instance's chain
    event_time   timestamptz NOT NULL,                -- Janus' event timestamp (microseconds)
    janus_type   integer     NOT NULL,                -- Janus event type bit (0: the handler's own records)
    subtype      integer,
    emitter      text,
    plugin       text,
    session_id   bigint,
    handle_id    bigint,
    room         text,
    actor        text,                                -- a pseudonym (ps1_...), never a name
    action       text        NOT NULL,
    outcome      text        NOT NULL,
    event        jsonb       NOT NULL,                -- the scrubbed event
    prev_hash    bytea       NOT NULL CHECK (length(prev_hash) = 32),
    hash         bytea       NOT NULL CHECK (length(hash) = 32),
    recorded_at  timestamptz NOT NULL DEFAULT now(),  -- not hashed: when the row reached PostgreSQL
    -- The partition key must be part of a partitioned table's unique key; seq alone is unique per
    -- instance by construction (single writer) and `verify` detects any duplicate or gap.
    PRIMARY KEY (instance_id, seq, event_time)
) PARTITION BY RANGE (event_time);

COMMENT ON TABLE audit_record IS 'janus-hipaa audit trail: append-only, hash-chained per instance, PHI-scrubbed';

CREATE INDEX audit_record_seq ON audit_record (instance_id, seq);
CREATE INDEX audit_record_room ON audit_record (room, event_time) WHERE room IS NOT NULL;
CREATE INDEX audit_record_actor ON audit_record (actor, event_time) WHERE actor IS NOT NULL;
CREATE INDEX audit_record_action ON audit_record (action, event_time);

-- Catches rows whose month has no partition yet (clock skew); never loses an insert.
CREATE TABLE audit_record_default PARTITION OF audit_record DEFAULT;

CREATE TABLE audit_checkpoint (
    instance_id  text        NOT NULL,
    seq          bigint      NOT NULL,                -- the chain head this checkpoint signs
    head_hash    bytea       NOT NULL CHECK (length(head_hash) = 32),
    signed_at    timestamptz NOT NULL,
    key_id       text        NOT NULL,                -- hex SHA-256 of the raw Ed25519 public key, first 16 bytes
    signature    bytea       NOT NULL CHECK (length(signature) = 64),
    recorded_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (instance_id, seq)
);
COMMENT ON TABLE audit_checkpoint IS 'janus-hipaa: Ed25519-signed heads of the audit chain';

-- Append-only, also for the table owner: only a superuser who disables the triggers can change rows
-- (and `verify` then names the altered record).
CREATE FUNCTION audit_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'janus-hipaa audit trail is append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TRIGGER audit_record_append_only BEFORE UPDATE OR DELETE ON audit_record
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_record_no_truncate BEFORE TRUNCATE ON audit_record
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_checkpoint_append_only BEFORE UPDATE OR DELETE ON audit_checkpoint
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_checkpoint_no_truncate BEFORE TRUNCATE ON audit_checkpoint
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
-- Row triggers are cloned to partitions; statement (TRUNCATE) triggers are not: add them per partition.
CREATE TRIGGER audit_record_no_truncate BEFORE TRUNCATE ON audit_record_default
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();

-- Creates the month's partition of `ts` if missing (with its TRUNCATE guard). SECURITY DEFINER so the
-- writer role, which has no DDL rights, can keep partitions ahead of time. If the default partition
-- already holds rows of that month the partition cannot be created: the rows stay in the default one.
CREATE FUNCTION audit_ensure_partition(ts timestamptz) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
    lo   timestamptz := date_trunc('month', ts AT TIME ZONE 'UTC') AT TIME ZONE 'UTC';
    hi   timestamptz := (date_trunc('month', ts AT TIME ZONE 'UTC') + interval '1 month') AT TIME ZONE 'UTC';
    name text := 'audit_record_' || to_char(ts AT TIME ZONE 'UTC', 'YYYY_MM');
BEGIN
    IF to_regclass(name) IS NOT NULL THEN
        RETURN name;
    END IF;
    BEGIN
        EXECUTE format('CREATE TABLE %I PARTITION OF audit_record FOR VALUES FROM (%L) TO (%L)', name, lo, hi);
        EXECUTE format('CREATE TRIGGER audit_record_no_truncate BEFORE TRUNCATE ON %I '
                       'FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change()', name);
    EXCEPTION WHEN check_violation OR duplicate_table THEN
        RETURN 'audit_record_default';
    END;
    RETURN name;
END
$$;

SELECT audit_ensure_partition(now());
SELECT audit_ensure_partition(now() + interval '1 month');

REVOKE ALL ON audit_record, audit_checkpoint FROM PUBLIC;
REVOKE ALL ON FUNCTION audit_ensure_partition(timestamptz) FROM PUBLIC;
GRANT SELECT, INSERT ON audit_record, audit_checkpoint TO janus_audit_writer;
GRANT EXECUTE ON FUNCTION audit_ensure_partition(timestamptz) TO janus_audit_writer;
