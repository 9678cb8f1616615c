#!/usr/bin/env bash
# docker-compose's one-shot db-init service (the postgres image, run as root so it can read the
# 0600 files): applies sql/ as the database superuser, then (re)sets the handlers' logins from their
# password files, which Janus reads too (/etc/janus/hipaa/pg-{audit,fhir}.pgpass). The superuser
# password reaches libpq through the environment, never a command line.
set -euo pipefail
PGPASSWORD=$(cat /run/secrets/pg_superuser_password)
export PGPASSWORD
super="host=postgres port=5432 dbname=hipaa user=hipaa_owner"
bash /janus-hipaa/scripts/migrate.sh "$super"
bash /janus-hipaa/scripts/db-login.sh "$super" janus_audit_login janus_audit_writer /keys/pg-audit.pgpass
bash /janus-hipaa/scripts/db-login.sh "$super" janus_fhir_login janus_fhir_writer /keys/pg-fhir.pgpass
echo "db-init: schema migrated, handler logins set"
