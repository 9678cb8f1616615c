#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# docker-compose's one-shot db-init service (the postgres image, which has psql; run as root so it
# can read the 0600 secrets): applies sql/ as the database superuser (hipaa_owner, the image's
# POSTGRES_USER), then (re)sets the handlers' logins from the same password files Janus reads
# (compose secrets pg-audit.pgpass, pg-fhir.pgpass). Server from PGHOST/PGPORT (compose: postgres,
# 25432). The superuser password reaches libpq through the environment, never a command line.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
secrets=/run/secrets
PGPASSWORD=$(cat "$secrets/pg-superuser-password")
export PGPASSWORD
super="dbname=hipaa user=hipaa_owner connect_timeout=10"
bash "$here/migrate.sh" "$super"
bash "$here/db-login.sh" "$super" janus_audit_login janus_audit_writer "$secrets/pg-audit.pgpass"
bash "$here/db-login.sh" "$super" janus_fhir_login janus_fhir_writer "$secrets/pg-fhir.pgpass"
echo "db-init: schema migrated, handler logins set"
