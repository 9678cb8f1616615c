#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The demo server's development endpoints (tests/e2e/demo/serve.js) against a config folder written
# by scripts/janus-conf.sh, without Janus: tokens are minted only while the room config says
# general.development = true, they verify with the development public key and carry the claims the
# room checks, cross-origin POSTs and paths outside the page folder are refused.
set -uo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
build=${1:-$root/build}
dir=$(mktemp -d /tmp/hipaa-demo-check-XXXXXX)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$dir"; }
trap cleanup EXIT
fail=0
bash "$root/scripts/janus-conf.sh" "$dir/conf" "$build" 1 2 >/dev/null || { echo "FAIL: janus-conf.sh"; exit 1; }
grep -q '^class-checkin: {' "$dir/conf/janus.plugin.hipaa.room.jcfg" || { echo "FAIL: no class-checkin in the room config"; fail=1; }
node "$root/tests/e2e/demo/serve.js" --janus http://127.0.0.1:1/janus --admin http://127.0.0.1:1/admin --conf "$dir/conf" --port 0 >"$dir/out" 2>&1 &
pid=$!
for _ in $(seq 1 50); do grep -q '^DEMO_URL' "$dir/out" && break; sleep 0.1; done
url=$(sed -n 's/^DEMO_URL //p' "$dir/out"); url=${url%/}
[ -n "$url" ] || { echo "FAIL: serve.js did not start"; cat "$dir/out"; exit 1; }
code() { curl -s -o "$dir/body" -w '%{http_code}' "$@"; }

[ "$(code "$url/")" = 200 ] && grep -q 'DEMO' "$dir/body" || { echo "FAIL: home page"; fail=1; }
[ "$(code "$url/demo/consult.html")" = 200 ] && grep -q 'DEMO' "$dir/body" || { echo "FAIL: consult page"; fail=1; }
[ "$(code "$url/vendor/janus.js")" = 200 ] || { echo "FAIL: janus.js"; fail=1; }
# The reference client (clients/web) under /client/, with a strict Content-Security-Policy: scripts
# and styles only from this server, network only to it and to Janus, no inline code, no framing.
[ "$(code -D "$dir/headers" "$url/client/")" = 200 ] && grep -q 'main.js' "$dir/body" || { echo "FAIL: client page"; fail=1; }
csp=$(grep -i '^content-security-policy:' "$dir/headers" | tr -d '\r')
for want in "default-src 'none'" "script-src 'self';" "style-src 'self';" "img-src 'self' data: blob:;" "connect-src 'self' http://127.0.0.1:1;" \
  "base-uri 'none'" "frame-ancestors 'none'"; do
  case "$csp" in *"$want"*) ;; *) echo "FAIL: client CSP lacks $want: $csp"; fail=1 ;; esac
done
case "$csp" in *unsafe*|*'*'*) echo "FAIL: client CSP too loose: $csp"; fail=1 ;; esac
grep -qi '^referrer-policy: no-referrer' "$dir/headers" || { echo "FAIL: client Referrer-Policy"; fail=1; }
[ "$(code -D "$dir/headers" "$url/client/main.js")" = 200 ] && grep -qi '^content-security-policy:' "$dir/headers" || { echo "FAIL: client script headers"; fail=1; }
[ "$(code "$url/client/config.json")" = 200 ] && [ "$(jq -r .janus "$dir/body")" = http://127.0.0.1:1/janus ] || { echo "FAIL: client config.json"; fail=1; }
for p in /demo/serve.js /demo/../lib/args.js /demo/%2e%2e/lib/args.js /pages/videoroom-client.js \
  /client/../tests/e2e/demo/serve.js /client/%2e%2e/README.md; do
  [ "$(code --path-as-is "$url$p")" = 404 ] || { echo "FAIL: $p served"; fail=1; }
done

# development = true: a patient token for room r_1, ES256 over the development key, with dob_hmac
# under the room's date-of-birth key and no name; nothing in it gives the date of birth away offline.
[ "$(code -X POST -d '{"room":"r_1","role":"patient"}' "$url/demo/api/token")" = 200 ] || { echo "FAIL: token: $(cat "$dir/body")"; fail=1; }
tok=$(jq -r .token "$dir/body")
python3 - "$tok" "$dir/conf/keys/dev-es256.pem" "$dir/conf/keys/dob.key" <<'PY' || fail=1
import base64, datetime, hashlib, hmac, json, subprocess, sys, tempfile
tok, key, dobkey = sys.argv[1], sys.argv[2], bytes.fromhex(open(sys.argv[3]).read().strip())
h, p, s = tok.split(".")
d = lambda x: base64.urlsafe_b64decode(x + "=" * (-len(x) % 4))
b64 = lambda b: base64.urlsafe_b64encode(b).rstrip(b"=").decode()
claims, header = json.loads(d(p)), json.loads(d(h))
mac = hmac.new(dobkey, claims["jti"].encode() + b"\0" + b"1980-02-29", hashlib.sha256).digest()
ok = header["alg"] == "ES256" and claims["room"] == "r_1" and claims["role"] == "patient" \
    and claims.get("dob_hmac") == b64(mac) and "dob_sha256" not in claims and "name" not in claims \
    and claims["exp"] > claims["iat"]
# The offline attack on the old dob_sha256: hash every date from 1900 to 2030 (unkeyed, and keyed with
# nothing but what the link holds) and look for it anywhere in the token.
values = {json.dumps(v) for v in claims.values()} | {tok}
day, found = datetime.date(1900, 1, 1), None
while day.year <= 2030 and not found:
    t = day.isoformat().encode()
    for k in (b"", claims["jti"].encode(), claims["sub"].encode()):
        dg = hmac.new(k, claims["jti"].encode() + b"\0" + t, hashlib.sha256).digest() if k else hashlib.sha256(t).digest()
        if any(dg.hex() in v or b64(dg) in v for v in values):
            found = day
    day += datetime.timedelta(days=1)
if found:
    print("FAIL: the date of birth", found, "is recoverable from the token alone"); sys.exit(1)
sig = d(s); r, s_ = int.from_bytes(sig[:32], "big"), int.from_bytes(sig[32:], "big")
def der_int(v):
    b = v.to_bytes((v.bit_length() + 8) // 8, "big"); return b"\x02" + bytes([len(b)]) + b
body = der_int(r) + der_int(s_); der = b"\x30" + bytes([len(body)]) + body
with tempfile.NamedTemporaryFile() as f:
    f.write(der); f.flush()
    pub = subprocess.run(["openssl", "pkey", "-in", key, "-pubout"], capture_output=True, check=True).stdout
    with tempfile.NamedTemporaryFile() as k:
        k.write(pub); k.flush()
        v = subprocess.run(["openssl", "dgst", "-sha256", "-verify", k.name, "-signature", f.name],
                           input=(h + "." + p).encode(), capture_output=True)
if not ok or v.returncode != 0:
    print("FAIL: token claims or signature", claims, v.stdout, v.stderr); sys.exit(1)
PY
[ "$(stat -c %a "$dir/conf/keys/dob.key")" = 600 ] || { echo "FAIL: dob.key is not 0600"; fail=1; }
# The provider's token names the (synthetic) provider: staff names may travel in links.
[ "$(code -X POST -d '{"room":"r_1","role":"provider"}' "$url/demo/api/token")" = 200 ] || { echo "FAIL: provider token"; fail=1; }
python3 -c 'import base64,json,sys; p=sys.argv[1].split(".")[1]; c=json.loads(base64.urlsafe_b64decode(p+"="*(-len(p)%4))); sys.exit(0 if c.get("name") and c["role"]=="provider" else 1)' \
  "$(jq -r .token "$dir/body")" || { echo "FAIL: provider token claims"; fail=1; }
# `expired: true` (the client's expired-link test): issued 5 minutes ago, expired 4 minutes ago.
[ "$(code -X POST -d '{"room":"r_1","role":"patient","expired":true}' "$url/demo/api/token")" = 200 ] || { echo "FAIL: expired token"; fail=1; }
python3 -c 'import base64,json,sys,time; p=sys.argv[1].split(".")[1]; c=json.loads(base64.urlsafe_b64decode(p+"="*(-len(p)%4))); n=time.time(); sys.exit(0 if c["exp"] < n - 200 and c["iat"] == c["nbf"] and c["iat"] < c["exp"] else 1)' \
  "$(jq -r .token "$dir/body")" || { echo "FAIL: expired token claims"; fail=1; }
[ "$(code -X POST -d '{"room":"r_1","role":"admin"}' "$url/demo/api/token")" = 400 ] || { echo "FAIL: unknown role accepted"; fail=1; }
[ "$(code -X POST -d '{"room":"../x","role":"patient"}' "$url/demo/api/token")" = 400 ] || { echo "FAIL: bad room accepted"; fail=1; }
[ "$(code -X POST -H 'Origin: http://evil.example' -d '{"room":"r_1","role":"patient"}' "$url/demo/api/token")" = 403 ] || { echo "FAIL: cross-origin POST accepted"; fail=1; }
[ "$(code "$url/demo/api/token")" = 405 ] || { echo "FAIL: GET token"; fail=1; }

# development = false: no tokens, no rooms.
sed -i 's/^\tdevelopment = true/\tdevelopment = false/' "$dir/conf/janus.plugin.hipaa.room.jcfg"
[ "$(code -X POST -d '{"room":"r_1","role":"patient"}' "$url/demo/api/token")" = 403 ] || { echo "FAIL: token minted with development = false"; fail=1; }
[ "$(code -X POST "$url/demo/api/visit")" = 403 ] || { echo "FAIL: visit created with development = false"; fail=1; }
[ "$(code "$url/demo/api/config")" = 200 ] && [ "$(jq -r .development "$dir/body")" = false ] || { echo "FAIL: config"; fail=1; }
[ $fail -eq 0 ] && echo "demo server ok"
exit $fail
