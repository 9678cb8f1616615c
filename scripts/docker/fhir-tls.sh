#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# docker-compose.yml's one-shot fhir-tls service (run as root in the janus-hipaa image, which has
# openssl): a throwaway CA and the FHIR proxy's server certificate for the HAPI FHIR stand-in.
#   fhir-tls.sh TLS_DIR CA_DIR
# TLS_DIR (volume fhir-tls, read by nginx): server.pem, server.key (0600 root; nginx reads it as
# root before it drops privileges). CA_DIR (volume fhir-ca, read-only in Janus): ca.pem, the FHIR
# handler's general.ca_file. The CA's private key is never stored: it exists only while this runs.
# The certificate names 127.0.0.1 and localhost (Janus runs in the host's network and reaches the
# proxy on 127.0.0.1:9443). Kept while it is valid for 30 more days and signed by CA_DIR/ca.pem;
# otherwise a new CA and certificate are made (restart Janus to read the new CA).
set -euo pipefail
tls=${1:?TLS dir}; ca=${2:?CA dir}
install -d -m 0755 "$tls" "$ca"
if [ -s "$tls/server.pem" ] && [ -s "$tls/server.key" ] && [ -s "$ca/ca.pem" ] &&
   openssl x509 -in "$tls/server.pem" -noout -checkend $((30 * 86400)) >/dev/null &&
   openssl verify -CAfile "$ca/ca.pem" "$tls/server.pem" >/dev/null 2>&1; then
  echo "fhir-tls: certificate kept (valid for 30 more days)"; exit 0
fi
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
(
  umask 077; cd "$work"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 400 \
    -subj "/CN=janus-hipaa FHIR stand-in CA" -keyout ca.key -out ca.pem 2>/dev/null
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=localhost" \
    -keyout server.key -out server.csr 2>/dev/null
  printf '%s\n' 'subjectAltName=IP:127.0.0.1,DNS:localhost' 'basicConstraints=CA:FALSE' \
    'keyUsage=digitalSignature' 'extendedKeyUsage=serverAuth' > server.ext
  openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 397 -extfile server.ext \
    -out server.pem 2>/dev/null
)
install -m 0600 -o 0 -g 0 "$work/server.key" "$tls/server.key.new"
install -m 0644 -o 0 -g 0 "$work/server.pem" "$tls/server.pem.new"
install -m 0644 -o 0 -g 0 "$work/ca.pem" "$ca/ca.pem.new"
mv "$tls/server.key.new" "$tls/server.key"; mv "$tls/server.pem.new" "$tls/server.pem"; mv "$ca/ca.pem.new" "$ca/ca.pem"
echo "fhir-tls: new CA and server certificate (127.0.0.1, localhost)"
