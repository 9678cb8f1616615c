#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The FHIR R4 test server (tests/fhir-server: Medplum's engine, HTTPS, SMART token endpoint) on a
# loopback port, with a throwaway test CA and client keys generated into DIR.
#   scripts/fhir-server.sh start DIR PORT  -> prints the FHIR base URL (https://127.0.0.1:PORT/fhir/R4)
#   scripts/fhir-server.sh stop DIR
#   scripts/fhir-server.sh outage DIR | restore DIR   (stop/resume listening; data is kept)
# DIR then holds: ca.pem (trust this), other-ca.pem (a CA that did not sign the server),
# client-es384.key / client-rs384.key (0600, SMART client keys; client_id "janus-hipaa-test",
# kids "es384-1" / "rs384-1"), bearer-token (0600), log.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
srv="$root/tests/fhir-server"
cmd=${1:?start|stop|outage|restore}; dir=${2:?state dir}

install_modules() {
  if [ ! -d "$srv/node_modules/@medplum/fhir-router" ]; then
    (cd "$srv" && npm ci --no-audit --no-fund --loglevel=error >/dev/null 2>&1)
  fi
}

make_keys() {
  local d=$1
  [ -f "$d/ca.pem" ] && return 0
  (
    umask 077
    cd "$d"
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "/CN=janus-hipaa test CA" \
      -keyout ca.key -out ca.pem 2>/dev/null
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "/CN=some other CA" \
      -keyout other-ca.key -out other-ca.pem 2>/dev/null
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=127.0.0.1" \
      -keyout server.key -out server.csr 2>/dev/null
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' > server.ext
    openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -extfile server.ext \
      -out server.pem 2>/dev/null
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out client-es384.key 2>/dev/null
    openssl pkey -in client-es384.key -pubout -out client-es384.pub 2>/dev/null
    openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out client-rs384.key 2>/dev/null
    openssl pkey -in client-rs384.key -pubout -out client-rs384.pub 2>/dev/null
    openssl rand -hex 24 > bearer-token
    jq -n --rawfile es client-es384.pub --rawfile rs client-rs384.pub \
      '[{client_id: "janus-hipaa-test", keys: [{kid: "es384-1", alg: "ES384", pem: $es}, {kid: "rs384-1", alg: "RS384", pem: $rs}]}]' \
      > clients.json
  )
  chmod 644 "$d/ca.pem" "$d/other-ca.pem"
}

case "$cmd" in
start)
  port=${3:?port}
  mkdir -p "$dir"; dir=$(cd "$dir" && pwd)
  install_modules
  make_keys "$dir"
  rm -f "$dir/ready"
  node --experimental-websocket --no-warnings "$srv/server.mjs" --port "$port" --cert "$dir/server.pem" \
    --key "$dir/server.key" --clients "$dir/clients.json" --bearer-file "$dir/bearer-token" \
    --token-ttl "${FHIR_TOKEN_TTL:-300}" --ready-file "$dir/ready" > "$dir/log" 2>&1 &
  echo $! > "$dir/pid"
  for _ in $(seq 1 300); do
    [ -f "$dir/ready" ] && { echo "https://127.0.0.1:$port/fhir/R4"; exit 0; }
    kill -0 "$(cat "$dir/pid")" 2>/dev/null || break
    sleep 0.1
  done
  echo "fhir-server: did not start" >&2; cat "$dir/log" >&2; exit 1
  ;;
stop)
  if [ -f "$dir/pid" ]; then
    pid=$(cat "$dir/pid")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    rm -f "$dir/pid"
  fi
  ;;
outage) kill -USR1 "$(cat "$dir/pid")" ;;
restore) kill -USR2 "$(cat "$dir/pid")" ;;
*) echo "usage: $0 start DIR PORT | stop DIR | outage DIR | restore DIR" >&2; exit 2 ;;
esac
