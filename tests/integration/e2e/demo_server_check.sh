#!/usr/bin/env bash
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
for p in /demo/serve.js /demo/../lib/args.js /demo/%2e%2e/lib/args.js /pages/videoroom-client.js; do
  [ "$(code --path-as-is "$url$p")" = 404 ] || { echo "FAIL: $p served"; fail=1; }
done

# development = true: a patient token for room r_1, ES256 over the development key, with dob_sha256.
[ "$(code -X POST -d '{"room":"r_1","role":"patient"}' "$url/demo/api/token")" = 200 ] || { echo "FAIL: token: $(cat "$dir/body")"; fail=1; }
tok=$(jq -r .token "$dir/body")
python3 - "$tok" "$dir/conf/keys/dev-es256.pem" <<'PY' || fail=1
import base64, hashlib, json, subprocess, sys, tempfile
tok, key = sys.argv[1], sys.argv[2]
h, p, s = tok.split(".")
d = lambda x: base64.urlsafe_b64decode(x + "=" * (-len(x) % 4))
claims, header = json.loads(d(p)), json.loads(d(h))
ok = header["alg"] == "ES256" and claims["room"] == "r_1" and claims["role"] == "patient" \
    and claims["dob_sha256"] == hashlib.sha256(b"1980-02-29").hexdigest() and claims["exp"] > claims["iat"]
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
