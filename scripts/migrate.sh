#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Applies sql/NNN_*.sql in order, each once, in its own transaction; records them in schema_migrations.
# In the same transaction sql/owner.sql hands what the migration created to janus_hipaa_owner (the
# NOLOGIN owner of the schema, from sql/102). Run it as the database superuser (migrations create
# roles and change owners); the handlers never run it.
#   scripts/migrate.sh "host=127.0.0.1 port=15432 user=postgres dbname=hipaa"
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
# sql/ of the source tree, or where the package puts it (/usr/sbin/janus-hipaa-migrate: /usr/share/janus-hipaa/sql).
sql=$root/sql; [ -d "$sql" ] || sql=$root/share/janus-hipaa/sql
conn=${1:?conninfo}
psql "$conn" -qv ON_ERROR_STOP=1 -c \
  "create table if not exists schema_migrations (version text primary key, applied_at timestamptz not null default now())" >/dev/null
for f in "$sql"/[0-9][0-9][0-9]_*.sql; do
  v=$(basename "$f" .sql)
  if psql "$conn" -qtAc "select 1 from schema_migrations where version = '$v'" | grep -q 1; then continue; fi
  psql "$conn" -qv ON_ERROR_STOP=1 --single-transaction \
    -f "$f" -c "insert into schema_migrations(version) values ('$v')" -f "$sql/owner.sql" >/dev/null
  echo "migrate: applied $v"
done
