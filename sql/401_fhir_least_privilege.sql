-- SPDX-License-Identifier: GPL-3.0-or-later
-- 401 least privilege for the FHIR outbox: the tables belong to janus_hipaa_owner (NOLOGIN, see 102);
-- janus_fhir_writer (NOLOGIN; the handler's login is a member, scripts/db-login.sh) gets exactly the
-- statements plugins/fhir/outbox/Outbox.cpp runs; the attempt trail refuses TRUNCATE like UPDATE and DELETE.
-- Idempotent.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'janus_fhir_writer') THEN
        CREATE ROLE janus_fhir_writer NOLOGIN;
    END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
    NULL;  -- created by another database's migration at the same moment (roles are cluster-wide)
END
$$;

-- Owned sequences (the bigserial ids) follow their table.
ALTER TABLE public.fhir_visit OWNER TO janus_hipaa_owner;
ALTER TABLE public.fhir_note OWNER TO janus_hipaa_owner;
ALTER TABLE public.fhir_outbox OWNER TO janus_hipaa_owner;
ALTER TABLE public.fhir_outbox_attempt OWNER TO janus_hipaa_owner;
ALTER FUNCTION public.fhir_outbox_attempt_append_only() OWNER TO janus_hipaa_owner;

-- TRUNCATE skips row triggers: refuse it with a statement trigger, for every role, the owner included.
CREATE OR REPLACE TRIGGER fhir_outbox_attempt_no_truncate BEFORE TRUNCATE ON public.fhir_outbox_attempt
    FOR EACH STATEMENT EXECUTE FUNCTION public.fhir_outbox_attempt_append_only();

REVOKE ALL ON public.fhir_visit, public.fhir_note, public.fhir_outbox, public.fhir_outbox_attempt
    FROM PUBLIC, janus_fhir_writer;
REVOKE ALL ON SEQUENCE public.fhir_outbox_id_seq, public.fhir_outbox_attempt_id_seq FROM PUBLIC, janus_fhir_writer;
-- Ended visits: stored once, read back for later notes and `export`.
GRANT SELECT, INSERT ON public.fhir_visit TO janus_fhir_writer;
-- Notes: stored once, marked bundled (SELECT ... FOR UPDATE needs an UPDATE right: this column's).
GRANT SELECT, INSERT ON public.fhir_note TO janus_fhir_writer;
GRANT UPDATE (bundled) ON public.fhir_note TO janus_fhir_writer;
-- Bundles: queued, claimed (lease), finished (sent/retry/dead, the sealed Bundle emptied when sent),
-- re-queued by `retry`. Their identity (id, visit_id, kind, created_at) is never rewritten.
GRANT SELECT, INSERT ON public.fhir_outbox TO janus_fhir_writer;
GRANT UPDATE (state, sealed, attempts, next_attempt_at, sent_at, dead_at, last_status, last_error, outcome,
              resource_ids, instance) ON public.fhir_outbox TO janus_fhir_writer;
-- The attempt trail: appended, never read back by the handler.
GRANT INSERT ON public.fhir_outbox_attempt TO janus_fhir_writer;
GRANT USAGE ON SEQUENCE public.fhir_outbox_id_seq, public.fhir_outbox_attempt_id_seq TO janus_fhir_writer;
