-- SPDX-License-Identifier: GPL-3.0-or-later
-- Not a migration: scripts/migrate.sh runs this after each migration, in that migration's
-- transaction. It hands every object in schema public that a migration created (tables, partitions,
-- views, free-standing sequences, functions, enums, domains) to janus_hipaa_owner, the NOLOGIN owner
-- of this database's schema (sql/102), so no login ever owns history. Before 102 created the role it
-- does nothing. Objects of extensions are left alone; indexes and owned sequences follow their table.
DO $$
DECLARE
    obj record;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'janus_hipaa_owner') THEN
        RETURN;
    END IF;
    FOR obj IN
        SELECT format('ALTER %s %s OWNER TO janus_hipaa_owner',
                      CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'S' THEN 'SEQUENCE'
                                     WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END, c.oid::regclass) AS stmt
        FROM pg_catalog.pg_class c
        WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
          AND c.relowner <> 'janus_hipaa_owner'::regrole
          AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_class'::regclass
                          AND d.objid = c.oid AND d.deptype IN ('a', 'e', 'i'))  -- owned sequences, extensions
        UNION ALL
        SELECT format('ALTER ROUTINE %s OWNER TO janus_hipaa_owner', p.oid::regprocedure)
        FROM pg_catalog.pg_proc p
        WHERE p.pronamespace = 'public'::regnamespace AND p.proowner <> 'janus_hipaa_owner'::regrole
          AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_proc'::regclass
                          AND d.objid = p.oid AND d.deptype = 'e')
        UNION ALL
        SELECT format('ALTER TYPE %s OWNER TO janus_hipaa_owner', t.oid::regtype)
        FROM pg_catalog.pg_type t
        WHERE t.typnamespace = 'public'::regnamespace AND t.typtype IN ('e', 'd')
          AND t.typowner <> 'janus_hipaa_owner'::regrole
          AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_type'::regclass
                          AND d.objid = t.oid AND d.deptype = 'e')
    LOOP
        EXECUTE obj.stmt;
    END LOOP;
END
$$;
