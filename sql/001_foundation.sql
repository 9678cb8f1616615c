-- SPDX-License-Identifier: GPL-3.0-or-later
-- 001 foundation. scripts/migrate.sh creates schema_migrations (version, applied_at) itself and
-- records every file it applies, each in its own transaction.
-- hipaa_schema_version(): the newest applied migration, so a plugin can refuse to run against a
-- database older than it needs (fail closed) instead of failing later on a missing table.
CREATE OR REPLACE FUNCTION hipaa_schema_version() RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT max(version) FROM schema_migrations
$$;
COMMENT ON FUNCTION hipaa_schema_version() IS 'janus-hipaa: newest applied sql/ migration';
