-- SPDX-License-Identifier: GPL-3.0-or-later
-- 101 audit trail: drop audit_record_seq (instance_id, seq). The primary key (instance_id, seq,
-- event_time) starts with the same two columns, so it serves every lookup the dropped index served
-- (the chain head: ORDER BY seq DESC LIMIT 1; verify, query and export ranges on seq), and each COPY
-- no longer maintains a fifth B-tree per row. Dropping the partitioned index drops it on every
-- partition; this takes a brief ACCESS EXCLUSIVE lock on audit_record (the writer spools meanwhile).
DROP INDEX IF EXISTS audit_record_seq;
