// SPDX-License-Identifier: GPL-3.0-or-later
// Checks docs/api against itself and against real answers of the plugins (docs/api/README.md):
//   node tests/api/validate-answers.mjs DOCS_API_DIR [ANSWER_LOG]
// 1. every *.schema.json is a valid JSON Schema 2020-12 (the meta-schema, then ajv's strict compile:
//    an unknown keyword or format is an error); each request file has its *.answers.schema.json with
//    one definition per request definition, and each request's `examples` validate;
// 2. with ANSWER_LOG (JSON lines written by the tests' JanusClient with HIPAA_ANSWER_LOG set): every
//    answer validates against its request's answer definition (an answer with error_code against
//    `error`), a request the request schema refuses was answered with an error, every pushed event
//    without a transaction validates against `push`;
// 3. every request definition had at least one success answer and every kind of push was seen at
//    least once, unless the answers file lists it in `x-not-captured` with the reason.
// Exits 1 on any failure.
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
let Ajv2020, addFormats;
try {
  Ajv2020 = require("ajv/dist/2020").default;
  addFormats = require("ajv-formats").default;
} catch {
  console.error("validate-answers: ajv missing: run scripts/e2e-deps.sh (npm ci in tests/api)");
  process.exit(1);
}

const [dir, logFile] = process.argv.slice(2);
if (!dir) {
  console.error("usage: node validate-answers.mjs DOCS_API_DIR [ANSWER_LOG]");
  process.exit(2);
}

// Annotations of our own (ajv's strict mode refuses keywords it does not know).
const ANNOTATIONS = ["x-api", "x-error-code", "x-missing-code", "x-invalid-examples", "x-envelope-note",
  "x-requests", "x-not-captured"];
const MAX_SHOWN = 25;
const failures = [];
const fail = (msg) => failures.push(msg);
const short = (v) => {
  const s = JSON.stringify(v);
  return s.length > 400 ? s.slice(0, 400) + "..." : s;
};
const errorsOf = (validate) => validate.errors.slice(0, 4).map((e) => `${e.instancePath || "/"} ${e.message}` +
  (e.params && e.params.additionalProperty ? ` (${e.params.additionalProperty})` : "") +
  (e.params && e.params.unevaluatedProperty ? ` (${e.params.unevaluatedProperty})` : "") +
  (e.params && e.params.allowedValue !== undefined ? ` (${short(e.params.allowedValue)})` : "")).join("; ");

const ajv = new Ajv2020({ strict: true, strictRequired: false, allowUnionTypes: true, allErrors: true });
addFormats(ajv);
for (const keyword of ANNOTATIONS) ajv.addKeyword({ keyword });

// ---- 1. the schema files ----
const files = fs.readdirSync(dir).filter((f) => f.endsWith(".schema.json")).sort();
const docs = new Map();
for (const f of files) {
  let doc;
  try {
    doc = JSON.parse(fs.readFileSync(path.join(dir, f), "utf8"));
  } catch (e) {
    fail(`${f}: not JSON: ${e.message}`);
    continue;
  }
  if (doc.$schema !== "https://json-schema.org/draft/2020-12/schema")
    fail(`${f}: $schema is ${doc.$schema}, not https://json-schema.org/draft/2020-12/schema`);
  if (!ajv.validateSchema(doc)) {
    fail(`${f}: not a valid 2020-12 schema: ${ajv.errorsText(ajv.errors)}`);
    continue;
  }
  try {
    ajv.addSchema(doc, f);
    ajv.getSchema(f); // compiles: strict mode refuses unknown keywords and formats
  } catch (e) {
    fail(`${f}: ${e.message}`);
    ajv.removeSchema(f);
    continue;
  }
  docs.set(f, doc);
}
const compiled = new Map();
const validator = (file, pointer) => {
  const key = `${file}#${pointer}`;
  if (!compiled.has(key)) compiled.set(key, ajv.getSchema(key));
  return compiled.get(key);
};
const refName = (ref) => ref.slice(ref.lastIndexOf("/") + 1);

// One API: its request file, its answers file, its request definitions.
const apis = [];
for (const [f, doc] of docs) {
  if (f.endsWith(".answers.schema.json")) {
    const req = f.replace(".answers.schema.json", ".schema.json");
    if (!files.includes(req)) fail(`${f}: no request file ${req}`);
    if (doc["x-requests"] !== req) fail(`${f}: x-requests must name ${req}`);
    continue;
  }
  const answersFile = f.replace(".schema.json", ".answers.schema.json");
  const answers = docs.get(answersFile);
  if (!answers) {
    fail(`${f}: no valid ${answersFile} (the answers to these requests)`);
    continue;
  }
  const api = doc["x-api"] || {};
  if (api.answers !== answersFile) fail(`${f}: x-api.answers must name ${answersFile}`);
  const defs = [...new Set((doc.oneOf || []).map((r) => refName(r.$ref)))];
  for (const d of defs) {
    if (!answers.$defs || !answers.$defs[d]) fail(`${answersFile}: no $defs/${d} (the answer to ${f} $defs/${d})`);
    for (const example of doc.$defs[d].examples || []) {
      const v = validator(f, `/$defs/${d}`);
      if (!v(example)) fail(`${f}: $defs/${d} example ${short(example)} does not validate: ${errorsOf(v)}`);
    }
  }
  if (!answers.$defs || !answers.$defs.error) fail(`${answersFile}: no $defs/error`);
  const pushKinds = answers.$defs && answers.$defs.push ? (answers.$defs.push.oneOf || []).map((r) => refName(r.$ref)) : [];
  apis.push({
    file: f, answersFile, answers, janus: api.janus, target: api.plugin || api.handler, envelope: api.envelope,
    defs, pushKinds, success: new Map(defs.map((d) => [d, 0])), pushes: new Map(pushKinds.map((k) => [k, 0])),
    errors: 0,
  });
}
console.log(`schemas: ${docs.size} of ${files.length} files valid JSON Schema 2020-12 (strict), ${apis.length} APIs`);

// ---- 2. the answers ----
if (logFile) {
  const apiOf = (janus, plugin) => apis.find((a) => a.janus === janus && a.target === plugin);
  let lines = [];
  try {
    lines = fs.readFileSync(logFile, "utf8").split("\n").filter((l) => l.length > 0);
  } catch (e) {
    fail(`${logFile}: ${e.message} (written by the contract test with HIPAA_ANSWER_LOG set)`);
  }
  const records = lines.map((l, i) => {
    try {
      return JSON.parse(l);
    } catch {
      fail(`${logFile}:${i + 1}: not JSON`);
      return null;
    }
  }).filter(Boolean);
  // Client messages by Janus session and transaction: an answer pushed later comes as an event with both.
  const messages = new Map();
  for (const r of records) if (r.api === "message") messages.set(`${r.session}/${r.transaction}`, r);

  let checked = 0, pushed = 0, skipped = 0;
  const check = (api, request, answer, where) => {
    const matching = api.defs.filter((d) => validator(api.file, `/$defs/${d}`)(request));
    if (answer === null || typeof answer !== "object" || Array.isArray(answer)) {
      fail(`${api.target} ${where}: the answer is not an object: ${short(answer)}`);
      return;
    }
    checked++;
    if ("error_code" in answer) {
      api.errors++;
      const v = validator(api.answersFile, "/$defs/error");
      if (!v(answer)) fail(`${api.answersFile} $defs/error: ${where} ${short(answer)}: ${errorsOf(v)}`);
      return;
    }
    if (matching.length === 0) {
      fail(`${api.file}: ${where}: a request the schema refuses was answered without an error:\n    request ${short(request)}\n    answer  ${short(answer)}`);
      return;
    }
    const passed = matching.filter((d) => validator(api.answersFile, `/$defs/${d}`)(answer));
    if (passed.length === 0) {
      const v = validator(api.answersFile, `/$defs/${matching[0]}`);
      v(answer);
      fail(`${api.answersFile} $defs/${matching.join("|")}: ${where}: ${errorsOf(v)}\n    request ${short(request)}\n    answer  ${short(answer)}`);
      return;
    }
    for (const d of passed) api.success.set(d, api.success.get(d) + 1);
  };
  for (const r of records) {
    if (r.api === "message") {
      const api = apiOf("message", r.plugin);
      if (!api) { skipped++; continue; }
      if ("answer" in r) check(api, r.request, r.answer, `${short(r.request)} (answered at once)`);
    } else if (r.api === "event") {
      const api = apiOf("message", r.plugin);
      if (!api) { skipped++; continue; }
      if (r.transaction !== undefined) {
        const m = messages.get(`${r.session}/${r.transaction}`);
        if (!m) fail(`${api.target}: an event with transaction ${r.transaction} that no logged message sent: ${short(r.answer)}`);
        else check(api, m.request, r.answer, `${short(m.request)} (pushed)`);
        continue;
      }
      pushed++;
      const kinds = api.pushKinds.filter((k) => validator(api.answersFile, `/$defs/${k}`)(r.answer));
      if (kinds.length === 0) {
        const v = validator(api.answersFile, "/$defs/push");
        v(r.answer);
        fail(`${api.answersFile} $defs/push: ${short(r.answer)}: ${api.pushKinds.length ? errorsOf(v) : "no push is documented"}`);
      }
      for (const k of kinds) api.pushes.set(k, api.pushes.get(k) + 1);
    } else if (r.api === "message_plugin" || r.api === "query_eventhandler") {
      const api = apiOf(r.api, r.plugin);
      if (!api) { skipped++; continue; }
      if (!r.request || typeof r.request !== "object") { skipped++; continue; } // not a request object: Janus' own answer
      check(api, r.request, r.answer, short(r.request));
      if (r.answer && r.answer[api.envelope] !== ("error_code" in r.answer ? "error" : "success"))
        fail(`${api.target}: ${short(r.request)}: "${api.envelope}" is ${r.answer[api.envelope]}`);
    }
  }

  // ---- 3. coverage ----
  let kinds = 0, covered = 0;
  for (const api of apis) {
    const exempt = api.answers["x-not-captured"] || {};
    for (const name of Object.keys(exempt))
      if (!api.defs.includes(name) && !api.pushKinds.includes(name))
        fail(`${api.answersFile}: x-not-captured names ${name}, neither a request nor a push`);
    for (const [d, n] of api.success) {
      kinds++;
      if (n > 0) covered++;
      if (n > 0 && exempt[d]) fail(`${api.answersFile}: ${d} is in x-not-captured but a success answer was captured: remove it`);
      if (n === 0 && !exempt[d]) fail(`${api.target} (${api.janus}): no success answer to ${d} was captured`);
    }
    for (const [k, n] of api.pushes) {
      if (n > 0 && exempt[k]) fail(`${api.answersFile}: push ${k} is in x-not-captured but was captured: remove it`);
      if (n === 0 && !exempt[k]) fail(`${api.target}: no push ${k} was captured`);
    }
    const ok = [...api.success].filter(([, n]) => n > 0).length;
    const pk = [...api.pushes].filter(([, n]) => n > 0).length;
    console.log(`  ${api.file}: success answers for ${ok}/${api.defs.length} requests` +
      ` (${[...api.success.values()].reduce((a, b) => a + b, 0)} answers), ${api.errors} error answers` +
      (api.pushKinds.length ? `, pushes of ${pk}/${api.pushKinds.length} kinds` : ""));
  }
  console.log(`answers: ${checked} answers and ${pushed} pushes validated from ${records.length} records` +
    ` (${skipped} for APIs without a schema); success answers for ${covered} of ${kinds} request kinds`);
}

for (const f of failures.slice(0, MAX_SHOWN)) console.log(`FAIL ${f}`);
if (failures.length > MAX_SHOWN) console.log(`... and ${failures.length - MAX_SHOWN} more`);
console.log(failures.length ? `validate-answers: ${failures.length} failures` : "validate-answers: ok");
process.exit(failures.length ? 1 : 0);
