-- SPDX-License-Identifier: GPL-3.0-or-later
-- 400 FHIR export outbox (janus.eventhandler.hipaa.fhir). Every PHI-bearing column is `sealed`:
-- AES-256-GCM (nonce || ciphertext || tag) under the handler's outbox key, with the row's identity
-- bound as associated data. Everything else is PHI-free and readable by operators.

-- Visits whose end was received: the sealed VisitEnded fact, so that notes submitted after the end
-- (and `export`) can be bundled with the same Encounter.
CREATE TABLE fhir_visit (
    visit_id    text PRIMARY KEY,
    ended_at    timestamptz NOT NULL DEFAULT now(),
    sealed      bytea NOT NULL
);

-- Notes submitted during a visit wait here until the visit ends (bundled = true then).
CREATE TABLE fhir_note (
    note_id     text PRIMARY KEY,
    visit_id    text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    bundled     boolean NOT NULL DEFAULT false,
    sealed      bytea NOT NULL
);
CREATE INDEX fhir_note_visit ON fhir_note (visit_id);

-- One transaction Bundle per row, written before any network call. Workers of every Janus instance
-- claim due rows with FOR UPDATE SKIP LOCKED and a lease (next_attempt_at moves ahead while sending).
CREATE TABLE fhir_outbox (
    id              bigserial PRIMARY KEY,
    visit_id        text NOT NULL,
    kind            text NOT NULL CHECK (kind IN ('visit', 'note', 'export')),
    state           text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'dead')),
    sealed          bytea NOT NULL,
    attempts        integer NOT NULL DEFAULT 0,
    created_at      timestamptz NOT NULL DEFAULT now(),
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    sent_at         timestamptz,
    dead_at         timestamptz,
    last_status     integer,
    last_error      text,            -- PHI-free
    outcome         jsonb,           -- PHI-free parts of the server's OperationOutcome
    resource_ids    text[],          -- e.g. {Encounter/12,DocumentReference/13,Provenance/jh-..}
    instance        text             -- Janus instance that last tried
);
CREATE INDEX fhir_outbox_due ON fhir_outbox (next_attempt_at) WHERE state = 'pending';
CREATE INDEX fhir_outbox_visit ON fhir_outbox (visit_id);

-- The PHI-free audit trail of every write attempt and its outcome.
CREATE TABLE fhir_outbox_attempt (
    id            bigserial PRIMARY KEY,
    outbox_id     bigint NOT NULL REFERENCES fhir_outbox (id),
    at            timestamptz NOT NULL DEFAULT now(),
    instance      text NOT NULL,
    attempt       integer NOT NULL,
    result        text NOT NULL CHECK (result IN ('sent', 'retry', 'dead')),
    http_status   integer,
    error         text,
    resource_ids  text[],
    alert         boolean NOT NULL DEFAULT false   -- dead-lettered: needs a person
);
CREATE INDEX fhir_outbox_attempt_outbox ON fhir_outbox_attempt (outbox_id);

-- The attempt trail is append-only.
CREATE FUNCTION fhir_outbox_attempt_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'fhir_outbox_attempt is append-only' USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER fhir_outbox_attempt_no_change BEFORE UPDATE OR DELETE ON fhir_outbox_attempt
    FOR EACH ROW EXECUTE FUNCTION fhir_outbox_attempt_append_only();
