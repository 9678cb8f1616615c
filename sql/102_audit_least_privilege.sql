-- SPDX-License-Identifier: GPL-3.0-or-later
-- 102 least privilege. Every object of this database belongs to janus_hipaa_owner, a role that
-- cannot log in: an owner may disable triggers, detach and drop partitions, so no login may be one.
-- The handlers log in as members of janus_audit_writer / janus_fhir_writer (scripts/db-login.sh),
-- which own nothing. Only a superuser can still change history; docs/audit.md says how that shows.
-- Run by a superuser (scripts/migrate.sh), like every migration. Idempotent.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'janus_hipaa_owner') THEN
        CREATE ROLE janus_hipaa_owner NOLOGIN;
    END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
    NULL;  -- another database's migration created it at the same moment (roles are cluster-wide)
END
$$;

-- The schema too: its owner may drop anything in it. Nobody else creates objects here (PostgreSQL 15
-- already revokes CREATE from PUBLIC on new databases; databases from older versions still grant it).
ALTER SCHEMA public OWNER TO janus_hipaa_owner;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;

-- Creates the month's partition of `ts` if missing (with its TRUNCATE guard), for the writer role,
-- which has no DDL rights. Runs as the owner, so: pg_catalog first and pg_temp last in its search
-- path and every name schema-qualified (a temporary table of the caller's cannot stand in for a
-- partition); UTC month boundaries whatever the caller's TimeZone/DateStyle; and only months from a
-- year back to two months ahead of the database's clock (no partitions for year 2999). Any other
-- month, or a month whose rows already sit in the default partition, answers the default partition,
-- where such rows go (they are never refused).
CREATE OR REPLACE FUNCTION public.audit_ensure_partition(ts timestamptz) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET TimeZone = 'UTC'
SET DateStyle = 'ISO, YMD'
AS $$
DECLARE
    this_month timestamp := date_trunc('month', now() AT TIME ZONE 'UTC');
    lo         timestamp;
    name       text;
BEGIN
    IF ts IS NULL OR NOT isfinite(ts) THEN
        RETURN 'audit_record_default';
    END IF;
    lo := date_trunc('month', ts AT TIME ZONE 'UTC');
    IF lo < this_month - interval '12 months' OR lo > this_month + interval '2 months' THEN
        RETURN 'audit_record_default';
    END IF;
    name := 'audit_record_' || to_char(lo, 'YYYY_MM');
    IF to_regclass('public.' || quote_ident(name)) IS NOT NULL THEN
        RETURN name;
    END IF;
    BEGIN
        EXECUTE format('CREATE TABLE public.%I PARTITION OF public.audit_record FOR VALUES FROM (%L) TO (%L)',
                       name, lo AT TIME ZONE 'UTC', (lo + interval '1 month') AT TIME ZONE 'UTC');
        EXECUTE format('CREATE TRIGGER audit_record_no_truncate BEFORE TRUNCATE ON public.%I '
                       'FOR EACH STATEMENT EXECUTE FUNCTION public.audit_refuse_change()', name);
    EXCEPTION WHEN check_violation OR duplicate_table THEN
        RETURN 'audit_record_default';
    END;
    RETURN name;
END
$$;

-- Hand everything over. ALTER TABLE on a partitioned table does not reach its partitions; indexes
-- and owned sequences follow their table.
ALTER TABLE public.schema_migrations OWNER TO janus_hipaa_owner;
ALTER FUNCTION public.hipaa_schema_version() OWNER TO janus_hipaa_owner;
ALTER TABLE public.audit_record OWNER TO janus_hipaa_owner;
ALTER TABLE public.audit_checkpoint OWNER TO janus_hipaa_owner;
DO $$
DECLARE
    part regclass;
BEGIN
    FOR part IN SELECT inhrelid::regclass FROM pg_catalog.pg_inherits
                WHERE inhparent = 'public.audit_record'::regclass LOOP
        EXECUTE format('ALTER TABLE %s OWNER TO janus_hipaa_owner', part);
    END LOOP;
END
$$;
ALTER FUNCTION public.audit_refuse_change() OWNER TO janus_hipaa_owner;
ALTER FUNCTION public.audit_ensure_partition(timestamptz) OWNER TO janus_hipaa_owner;

-- Exactly what the audit writer needs: append and read the trail, ensure partitions.
REVOKE ALL ON public.audit_record, public.audit_checkpoint FROM PUBLIC, janus_audit_writer;
GRANT SELECT, INSERT ON public.audit_record, public.audit_checkpoint TO janus_audit_writer;
REVOKE ALL ON FUNCTION public.audit_ensure_partition(timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION public.audit_ensure_partition(timestamptz) TO janus_audit_writer;
