#!/usr/bin/env node
// SPDX-License-Identifier: GPL-3.0-or-later
'use strict';
// DEMO ONLY. Serves the consult demo page (tests/e2e/demo) and Janus' client libraries on 127.0.0.1,
// plus two development endpoints that exist only because this is a demo:
//   POST /demo/api/visit            creates a consult room (Admin API `create`, class `checkin`) and,
//                                   with --media-plugin janus.plugin.videoroom, a stock VideoRoom room
//   POST /demo/api/token {room, role}  mints a join token with the LOCAL DEVELOPMENT KEY
//                                   (scripts/mint-token, OUT/keys/dev-es256.pem; the patient's dob_hmac
//                                   with OUT/keys/dob.key; no name in a patient's token); with
//                                   `expired: true` one that has already expired (the client's message),
//                                   `ttl: S` one valid for S seconds (5-1800; default 1800)
//   GET /demo/api/policy?room=ROOM   the room's visit policy (Admin API `info`): what the reference
//                                   client's privacy screen tells the patient before check-in
//   POST /demo/api/copy {passphrase}  the demo patient's copy of their visits: the recorder's
//                                   `patient_copy` with an actor token minted with the LOCAL DEVELOPMENT
//                                   actor key (OUT/keys/dev-actor-es256.pem); GET /demo/api/copy/FILE
//                                   then downloads that file (only files this server asked for)
// All refuse (403) unless the room plugin's generated config has `general.development = true`, the
// same switch that lets the room accept the development key at all. Never run this next to real visits:
// anyone who reaches the port can mint tokens.
//   node tests/e2e/demo/serve.js --janus URL --admin URL --conf JANUS_CONF_DIR [--port 8090]
//        [--media-plugin janus.plugin.hipaa.room|janus.plugin.videoroom] [--room-class checkin]
// It also serves the reference client (clients/web) under /client/ with a strict Content-Security-Policy
// and its config.json (docs/client.md).
// Prints `DEMO_URL http://127.0.0.1:PORT/` once listening.
const fs = require('fs');
const http = require('http');
const path = require('path');
const crypto = require('crypto');
const { execFile } = require('child_process');
const { parseArgs } = require('../lib/args');

const ROOT = path.resolve(__dirname, '..', '..', '..');
const PAGES = __dirname;
const CLIENT = path.join(ROOT, 'clients', 'web');
const VENDOR = {
  '/vendor/janus.js': process.env.HIPAA_JANUS_JS || '/usr/share/javascript/janus-gateway/janus.js',
  '/vendor/adapter.js': process.env.HIPAA_ADAPTER_JS || '/usr/share/javascript/webrtc-adapter/adapter.js',
};
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8' };

// The reference client's headers: scripts and styles only from this server, network only to it and
// to Janus, no framing, no referrer, camera/microphone/screen only for this origin.
function clientHeaders(opt) {
  const janus = new URL(opt.janus).origin;
  return {
    'Content-Security-Policy': ["default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self' data: blob:",
      "media-src 'self' blob: mediastream:", `connect-src 'self' ${janus}`, "base-uri 'none'", "form-action 'none'",
      "frame-ancestors 'none'"].join('; '),
    'Referrer-Policy': 'no-referrer',
    'X-Content-Type-Options': 'nosniff',
    'Permissions-Policy': 'camera=(self), microphone=(self), display-capture=(self), geolocation=()',
    'Cache-Control': 'no-store',
  };
}
// Synthetic demo identities (no real person): the patient types her name and this date of birth at
// check-in (her token carries neither: only dob_hmac, which nobody without the room's key can check).
// `fhir`: the token's FHIR reference (the `fhir` claim), what the FHIR handler exports the visit for.
const DEMO_PEOPLE = {
  provider: { sub: 'demo-dr-1', name: 'Dr. Demo (synthetic)', fhir: ['--fhir-practitioner', 'Practitioner/demo-dr-1'] },
  patient: { sub: 'demo-pt-1', name: 'Pat Demo (synthetic)', dob: '1980-02-29', fhir: ['--fhir-patient', 'Patient/demo-pt-1'] },
};

// True only when the generated room config's `general:` block says development = true.
function developmentOn(confDir) {
  let text;
  try { text = fs.readFileSync(path.join(confDir, 'janus.plugin.hipaa.room.jcfg'), 'utf8'); } catch { return false; }
  const general = /^general:\s*\{([\s\S]*?)^\}/m.exec(text);
  return !!general && /^\s*development\s*=\s*true\s*$/m.test(general[1]);
}

// `expired`: a link already expired when minted (issued 5 minutes ago, valid for 1): tests the client's
// message for it. The room refuses such a token like any other expired one. `ttl`: a shorter lifetime
// (5-1800 s), for a link that runs out during a visit.
function mintToken(opt, room, role, expired = false, ttl = 1800) {
  const who = DEMO_PEOPLE[role];
  const args = [path.join(ROOT, 'scripts', 'mint-token'), '--key', path.join(opt.conf, 'keys', 'dev-es256.pem'),
    '--room', room, '--role', role, '--sub', who.sub, '--ttl', expired ? '60' : String(ttl),
    '--jti', crypto.randomBytes(16).toString('hex')];
  if (expired) args.push('--issued-ago', '300');
  if (role !== 'patient') args.push('--name', who.name);
  if (who.dob) args.push('--dob', who.dob, '--dob-key', path.join(opt.conf, 'keys', 'dob.key'));
  args.push(...who.fhir);
  return new Promise((ok, fail) => execFile('python3', args, { timeout: 10000 }, (e, out) => (e ? fail(new Error('mint-token failed')) : ok(out.trim()))));
}

function mintActor(opt, role, sub) {
  const args = [path.join(ROOT, 'scripts', 'mint-token'), '--actor', '--key', path.join(opt.conf, 'keys', 'dev-actor-es256.pem'),
    '--role', role, '--sub', sub];
  return new Promise((ok, fail) => execFile('python3', args, { timeout: 10000 }, (e, out) => (e ? fail(new Error('mint-token failed')) : ok(out.trim()))));
}

// The copies this server asked for (only those are served back).
const copies = new Set();

async function patientCopy(opt, passphrase) {
  const actorToken = await mintActor(opt, 'patient', DEMO_PEOPLE.patient.sub);
  const r = await admin(opt, 'janus.plugin.hipaa.recorder', { request: 'patient_copy', actor_token: actorToken, recipient: { passphrase } });
  copies.add(r.file);
  return { file: r.file, bytes: r.bytes, recordings: r.recordings, notes: r.notes, disclosures: r.disclosures,
    expires_ms: r.expires_ms, url: '/demo/api/copy/' + encodeURIComponent(r.file) };
}

async function admin(opt, plugin, request) {
  const secret = fs.readFileSync(path.join(opt.conf, 'admin_secret'), 'utf8').trim();
  const res = await fetch(opt.admin, {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ janus: 'message_plugin', transaction: crypto.randomBytes(6).toString('hex'), admin_secret: secret, plugin, request }),
  });
  const j = await res.json();
  // Every answer carries its plugin's envelope: "hipaa.room": "success" (or "error" beside error_code);
  // Janus' own VideoRoom (the demo's optional media plugin) answers "videoroom": "created"/"success".
  const envelope = plugin.startsWith('janus.plugin.hipaa.') ? 'hipaa.' + plugin.split('.').pop() : null;
  const ok = j.response && (envelope ? j.response[envelope] === 'success' : !j.response.error);
  if (j.janus !== 'success' || !ok)
    throw new Error(`${plugin} ${request.request}: ${JSON.stringify(j.error || (j.response && (j.response.error || `no "${envelope}": "success"`)) || j.janus)}`);
  return j.response;
}

async function createVisit(opt) {
  const r = await admin(opt, 'janus.plugin.hipaa.room', { request: 'create', class: opt.roomClass }).catch((e) => {
    // A config generated before class-checkin existed (run.sh keeps .state/janus): say how to refresh it.
    throw new Error(`${e.message} (no class-${opt.roomClass} in the room config? regenerate it: JANUS_CONF_FORCE=1 scripts/run.sh)`);
  });
  const visit = { room: r.room, roomClass: r.class, mediaPlugin: opt.mediaPlugin, dob: DEMO_PEOPLE.patient.dob,
    patientName: DEMO_PEOPLE.patient.name };
  if (opt.mediaPlugin === 'janus.plugin.videoroom') {
    // Early-testing mode: signalling in our room, media in a stock VideoRoom room next to it.
    const vr = await admin(opt, 'janus.plugin.videoroom', { request: 'create', room: 100000 + crypto.randomInt(800000),
      publishers: 6, audiocodec: 'opus', videocodec: 'vp8', bitrate: 512000, permanent: false, description: 'demo' });
    visit.mediaRoom = vr.room;
  }
  return visit;
}

function readBody(req) {
  return new Promise((ok, fail) => {
    let body = '';
    req.on('data', (c) => { body += c; if (body.length > 4096) { fail(new Error('too large')); req.destroy(); } });
    req.on('end', () => { try { ok(body ? JSON.parse(body) : {}); } catch { fail(new Error('bad json')); } });
  });
}

function send(res, code, obj) {
  res.writeHead(code, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
  res.end(JSON.stringify(obj));
}

function staticFile(urlPath) {
  if (VENDOR[urlPath]) return VENDOR[urlPath];
  if (urlPath === '/client/') return path.join(CLIENT, 'index.html');
  if (urlPath.startsWith('/client/')) {
    const file = path.normalize(path.join(CLIENT, urlPath.slice('/client/'.length)));
    return file.startsWith(CLIENT + path.sep) && TYPES[path.extname(file)] ? file : null;
  }
  if (urlPath === '/' || urlPath === '/demo' || urlPath === '/demo/') return path.join(PAGES, 'index.html');
  if (!urlPath.startsWith('/demo/')) return null;
  const file = path.normalize(path.join(PAGES, urlPath.slice('/demo/'.length)));
  if (!file.startsWith(PAGES + path.sep) || !TYPES[path.extname(file)] || file.endsWith('serve.js')) return null;
  return file;
}

async function handle(opt, req, res) {
  const url = new URL(req.url, 'http://x');
  if (url.pathname === '/client') { res.writeHead(301, { Location: '/client/' }); res.end(); return undefined; }
  if (url.pathname === '/client/config.json') {
    res.writeHead(200, Object.assign(clientHeaders(opt), { 'Content-Type': 'application/json' }));
    res.end(JSON.stringify({ janus: opt.janus, iceServers: [], policyUrl: '/demo/api/policy' }));
    return undefined;
  }
  if (url.pathname.startsWith('/demo/api/')) {
    if (url.pathname === '/demo/api/config') {
      return send(res, 200, { demo: true, janus: opt.janus, mediaPlugin: opt.mediaPlugin, development: developmentOn(opt.conf) });
    }
    if (req.method === 'GET' && url.pathname === '/demo/api/policy') {
      const room = url.searchParams.get('room') || '';
      if (!/^[A-Za-z0-9_-]{1,64}$/.test(room)) return send(res, 400, { error: 'room required' });
      try {
        return send(res, 200, (await admin(opt, 'janus.plugin.hipaa.room', { request: 'info', room })).policy || {});
      } catch { return send(res, 404, { error: 'no such room' }); }
    }
    if (req.method === 'GET' && url.pathname.startsWith('/demo/api/copy/')) {
      const name = decodeURIComponent(url.pathname.slice('/demo/api/copy/'.length));
      const file = path.join(opt.conf, 'exports', name);
      if (!copies.has(name) || !fs.existsSync(file)) return send(res, 404, { error: 'no such copy' });
      res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Disposition': `attachment; filename="${name}"`, 'Cache-Control': 'no-store' });
      fs.createReadStream(file).pipe(res);
      return undefined;
    }
    if (req.method !== 'POST') return send(res, 405, { error: 'POST only' });
    // A page on another origin must not mint tokens through a visitor's browser.
    const origin = req.headers.origin;
    if (origin && origin !== `http://${req.headers.host}`) return send(res, 403, { error: 'cross-origin request refused' });
    if (!developmentOn(opt.conf)) return send(res, 403, { error: 'demo endpoints need general.development = true in the room config' });
    try {
      const body = await readBody(req);
      if (url.pathname === '/demo/api/visit') return send(res, 200, await createVisit(opt));
      if (url.pathname === '/demo/api/copy') {
        const passphrase = body.passphrase;
        if (typeof passphrase !== 'string' || passphrase.length < 12 || passphrase.length > 1024) return send(res, 400, { error: 'a passphrase of 12 to 1024 characters' });
        return send(res, 200, await patientCopy(opt, passphrase));
      }
      if (url.pathname === '/demo/api/token') {
        const room = String(body.room || ''), role = String(body.role || '');
        if (!/^[A-Za-z0-9_-]{1,64}$/.test(room) || !DEMO_PEOPLE[role]) return send(res, 400, { error: 'room and role (provider|patient) required' });
        const ttl = body.ttl === undefined ? 1800 : body.ttl;
        if (!Number.isInteger(ttl) || ttl < 5 || ttl > 1800) return send(res, 400, { error: 'ttl: whole seconds, 5 to 1800' });
        return send(res, 200, { token: await mintToken(opt, room, role, body.expired === true, ttl), role });
      }
      return send(res, 404, { error: 'no such endpoint' });
    } catch (e) {
      return send(res, 500, { error: e.message });
    }
  }
  const file = staticFile(url.pathname);
  if (!file || !fs.existsSync(file)) { res.writeHead(404); res.end('not found'); return undefined; }
  const headers = { 'Content-Type': TYPES[path.extname(file)] || 'text/javascript; charset=utf-8', 'Cache-Control': 'no-store' };
  res.writeHead(200, url.pathname.startsWith('/client/') ? Object.assign(clientHeaders(opt), headers) : headers);
  fs.createReadStream(file).pipe(res);
  return undefined;
}

function startDemoServer(opt) {
  for (const k of ['janus', 'admin', 'conf']) if (!opt[k]) throw new Error(`--${k} required`);
  opt.mediaPlugin = opt.mediaPlugin || 'janus.plugin.hipaa.room';
  opt.roomClass = opt.roomClass || 'checkin';
  for (const f of Object.values(VENDOR)) if (!fs.existsSync(f)) throw new Error(`${f} missing: install libjs-janus-gateway and libjs-webrtc-adapter (scripts/deps.sh)`);
  const server = http.createServer((req, res) => { handle(opt, req, res).catch((e) => send(res, 500, { error: e.message })); });
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(Number(opt.port || 0), '127.0.0.1', () => ok({
      url: `http://127.0.0.1:${server.address().port}/`,
      close: () => new Promise((done) => { server.closeAllConnections(); server.close(() => done()); }),
    }));
  });
}

module.exports = { startDemoServer, DEMO_PEOPLE, admin, mintActor };

if (require.main === module) {
  const opt = parseArgs(process.argv.slice(2));
  startDemoServer(opt).then((s) => {
    process.stdout.write(`DEMO_URL ${s.url}\n`);
    if (!developmentOn(opt.conf)) process.stderr.write('demo: general.development is off: the token endpoint answers 403\n');
    const stop = () => s.close().then(() => process.exit(0));
    process.on('SIGINT', stop); process.on('SIGTERM', stop);
  }, (e) => { process.stderr.write(`demo: ${e.message}\n`); process.exit(1); });
}
